"""Downloaded media: stream it, read it, or write it to a file that is never left half-done."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import TracebackType

import httpx
from typing_extensions import Self

from ._download import ProgressCallback, byte_count
from ._engine import AsyncEngine, Engine
from ._exceptions import IncompleteDownloadError
from ._request import RequestSpec
from ._response import connection_error
from ._types import RequestOptions

__all__ = ["AsyncVideoContent", "VideoContent"]

DEFAULT_CHUNK_SIZE = 1024 * 1024


class _Content:
    def __init__(
        self, response: httpx.Response, spec: RequestSpec, options: RequestOptions
    ) -> None:
        self.response = response
        self._spec = spec
        self._options = options

    @property
    def content_type(self) -> str:
        """The media type the server sent, e.g. ``video/mp4``."""
        content_type: str = self.response.headers.get("content-type", "application/octet-stream")
        return content_type

    @property
    def content_length(self) -> int | None:
        """The announced size in bytes, if the server sent ``Content-Length``."""
        return byte_count(self.response.headers.get("content-length"))

    def _cut(self, exc: httpx.TransportError) -> Exception:
        expected = self.content_length
        if expected is None:
            return connection_error(exc, self.response.request, None)
        return IncompleteDownloadError(
            expected=expected,
            received=self.response.num_bytes_downloaded,
            request=self.response.request,
        )

    def _checked(self, received: int) -> None:
        expected = self.content_length
        if expected is not None and received != expected:
            raise IncompleteDownloadError(
                expected=expected, received=received, request=self.response.request
            )

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.content_type}, {self.content_length} bytes "
            f"from {self.response.request.url.path}>"
        )


class VideoContent(_Content):
    """A download whose headers have arrived; the body is read as you consume it.

    Consuming methods (``read``, ``write_to_file``, a finished ``iter_bytes``) close it.
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        engine: Engine,
        spec: RequestSpec,
        options: RequestOptions,
    ) -> None:
        super().__init__(response, spec, options)
        self._engine = engine

    def iter_bytes(self, chunk_size: int | None = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        """The body in chunks, never held whole in memory.

        Raises:
            IncompleteDownloadError: The body ended short of ``Content-Length``.
            APIConnectionError: The connection failed and the length was unknown.
        """
        received = 0
        try:
            for chunk in self.response.iter_bytes(chunk_size):
                received += len(chunk)
                yield chunk
        except httpx.TransportError as exc:
            raise self._cut(exc) from exc
        finally:
            self.response.close()
        self._checked(received)

    def read(self) -> bytes:
        """The whole body (fine for thumbnails; prefer ``write_to_file`` for videos)."""
        return b"".join(self.iter_bytes())

    def write_to_file(
        self, path: str | os.PathLike[str], *, on_progress: ProgressCallback | None = None
    ) -> Path:
        """Stream the body into ``path``, replacing it only once the download is complete.

        A cut connection is resumed with a ``Range`` request (within ``max_retries``).

        Args:
            path: Where the file goes. A failed download leaves nothing there.
            on_progress: Called as ``on_progress(bytes_done, bytes_total)`` as bytes arrive.

        Returns:
            The path written.

        Raises:
            IncompleteDownloadError: The body stayed short of ``Content-Length``.
        """
        try:
            return self._engine.download(
                self._spec, self._options, path, response=self.response, on_progress=on_progress
            )
        finally:
            self.response.close()

    def close(self) -> None:
        """Release the connection without reading the rest."""
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncVideoContent(_Content):
    """A download whose headers have arrived; the body is read as you consume it.

    Consuming methods (``read``, ``write_to_file``, a finished ``iter_bytes``) close it.
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        engine: AsyncEngine,
        spec: RequestSpec,
        options: RequestOptions,
    ) -> None:
        super().__init__(response, spec, options)
        self._engine = engine

    async def iter_bytes(self, chunk_size: int | None = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """The body in chunks, never held whole in memory.

        Raises:
            IncompleteDownloadError: The body ended short of ``Content-Length``.
            APIConnectionError: The connection failed and the length was unknown.
        """
        received = 0
        try:
            async for chunk in self.response.aiter_bytes(chunk_size):
                received += len(chunk)
                yield chunk
        except httpx.TransportError as exc:
            raise self._cut(exc) from exc
        finally:
            await self.response.aclose()
        self._checked(received)

    async def read(self) -> bytes:
        """The whole body (fine for thumbnails; prefer ``write_to_file`` for videos)."""
        return b"".join([chunk async for chunk in self.iter_bytes()])

    async def write_to_file(
        self, path: str | os.PathLike[str], *, on_progress: ProgressCallback | None = None
    ) -> Path:
        """Stream the body into ``path``, replacing it only once the download is complete.

        A cut connection is resumed with a ``Range`` request (within ``max_retries``).

        Args:
            path: Where the file goes. A failed download leaves nothing there.
            on_progress: Called as ``on_progress(bytes_done, bytes_total)`` as bytes arrive.

        Returns:
            The path written.

        Raises:
            IncompleteDownloadError: The body stayed short of ``Content-Length``.
        """
        try:
            return await self._engine.download(
                self._spec, self._options, path, response=self.response, on_progress=on_progress
            )
        finally:
            await self.response.aclose()

    async def close(self) -> None:
        """Release the connection without reading the rest."""
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
