"""Downloaded media on an async client: stream it, read it, or write it to a file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import httpx
from typing_extensions import Self

from .._content import DEFAULT_CHUNK_SIZE, AsyncContentBase
from .._download import download_flow
from .._request import RequestSpec
from .._steps import ProgressCallback
from .._types import RequestOptions

if TYPE_CHECKING:
    from .._engine import AsyncEngine

__all__ = ["AsyncVideoContent"]


class AsyncVideoContent(AsyncContentBase):
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
            APIResponseValidationError: The body is not in its ``Content-Encoding``.
        """
        received = 0
        try:
            async for chunk in self.response.aiter_bytes(chunk_size):
                received += len(chunk)
                yield chunk
        except httpx.TransportError as exc:
            raise self._cut(exc) from exc
        except httpx.DecodingError as exc:
            raise self._undecodable(exc) from exc
        finally:
            await self.response.aclose()
        self._checked(received)

    async def read(self) -> bytes:
        """The whole body (fine for thumbnails; prefer ``write_to_file`` for videos)."""
        if self._body is None:
            self._body = b"".join([chunk async for chunk in self.iter_bytes()])
        return self._body

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
        flow = download_flow(
            self._engine.config,
            self._spec,
            self._options,
            path,
            response=self.response,
            on_progress=on_progress,
        )
        try:
            return await self._engine.run(flow)
        finally:
            await self.response.aclose()

    async def stream_to_file(
        self, path: str | os.PathLike[str], *, on_progress: ProgressCallback | None = None
    ) -> Path:
        """``write_to_file``, by the name openai's SDK uses."""
        return await self.write_to_file(path, on_progress=on_progress)

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
