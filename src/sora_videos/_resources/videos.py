"""``client.videos``: every Videos API operation, plus polling, on a sync client."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import httpx
from typing_extensions import Unpack

from .. import _operations as ops
from .._content import VideoContent
from .._download import ProgressCallback
from .._engine import Engine
from .._flow import send_flow
from .._models import Video, VideoCharacter, VideoDeleted
from .._pagination import CursorPage
from .._poll import DEFAULT_MAX_WAIT, poll_flow
from .._raw import RawResponse, sync_raw
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

__all__ = ["Videos", "VideosWithRawResponse"]

T = TypeVar("T")


class Videos:
    """Create, list, poll and download videos (``client.videos``)."""

    def __init__(self, engine: Engine, *, raw: bool = False) -> None:
        self._engine = engine
        self._raw = raw

    @property
    def with_raw_response(self) -> VideosWithRawResponse:
        """The same methods, returning a ``RawResponse`` with headers next to ``.parse()``."""
        return VideosWithRawResponse(Videos(self._engine, raw=True))

    def _call(
        self, spec: RequestSpec, parse: Callable[[httpx.Response], T], options: RequestOptions
    ) -> T:
        response = self._engine.run(send_flow(self._engine.config, spec, options))
        return cast(T, RawResponse(response, parse)) if self._raw else parse(response)

    def create(
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
        return self._call(spec, _parse.video, options)

    def remix(
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
        return self._call(spec, _parse.video, options)

    def edit(
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
        return self._call(spec, _parse.video, options)

    def extend(
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
        return self._call(spec, _parse.video, options)

    def list(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> CursorPage[Video]:
        """List videos, newest first unless ``order="asc"``.

        The first page is fetched now; iterating the result fetches the rest as needed.

        Args:
            after: Start after this video id.
            limit: Page size, 0 to 100.
            order: ``"asc"`` or ``"desc"``.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            The first page; ``for video in page`` walks every page.
        """
        spec = ops.list_page(after=after, limit=limit, order=order)

        def fetch(cursor: str) -> CursorPage[Video]:
            return Videos(self._engine).list(after=cursor, limit=limit, order=order, **options)

        def parse(response: httpx.Response) -> CursorPage[Video]:
            return CursorPage(_parse.video_list(response), after=after, fetch=fetch)

        return self._call(spec, parse, options)

    def retrieve(self, video_id: str, **options: Unpack[RequestOptions]) -> Video:
        """Fetch a job's current state.

        Raises:
            NotFoundError: No such video (or it was deleted).
        """
        return self._call(ops.retrieve(video_id), _parse.video, options)

    def delete(self, video_id: str, **options: Unpack[RequestOptions]) -> VideoDeleted:
        """Delete a completed or failed video and its assets.

        Raises:
            NotFoundError: No such video.
        """
        return self._call(ops.delete(video_id), _parse.deleted, options)

    def download_content(
        self,
        video_id: str,
        *,
        variant: VideoVariant = "video",
        **options: Unpack[RequestOptions],
    ) -> VideoContent:
        """Start downloading a finished job's media; returns once the headers arrive.

        Args:
            video_id: The completed video.
            variant: ``"video"`` (MP4), ``"thumbnail"`` (WebP) or ``"spritesheet"``.
            **options: ``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            A ``VideoContent`` to stream, read or ``write_to_file``; close it if unread.

        Raises:
            NotFoundError: No such video, or its assets expired.
        """
        spec = ops.content(video_id, variant=variant)

        def parse(response: httpx.Response) -> VideoContent:
            return VideoContent(response, engine=self._engine, spec=spec, options=options)

        return self._call(spec, parse, options)

    def download(
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
        return self._engine.download(spec, options, path, on_progress=on_progress)

    def download_all(
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
            variant: self.download(
                video_id, folder / ops.media_filename(video_id, variant), variant=variant, **options
            )
            for variant in ops.VARIANTS
        }

    def create_character(
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
        return self._call(spec, _parse.character, options)

    def get_character(self, character_id: str, **options: Unpack[RequestOptions]) -> VideoCharacter:
        """Fetch a character.

        Raises:
            NotFoundError: No such character.
        """
        return self._call(ops.character_get(character_id), _parse.character, options)

    def poll(
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
        return self._engine.run(flow)

    def create_and_poll(
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
        video = self.create(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            idempotency_key=idempotency_key,
            **options,
        )
        return self.poll(
            video.id,
            max_wait=max_wait,
            poll_interval=poll_interval,
            on_progress=on_progress,
            **options,
        )

    def remix_and_poll(
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
        video = self.remix(video_id, prompt=prompt, idempotency_key=idempotency_key, **options)
        return self.poll(
            video.id,
            max_wait=max_wait,
            poll_interval=poll_interval,
            on_progress=on_progress,
            **options,
        )


class VideosWithRawResponse:
    """``client.videos.with_raw_response``: each request method returns a ``RawResponse``."""

    def __init__(self, videos: Videos) -> None:
        self.create = sync_raw(videos.create)
        self.remix = sync_raw(videos.remix)
        self.edit = sync_raw(videos.edit)
        self.extend = sync_raw(videos.extend)
        self.list = sync_raw(videos.list)
        self.retrieve = sync_raw(videos.retrieve)
        self.delete = sync_raw(videos.delete)
        self.download_content = sync_raw(videos.download_content)
        self.create_character = sync_raw(videos.create_character)
        self.get_character = sync_raw(videos.get_character)
