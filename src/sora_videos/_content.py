"""Downloaded media: stream it, read it, or write it to a file that is never left half-done."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from types import TracebackType

import anyio.to_thread
import httpx
from typing_extensions import Self

from ._exceptions import IncompleteDownloadError
from ._response import connection_error

__all__ = ["AsyncVideoContent", "ProgressCallback", "VideoContent"]

DEFAULT_CHUNK_SIZE = 1024 * 1024
ProgressCallback = Callable[[int, "int | None"], object]
"""``on_progress(bytes_done, bytes_total)``; ``bytes_total`` is ``None`` when unknown."""


class PartialFile:
    """A temporary file beside the target, renamed over it only once complete."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.target = Path(path)
        fd, temp = tempfile.mkstemp(
            dir=self.target.parent, prefix=f".{self.target.name}.", suffix=".part"
        )
        self.temp = Path(temp)
        self._file = os.fdopen(fd, "wb")
        self.written = 0

    def write(self, chunk: bytes) -> None:
        """Append a chunk."""
        self._file.write(chunk)
        self.written += len(chunk)

    def commit(self, expected: int | None) -> Path:
        """Check the byte count and move the file into place.

        Raises:
            IncompleteDownloadError: The count differs from ``expected``.
        """
        self._file.close()
        if expected is not None and self.written != expected:
            raise IncompleteDownloadError(expected=expected, received=self.written)
        os.replace(self.temp, self.target)
        return self.target

    def discard(self) -> None:
        """Remove the temporary file; the target is untouched."""
        self._file.close()
        self.temp.unlink(missing_ok=True)


class _Content:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def content_type(self) -> str:
        """The media type the server sent, e.g. ``video/mp4``."""
        content_type: str = self.response.headers.get("content-type", "application/octet-stream")
        return content_type

    @property
    def content_length(self) -> int | None:
        """The announced size in bytes, if the server sent ``Content-Length``."""
        value = self.response.headers.get("content-length")
        return int(value) if value is not None and value.isdigit() else None

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

        Args:
            path: Where the file goes. A failed download leaves nothing there.
            on_progress: Called as ``on_progress(bytes_done, bytes_total)`` after each chunk.

        Returns:
            The path written.

        Raises:
            IncompleteDownloadError: Fewer (or more) bytes than ``Content-Length`` arrived.
        """
        partial = PartialFile(path)
        try:
            for chunk in self.iter_bytes():
                partial.write(chunk)
                if on_progress is not None:
                    on_progress(partial.written, self.content_length)
            return partial.commit(self.content_length)
        finally:
            partial.discard()

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
        self,
        path: str | os.PathLike[str],
        *,
        on_progress: Callable[[int, int | None], object | Awaitable[object]] | None = None,
    ) -> Path:
        """Stream the body into ``path``, replacing it only once the download is complete.

        Args:
            path: Where the file goes. A failed download leaves nothing there.
            on_progress: Called as ``on_progress(bytes_done, bytes_total)`` after each chunk.

        Returns:
            The path written.

        Raises:
            IncompleteDownloadError: Fewer (or more) bytes than ``Content-Length`` arrived.
        """
        partial = await anyio.to_thread.run_sync(PartialFile, path)
        try:
            async for chunk in self.iter_bytes():
                await anyio.to_thread.run_sync(partial.write, chunk)
                if on_progress is not None:
                    result = on_progress(partial.written, self.content_length)
                    if isinstance(result, Awaitable):
                        await result
            return partial.commit(self.content_length)
        finally:
            partial.discard()

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
