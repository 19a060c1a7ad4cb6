"""What the sync and async ``VideoContent`` share: headers, byte counts, and ``content``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from ._download import byte_count, is_encoded
from ._exceptions import IncompleteDownloadError, SoraError
from ._request import RequestSpec
from ._response import connection_error, unreadable_body_error
from ._types import RequestOptions

__all__ = ["AsyncContentBase", "ContentBase", "SyncContentBase"]

DEFAULT_CHUNK_SIZE = 1024 * 1024


class ContentBase:
    """A download whose headers have arrived."""

    def __init__(
        self, response: httpx.Response, spec: RequestSpec, options: RequestOptions
    ) -> None:
        self.response = response
        self._spec = spec
        self._options = options
        self._body: bytes | None = None

    @property
    def content_type(self) -> str:
        """The media type the server sent, e.g. ``video/mp4``."""
        content_type: str = self.response.headers.get("content-type", "application/octet-stream")
        return content_type

    @property
    def content_length(self) -> int | None:
        """The announced size in bytes, if the server sent ``Content-Length``."""
        return byte_count(self.response.headers.get("content-length"))

    def _text(self, body: bytes) -> str:
        return body.decode(self.response.charset_encoding or "utf-8", errors="replace")

    def _cut(self, exc: httpx.TransportError) -> Exception:
        expected = self.content_length
        if expected is None:
            return connection_error(exc, self.response.request, None)
        return IncompleteDownloadError(
            expected=expected,
            received=self.response.num_bytes_downloaded,
            request=self.response.request,
        )

    def _undecodable(self, exc: httpx.DecodingError) -> Exception:
        key = self.response.request.headers.get("idempotency-key")
        return unreadable_body_error(self.response, "undecodable", 0, key)

    def _checked(self, received: int) -> None:
        # Content-Length counts the bytes as sent: compressed ones, if the server compressed
        # although identity was asked.
        expected = self.content_length
        if is_encoded(self.response):
            received = self.response.num_bytes_downloaded
        if expected is not None and received != expected:
            raise IncompleteDownloadError(
                expected=expected, received=received, request=self.response.request
            )

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.content_type}, {self.content_length} bytes "
            f"from {self.response.request.url.path}>"
        )


class SyncContentBase(ContentBase):
    """``content`` and ``text`` read the body on first use, as openai's do."""

    if TYPE_CHECKING:

        def read(self) -> bytes: ...  # VideoContent's (generated)

    @property
    def content(self) -> bytes:
        """The whole body (read now if it was not yet)."""
        return self.read()

    @property
    def text(self) -> str:
        """The whole body as text."""
        return self._text(self.read())


class AsyncContentBase(ContentBase):
    """``content`` and ``text`` give the body once ``await read()`` has read it."""

    @property
    def content(self) -> bytes:
        """The whole body, once ``await read()`` has read it.

        Raises:
            SoraError: The body was not read yet.
        """
        if self._body is None:
            raise SoraError("the body is not read yet: call `await content.read()` first")
        return self._body

    @property
    def text(self) -> str:
        """The whole body as text, once ``await read()`` has read it."""
        return self._text(self.content)
