"""``videos.with_raw_response`` and ``videos.with_streaming_response`` on an async client.

``AsyncVideosWithRawResponse`` is the one path every request method takes: it sends the
request and returns a ``RawResponse``; the plain methods return its ``.parse()``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING

import httpx
from typing_extensions import Unpack

from .. import _operations as ops
from .. import _parse
from .._models import Video, VideoCharacter, VideoDeleted
from .._pagination import PageRequest
from .._raw import RawResponse
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
from .pagination import AsyncCursorPage

if TYPE_CHECKING:
    from .._engine import AsyncEngine
    from .endpoints import AsyncVideoEndpoints

__all__ = ["AsyncVideosWithRawResponse", "AsyncVideosWithStreamingResponse"]


class AsyncVideosWithRawResponse:
    """``client.videos.with_raw_response``: each request method returns a ``RawResponse``
    (status, headers, ``request_id``) whose ``parse()`` is what the plain method returns.
    The arguments are the plain method's."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

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
    ) -> RawResponse[Video]:
        """``create``, unparsed."""
        spec = ops.create(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            idempotency_key=idempotency_key,
        )
        return await self._engine.request(spec, _parse.video, options)

    async def remix(
        self,
        video_id: str,
        *,
        prompt: str,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Video]:
        """``remix``, unparsed."""
        spec = ops.remix(video_id, prompt=prompt, idempotency_key=idempotency_key)
        return await self._engine.request(spec, _parse.video, options)

    async def edit(
        self,
        *,
        prompt: str,
        video: VideoInput | Video,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Video]:
        """``edit``, unparsed."""
        spec = ops.edit(prompt=prompt, video=video, idempotency_key=idempotency_key)
        return await self._engine.request(spec, _parse.video, options)

    async def extend(
        self,
        *,
        prompt: str,
        seconds: VideoSeconds | int,
        video: VideoInput | Video,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Video]:
        """``extend``, unparsed."""
        spec = ops.extend(
            prompt=prompt, seconds=seconds, video=video, idempotency_key=idempotency_key
        )
        return await self._engine.request(spec, _parse.video, options)

    async def list(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[AsyncCursorPage[Video]]:
        """``list``'s first page, unparsed."""
        spec = ops.list_page(after=after, limit=limit, order=order)
        seen = frozenset([after] if after else [])
        request = PageRequest(spec, options, partial(_parse.video_list, limit=limit), seen)

        def parse(response: httpx.Response) -> AsyncCursorPage[Video]:
            return AsyncCursorPage(request.parse(response), engine=self._engine, request=request)

        return await self._engine.request(spec, parse, options)

    async def retrieve(
        self, video_id: str, **options: Unpack[RequestOptions]
    ) -> RawResponse[Video]:
        """``retrieve``, unparsed."""
        return await self._engine.request(ops.retrieve(video_id), _parse.video, options)

    async def delete(
        self, video_id: str, **options: Unpack[RequestOptions]
    ) -> RawResponse[VideoDeleted]:
        """``delete``, unparsed."""
        spec = ops.delete(video_id)

        def parse(response: httpx.Response) -> VideoDeleted:
            return _parse.deleted(response, video_id)

        return await self._engine.request(spec, parse, options)

    async def download_content(
        self,
        video_id: str,
        *,
        variant: VideoVariant = "video",
        **options: Unpack[RequestOptions],
    ) -> RawResponse[AsyncVideoContent]:
        """``download_content``, unparsed (the body is not read)."""
        spec = ops.content(video_id, variant=variant)

        def parse(response: httpx.Response) -> AsyncVideoContent:
            return AsyncVideoContent(response, engine=self._engine, spec=spec, options=options)

        return await self._engine.request(spec, parse, options)

    async def create_character(
        self,
        *,
        name: str,
        video: VideoInput,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[VideoCharacter]:
        """``create_character``, unparsed."""
        spec = ops.character_create(name=name, video=video, idempotency_key=idempotency_key)
        return await self._engine.request(spec, _parse.character, options)

    async def get_character(
        self, character_id: str, **options: Unpack[RequestOptions]
    ) -> RawResponse[VideoCharacter]:
        """``get_character``, unparsed."""
        spec = ops.character_get(character_id)
        return await self._engine.request(spec, _parse.character, options)


class AsyncVideosWithStreamingResponse:
    """``client.videos.with_streaming_response``: methods whose body you read yourself, as
    context managers that release the connection on exit."""

    def __init__(self, videos: AsyncVideoEndpoints) -> None:
        self._videos = videos

    @asynccontextmanager
    async def download_content(
        self,
        video_id: str,
        *,
        variant: VideoVariant = "video",
        **options: Unpack[RequestOptions],
    ) -> AsyncGenerator[AsyncVideoContent, None]:
        """``download_content`` as a context manager: ``iter_bytes()``, ``stream_to_file()``
        and ``read()`` inside, the connection released on exit."""
        content = await self._videos.download_content(video_id, variant=variant, **options)
        async with content:
            yield content
