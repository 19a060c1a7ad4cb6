"""Live progress on stderr: a job's rendering, then a download's bytes."""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from .._models import Video
from ..servers import interpret_status

__all__ = ["download_bar", "job_bar"]

OnVideo = Callable[[Video], None]
OnBytes = Callable[[int, "int | None"], None]


def _job_label(video: Video) -> str:
    return f"{video.id} {video.status}"


@contextmanager
def job_bar(console: Console, video_id: str) -> Generator[OnVideo, None, None]:
    """A bar following a job while the block runs.

    Yields:
        The ``on_progress`` callback to give ``videos.poll``.
    """
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"{video_id} waiting", total=100)

        def update(video: Video) -> None:
            done = 100 if interpret_status(video.status) == "completed" else video.progress
            progress.update(task, description=_job_label(video), completed=done)

        yield update


@contextmanager
def download_bar(console: Console, label: str) -> Generator[OnBytes, None, None]:
    """A transfer bar (bytes, speed) while the block runs.

    Yields:
        The ``on_progress(done, total)`` callback to give ``write_to_file``.
    """
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield update
