"""The Videos API's endpoints, one request each, on an async client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing_extensions import Unpack

from .._models import Video, VideoCharacter, VideoDeleted
from .._pagination import AsyncPaginator  # unasync: from .pagination import CursorPage
from .._types import (
    InputReference,
    RequestOptions,
    VideoInput,
    VideoModel,
    VideoSeconds,
    VideoSize,
    VideoVariant,
)
from .content import AsyncVideoContent
from .raw import AsyncVideosWithRawResponse, AsyncVideosWithStreamingResponse

if TYPE_CHECKING:
    from .._engine import AsyncEngine

__all__ = ["AsyncVideoEndpoints"]


class AsyncVideoEndpoints:
    """Every endpoint of the Videos API; ``AsyncVideos`` adds the workflows on top.

    Every request method also takes the per-request options of ``RequestOptions``
    (``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``) as keyword arguments.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._raw = AsyncVideosWithRawResponse(engine)

    @property
    def with_raw_response(self) -> AsyncVideosWithRawResponse:
        """The same methods, returning a ``RawResponse`` with headers next to ``.parse()``."""
        return self._raw

    @property
    def with_streaming_response(self) -> AsyncVideosWithStreamingResponse:
        """``download_content`` as a context manager that releases the connection on exit."""
        return AsyncVideosWithStreamingResponse(self)

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

        Returns:
            The new job, usually ``queued``; see ``poll`` and ``create_and_poll``.

        Raises:
            BadRequestError: A parameter was rejected (see ``.param``).
            APIError: Any other failure; ``.idempotency_key`` names the key used.
        """
        raw = await self._raw.create(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            idempotency_key=idempotency_key,
            **options,
        )
        return raw.parse()

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

        Returns:
            The new job.
        """
        raw = await self._raw.remix(
            video_id, prompt=prompt, idempotency_key=idempotency_key, **options
        )
        return raw.parse()

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

        Returns:
            The new job.
        """
        raw = await self._raw.edit(
            prompt=prompt, video=video, idempotency_key=idempotency_key, **options
        )
        return raw.parse()

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

        Returns:
            The new job.
        """
        raw = await self._raw.extend(
            prompt=prompt,
            seconds=seconds,
            video=video,
            idempotency_key=idempotency_key,
            **options,
        )
        return raw.parse()

    def list(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Video]:
        """List videos, newest first unless ``order="asc"``.

        Args:
            after: Start after this video id.
            limit: Page size, 0 to 100.
            order: ``"asc"`` or ``"desc"``.

        Returns:
            Async: an ``AsyncPaginator``, awaitable (the first page) and async-iterable (every
            video). Sync: the first page, iterable for every video. Further pages are
            fetched as needed.

        Raises:
            PaginationError: The server sent a cursor it had sent before.
        """
        return self._engine.paginate(
            lambda: self._raw.list(after=after, limit=limit, order=order, **options)
        )

    async def retrieve(self, video_id: str, **options: Unpack[RequestOptions]) -> Video:
        """Fetch a job's current state.

        Raises:
            NotFoundError: No such video (or it was deleted).
        """
        return (await self._raw.retrieve(video_id, **options)).parse()

    async def delete(self, video_id: str, **options: Unpack[RequestOptions]) -> VideoDeleted:
        """Delete a completed or failed video and its assets.

        Raises:
            NotFoundError: No such video.
        """
        return (await self._raw.delete(video_id, **options)).parse()

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

        Returns:
            A ``VideoContent`` to stream, read or ``write_to_file``; close it if unread.

        Raises:
            NotFoundError: No such video, or its assets expired.
        """
        raw = await self._raw.download_content(video_id, variant=variant, **options)
        return raw.parse()

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
        """
        raw = await self._raw.create_character(
            name=name, video=video, idempotency_key=idempotency_key, **options
        )
        return raw.parse()

    async def get_character(
        self, character_id: str, **options: Unpack[RequestOptions]
    ) -> VideoCharacter:
        """Fetch a character.

        Raises:
            NotFoundError: No such character.
        """
        return (await self._raw.get_character(character_id, **options)).parse()
