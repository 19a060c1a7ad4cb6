"""``client.videos``: every Videos API operation, plus polling, on an async client."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import httpx
from typing_extensions import Unpack

from .. import _operations as ops
from .._content import AsyncVideoContent
from .._download import ProgressCallback
from .._engine import AsyncEngine
from .._flow import send_flow
from .._models import Video, VideoCharacter, VideoDeleted
from .._pagination import AsyncCursorPage, AsyncPaginator
from .._poll import DEFAULT_MAX_WAIT, poll_flow
from .._raw import RawResponse, async_raw
from .._request import RequestSpec
from .._types import (
    InputReference,
    RequestOptions,
    VideoInput,
    VideoModel,
    VideoSeconds,
    VideoSize,
    VideoVariant,
)
from . import _parse

__all__ = ["AsyncVideos", "AsyncVideosWithRawResponse"]

T = TypeVar("T")


class AsyncVideos:
    """Create, list, poll and download videos (``client.videos``)."""

    def __init__(self, engine: AsyncEngine, *, raw: bool = False) -> None:
        self._engine = engine
        self._raw = raw

    @property
    def with_raw_response(self) -> AsyncVideosWithRawResponse:
        """The same methods, returning a ``RawResponse`` with headers next to ``.parse()``."""
        return AsyncVideosWithRawResponse(AsyncVideos(self._engine, raw=True))

    async def _call(
        self, spec: RequestSpec, parse: Callable[[httpx.Response], T], options: RequestOptions
    ) -> T:
        response = await self._engine.run(send_flow(self._engine.config, spec, options))
        return cast(T, RawResponse(response, parse)) if self._raw else parse(response)

    async def create(
        self,
        *,
        prompt: str,
        model: VideoModel | None = None,
        seconds: VideoSeconds | int | None = None,
        size: VideoSize | None = None,
        input_reference: InputReference | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Video:
        """Start a video generation job.

        Args:
            prompt: What the video shows.
            model: e.g. ``"sora-2"`` (the server's default if left out).
            seconds: Clip length, e.g. ``4``, ``8`` or ``12``.
            size: ``"WIDTHxHEIGHT"``, e.g. ``"1280x720"``.
            input_reference: An image to start from: a file (path, bytes, file object or
                tuple), uploaded as multipart, or ``{"image_url": ...}`` / ``{"file_id": ...}``.
            idempotency_key: Replaying a key never creates a second job; one is made up
                (and kept across retries) when left out.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            The new job, usually ``queued``; see ``poll`` and ``create_and_poll``.

        Raises:
            BadRequestError: A parameter was rejected (see ``.param``).
            APIError: Any other failure; ``.idempotency_key`` names the key used.
        """
        spec = ops.create(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            idempotency_key=idempotency_key,
        )
        return await self._call(spec, _parse.video, options)

    async def remix(
        self,
        video_id: str,
        *,
        prompt: str,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Video:
        """Start a job that remixes a completed video with a new prompt.

        Args:
            video_id: The completed video.
            prompt: How the remix differs.
            idempotency_key: As for ``create``.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            The new job.
        """
        spec = ops.remix(video_id, prompt=prompt, idempotency_key=idempotency_key)
        return await self._call(spec, _parse.video, options)

    async def edit(
        self,
        *,
        prompt: str,
        video: VideoInput | Video,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Video:
        """Start a job that edits a video.

        Args:
            prompt: How to edit it.
            video: A completed video (``Video`` or ``{"id": ...}``) or a video file to upload.
            idempotency_key: As for ``create``.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            The new job.
        """
        spec = ops.edit(prompt=prompt, video=video, idempotency_key=idempotency_key)
        return await self._call(spec, _parse.video, options)

    async def extend(
        self,
        *,
        prompt: str,
        seconds: VideoSeconds | int,
        video: VideoInput | Video,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Video:
        """Start a job that continues a video.

        Args:
            prompt: What happens next.
            seconds: Length of the new segment; the result's ``seconds`` is the total.
            video: A completed video (``Video`` or ``{"id": ...}``) or a video file to upload.
            idempotency_key: As for ``create``.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            The new job.
        """
        spec = ops.extend(
            prompt=prompt, seconds=seconds, video=video, idempotency_key=idempotency_key
        )
        return await self._call(spec, _parse.video, options)

    def list(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Video]:
        """List videos, newest first unless ``order="asc"``.

        ``await`` the result for the first page, or ``async for`` over it for every video of
        every page, fetched as needed.

        Args:
            after: Start after this video id.
            limit: Page size, 0 to 100.
            order: ``"asc"`` or ``"desc"``.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            An ``AsyncPaginator``: awaitable (first page) and async-iterable (every video).
        """
        spec = ops.list_page(after=after, limit=limit, order=order)

        async def fetch(cursor: str) -> AsyncCursorPage[Video]:
            return await AsyncVideos(self._engine).list(
                after=cursor, limit=limit, order=order, **options
            )

        def parse(response: httpx.Response) -> AsyncCursorPage[Video]:
            return AsyncCursorPage(_parse.video_list(response), after=after, fetch=fetch)

        return AsyncPaginator(lambda: self._call(spec, parse, options))

    async def retrieve(self, video_id: str, **options: Unpack[RequestOptions]) -> Video:
        """Fetch a job's current state.

        Raises:
            NotFoundError: No such video (or it was deleted).
        """
        return await self._call(ops.retrieve(video_id), _parse.video, options)

    async def delete(self, video_id: str, **options: Unpack[RequestOptions]) -> VideoDeleted:
        """Delete a completed or failed video and its assets.

        Raises:
            NotFoundError: No such video.
        """
        return await self._call(ops.delete(video_id), _parse.deleted, options)

    async def download_content(
        self,
        video_id: str,
        *,
        variant: VideoVariant = "video",
        **options: Unpack[RequestOptions],
    ) -> AsyncVideoContent:
        """Start downloading a finished job's media; returns once the headers arrive.

        Args:
            video_id: The completed video.
            variant: ``"video"`` (MP4), ``"thumbnail"`` (WebP) or ``"spritesheet"``.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            An ``AsyncVideoContent`` to stream, read or ``write_to_file``; close it if unread.

        Raises:
            NotFoundError: No such video, or its assets expired.
        """
        spec = ops.content(video_id, variant=variant)

        def parse(response: httpx.Response) -> AsyncVideoContent:
            return AsyncVideoContent(response, engine=self._engine, spec=spec, options=options)

        return await self._call(spec, parse, options)

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
            path: Where the file goes. A failed download leaves nothing there.
            variant: ``"video"`` (MP4), ``"thumbnail"`` (WebP) or ``"spritesheet"``.
            on_progress: Called as ``on_progress(bytes_done, bytes_total)`` as bytes arrive.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            The path written.

        Raises:
            NotFoundError: No such video, or its assets expired.
            IncompleteDownloadError: The body stayed short after every resume.
        """
        spec = ops.content(video_id, variant=variant)
        return await self._engine.download(spec, options, path, on_progress=on_progress)

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

    async def create_character(
        self,
        *,
        name: str,
        video: VideoInput,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> VideoCharacter:
        """Create a character from an uploaded video.

        Args:
            name: Display name, 1 to 80 characters.
            video: The video file to upload.
            idempotency_key: As for ``create``.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        spec = ops.character_create(name=name, video=video, idempotency_key=idempotency_key)
        return await self._call(spec, _parse.character, options)

    async def get_character(
        self, character_id: str, **options: Unpack[RequestOptions]
    ) -> VideoCharacter:
        """Fetch a character.

        Raises:
            NotFoundError: No such character.
        """
        return await self._call(ops.character_get(character_id), _parse.character, options)

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
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

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


class AsyncVideosWithRawResponse:
    """``client.videos.with_raw_response``: each request method returns a ``RawResponse``."""

    def __init__(self, videos: AsyncVideos) -> None:
        self.create = async_raw(videos.create)
        self.remix = async_raw(videos.remix)
        self.edit = async_raw(videos.edit)
        self.extend = async_raw(videos.extend)
        self.list = async_raw(videos.list)
        self.retrieve = async_raw(videos.retrieve)
        self.delete = async_raw(videos.delete)
        self.download_content = async_raw(videos.download_content)
        self.create_character = async_raw(videos.create_character)
        self.get_character = async_raw(videos.get_character)
