"""``client.videos``: every Videos API operation, plus polling, on an async client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from typing_extensions import Unpack

from .. import _operations as ops
from .._download import download_flow
from .._fleet import Fleet
from .._models import Video
from .._poll import DEFAULT_MAX_WAIT, poll_flow
from .._steps import ProgressCallback
from .._types import (
    InputReference,
    RequestOptions,
    VideoModel,
    VideoSeconds,
    VideoSize,
    VideoVariant,
)
from .endpoints import AsyncVideoEndpoints

if TYPE_CHECKING:  # imported when a batch runs: an import that never batches skips them
    from .._batch import BatchJob, BatchResult

__all__ = ["AsyncVideos"]


class AsyncVideos(AsyncVideoEndpoints):
    """Create, list, poll and download videos (``client.videos``): every endpoint, plus the
    workflows that take several requests (polling, resumable downloads, batches)."""

    async def poll(
        self,
        video_id: str,
        *,
        max_wait: float | None = DEFAULT_MAX_WAIT,
        poll_interval: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Video:
        """Wait for a job to complete, one request per poll.

        Between polls it waits what the server's ``openai-poll-after-ms`` says (1 s if
        absent), never less than ``poll_interval``.

        Args:
            video_id: The job.
            max_wait: Seconds before giving up; ``None`` waits as long as it takes.
            poll_interval: The least wait between polls, in seconds.
            on_progress: Called with the ``Video`` each time its state changes.

        Returns:
            The completed video.

        Raises:
            VideoFailedError: The job failed; ``.video.error`` says why.
            PollTimeoutError: ``max_wait`` passed first; ``.video`` is the last state seen.
        """
        flow = poll_flow(
            self._engine.config,
            ops.retrieve(video_id),
            options,
            max_wait=max_wait,
            poll_interval=poll_interval,
            on_progress=on_progress,
        )
        return await self._engine.run(flow)

    async def as_completed(
        self,
        video_ids: Iterable[str | Video],
        *,
        max_wait: float | None = DEFAULT_MAX_WAIT,
        poll_interval: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Video]:
        """Wait for many jobs at once, yielding each job as it finishes.

        All the jobs are checked together, once per poll interval: a round reads
        ``GET /videos`` newest first until it has seen every job still running (one request
        for up to a hundred jobs), and retrieves one by one only what the listing does not
        show (a single job, a server without a listing). The interval is the server's
        ``openai-poll-after-ms`` (1 s if absent), never less than ``poll_interval``.

        Args:
            video_ids: The jobs: ids, or the ``Video``s ``create`` returned (their age lets a
                round stop paging sooner). An id given twice is watched once.
            max_wait: Seconds, from the first step of the iteration, before giving up;
                ``None`` waits as long as it takes.
            poll_interval: The least wait between rounds, in seconds.
            on_progress: Called with a ``Video`` each time a job's state changes.

        Yields:
            Each job once, when it is ``completed`` or ``failed`` (then ``.error`` says why;
            nothing is raised for it), in the order they finished.

        Raises:
            PollTimeoutError: ``max_wait`` passed first; ``.videos`` holds the last state of
                every job still running (they go on; watch them again with their ids).
            NotFoundError: A job no longer exists (deleted meanwhile); the jobs that finished
                in the same round are yielded first.
        """
        fleet = Fleet(max_wait=max_wait, poll_interval=poll_interval)
        for video in video_ids:
            fleet.add(video)
        while fleet:
            found = await self._engine.run(
                fleet.check(self._engine.config, options, on_progress=on_progress)
            )
            for video in found.finished:
                yield video
            for error in found.errors.values():
                raise error

    async def create_and_poll(
        self,
        *,
        prompt: str,
        model: VideoModel | None = None,
        seconds: VideoSeconds | int | None = None,
        size: VideoSize | None = None,
        input_reference: InputReference | None = None,
        idempotency_key: str | None = None,
        max_wait: float | None = DEFAULT_MAX_WAIT,
        poll_interval: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Video:
        """``create``, then ``poll`` until the job completes (see both for the arguments).

        Raises:
            VideoFailedError: The job failed.
            PollTimeoutError: ``max_wait`` passed first; the job goes on (``.video.id``).
        """
        video = await self.create(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            idempotency_key=idempotency_key,
            **options,
        )
        return await self.poll(
            video.id,
            max_wait=max_wait,
            poll_interval=poll_interval,
            on_progress=on_progress,
            **options,
        )

    async def remix_and_poll(
        self,
        video_id: str,
        *,
        prompt: str,
        idempotency_key: str | None = None,
        max_wait: float | None = DEFAULT_MAX_WAIT,
        poll_interval: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Video:
        """``remix``, then ``poll`` until the job completes (see both for the arguments).

        Raises:
            VideoFailedError: The job failed.
            PollTimeoutError: ``max_wait`` passed first; the job goes on (``.video.id``).
        """
        video = await self.remix(
            video_id, prompt=prompt, idempotency_key=idempotency_key, **options
        )
        return await self.poll(
            video.id,
            max_wait=max_wait,
            poll_interval=poll_interval,
            on_progress=on_progress,
            **options,
        )

    async def download(
        self,
        video_id: str,
        path: str | os.PathLike[str],
        *,
        variant: VideoVariant = "video",
        on_progress: ProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> Path:
        """Download a finished job's media to a file, in one call.

        The body streams into a temporary file beside ``path``, renamed only once complete;
        a cut connection resumes with a ``Range`` request (within ``max_retries``); a server
        that ignores ``Range`` gets a clean restart.

        Args:
            video_id: The completed video.
            path: Where the file goes; an existing folder, or a path ending with ``/``, gets
                it named as ``download_all`` does (``<video_id>.mp4``) inside. A failed
                download leaves nothing there.
            variant: ``"video"`` (MP4), ``"thumbnail"`` (WebP) or ``"spritesheet"``.
            on_progress: Called as ``on_progress(bytes_done, bytes_total)`` as bytes arrive.

        Returns:
            The path written.

        Raises:
            NotFoundError: No such video, or its assets expired.
            IncompleteDownloadError: The body stayed short after every resume.
        """
        spec = ops.content(video_id, variant=variant)
        target = ops.download_path(path, video_id, variant)
        flow = download_flow(self._engine.config, spec, options, target, on_progress=on_progress)
        return await self._engine.run(flow)

    async def download_all(
        self,
        video_id: str,
        directory: str | os.PathLike[str],
        **options: Unpack[RequestOptions],
    ) -> dict[VideoVariant, Path]:
        """Download the video, thumbnail and spritesheet of a finished job into a folder.

        Files are named after the id: ``<id>.mp4``, ``<id>.thumbnail.webp``,
        ``<id>.spritesheet.jpg``. The folder is created if needed.

        Returns:
            Each variant's path.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        return {
            variant: await self.download(
                video_id, folder / ops.media_filename(video_id, variant), variant=variant, **options
            )
            for variant in ops.VARIANTS
        }

    async def batch(
        self,
        requests: Iterable[str | BatchJob],
        *,
        concurrency: int = 4,
        max_pending: int = 16,
        output_dir: str | os.PathLike[str] | None = None,
        manifest: str | os.PathLike[str] | None = None,
        max_wait: float | None = DEFAULT_MAX_WAIT,
        poll_interval: float | None = None,
        on_result: Callable[[BatchResult], object] | None = None,
        collect: bool = True,
    ) -> list[BatchResult]:
        """Make many videos at once and account for every one of them.

        Up to ``max_pending`` jobs are on the server at once, all polled together (one
        listing request per round for the whole batch, see docs/batch.md); creates and
        downloads run ``concurrency`` at a time. A 429 pauses the whole batch. One job's
        failure never ends the others. With a ``manifest``, each job's idempotency key is
        on disk before its create, so a re-run never pays for a job twice.

        Args:
            requests: Prompts, or ``BatchJob``s with ``create`` parameters; any iterable,
                read lazily a window at a time.
            concurrency: Requests in flight at once (creates and downloads).
            max_pending: Jobs on the server (created, not yet finished) at once.
            output_dir: Download each completed video here (``<id>.mp4``).
            manifest: A JSON-lines file of every job's key, id and outcome, appended as the
                batch goes; run the same batch with it again to resume.
            max_wait: Seconds to wait for each job once created; then it is ``timed_out``.
            poll_interval: The least wait between poll rounds.
            on_result: Called with each ``BatchResult`` as it settles; an exception it
                raises stops the batch.
            collect: ``False`` keeps no result: they reach ``on_result`` only and the
                call returns ``[]``, so memory stays flat however many jobs.

        Returns:
            One ``BatchResult`` per request, in order (``[]`` with ``collect=False``):
            ``completed``, ``failed``, ``timed_out`` (resume with ``poll(video_id)``) or
            ``error``.

        Raises:
            ValueError: ``concurrency`` or ``max_pending`` is below 1.
        """
        for name, value in (("concurrency", concurrency), ("max_pending", max_pending)):
            if value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        from .._batch import BatchRun
        from .._batching import arun_batch

        run = BatchRun(
            self._engine.config,
            manifest=manifest,
            output_dir=output_dir,
            max_wait=max_wait,
            poll_interval=poll_interval,
        )
        return await arun_batch(
            self._engine,
            run,
            requests,
            concurrency=concurrency,
            max_pending=max_pending,
            on_result=on_result,
            collect=collect,
        )
