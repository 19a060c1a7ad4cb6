"""Live progress on stderr: a job's rendering, then a download's bytes."""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import contextmanager

from rich.console import Console, RenderableType
from rich.filesize import decimal
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from .._models import Video
from ..servers import interpret_status
from ._safe import safe

__all__ = ["download_bar", "job_bar"]

OnVideo = Callable[[Video], None]
OnBytes = Callable[[int, "int | None"], None]

MARKS = {"completed": Text("✓", style="green"), "failed": Text("✗", style="red")}


class _StateColumn(SpinnerColumn):
    """A spinner while the job runs; a mark once it has ended (a failed job stops spinning)."""

    def render(self, task: Task) -> RenderableType:
        mark = MARKS.get(str(task.fields.get("status")))
        return mark if mark is not None else super().render(task)


class _SpeedColumn(ProgressColumn):
    """The average transfer speed so far: known from the first bytes, even for small files."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not task.completed or not elapsed:
            return Text("", style="progress.data.speed")
        return Text(f"{decimal(int(task.completed / elapsed))}/s", style="progress.data.speed")


@contextmanager
def job_bar(console: Console, video_id: str) -> Generator[OnVideo, None, None]:
    """A bar following a job while the block runs.

    Yields:
        The ``on_progress`` callback to give ``videos.poll``.
    """
    columns = (
        _StateColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"{safe(video_id)} waiting", total=100, status="queued")

        def update(video: Video) -> None:
            meaning = interpret_status(video.status)  # other servers' words included
            done = 100 if meaning == "completed" else video.progress
            label = f"{safe(video.id)} {safe(video.status)}"
            progress.update(task, description=label, completed=done, status=meaning)
            if meaning in MARKS:
                progress.stop_task(task)

        yield update


@contextmanager
def download_bar(console: Console, label: str) -> Generator[OnBytes, None, None]:
    """A transfer bar (bytes, speed) while the block runs.

    Yields:
        The ``on_progress(done, total)`` callback to give ``write_to_file``.
    """
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), DownloadColumn())
    with Progress(*columns, _SpeedColumn(), console=console) as progress:
        task = progress.add_task(safe(label), total=None)

        def update(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield update
