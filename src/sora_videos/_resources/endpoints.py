"""The Videos API's endpoints, one request each, on a sync client."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import httpx
from typing_extensions import Unpack

from .. import _operations as ops
from .._content import VideoContent
from .._engine import Engine
from .._flow import send_flow
from .._models import Video, VideoCharacter, VideoDeleted
from .._pagination import CursorPage
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

__all__ = ["VideoEndpoints", "VideosWithRawResponse"]

T = TypeVar("T")


class VideoEndpoints:
    """Every endpoint of the Videos API; ``Videos`` adds the workflows on top."""

    def __init__(self, engine: Engine, *, raw: bool = False) -> None:
        self._engine = engine
        self._raw = raw

    @property
    def with_raw_response(self) -> VideosWithRawResponse:
        """The same methods, returning a ``RawResponse`` with headers next to ``.parse()``."""
        return VideosWithRawResponse(VideoEndpoints(self._engine, raw=True))

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
            return VideoEndpoints(self._engine).list(
                after=cursor, limit=limit, order=order, **options
            )

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


class VideosWithRawResponse:
    """``client.videos.with_raw_response``: each request method returns a ``RawResponse``."""

    def __init__(self, videos: VideoEndpoints) -> None:
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
