"""The emulator's own request and response values: what every I/O shell turns into and out of."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import IO
from urllib.parse import parse_qsl

__all__ = [
    "JSON_BODY_LIMIT",
    "Body",
    "Disconnect",
    "Padding",
    "Request",
    "Response",
    "json_response",
]

CHUNK_SIZE = 64 * 1024
JSON_BODY_LIMIT = 4 * 1024 * 1024
"""The largest body accepted unless it is multipart (an upload); larger answers 413."""


@dataclass(frozen=True)
class Request:
    """One HTTP request, as the emulator's core sees it.

    Args:
        method: The HTTP method, upper case.
        path: The URL path, e.g. ``/v1/videos``.
        query_string: The raw query, without the ``?``.
        headers: Header names (lower case) and values.
        body: The whole request body, when small.
        spooled: A large body, spooled to a temporary file (then ``body`` is empty).
        oversize: The body was larger than the server accepts and was not read.
        raw_path: The path as sent, still percent-encoded (an id may hold an encoded ``/``);
            ``path`` when empty.
    """

    method: str
    path: str
    query_string: str = ""
    headers: Mapping[str, str] = field(default_factory=dict[str, str])
    body: bytes = b""
    spooled: IO[bytes] | None = field(default=None, repr=False)
    oversize: bool = False
    raw_path: str = ""

    @property
    def multipart(self) -> bool:
        """Whether the body is ``multipart/form-data``."""
        return (self.header("content-type") or "").startswith("multipart/form-data")

    @property
    def too_large(self) -> bool:
        """Whether a body that is not an upload exceeds ``JSON_BODY_LIMIT``."""
        if self.multipart:
            return False
        size = len(self.body)
        if self.spooled is not None:
            size = os.fstat(self.spooled.fileno()).st_size
        return self.oversize or size > JSON_BODY_LIMIT

    @property
    def query(self) -> dict[str, str]:
        """The query parameters; the last value wins when a name repeats."""
        return dict(parse_qsl(self.query_string, keep_blank_values=True))

    def header(self, name: str) -> str | None:
        """Return a header's value, or ``None``."""
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Padding:
    """``size`` zero bytes that are generated while streaming, never held in memory."""

    size: int


@dataclass(frozen=True)
class Body:
    """A response body made of byte strings and generated padding, streamed lazily.

    ``window`` narrows it to the bytes ``start`` to ``stop`` (exclusive) of the segments.
    """

    segments: Sequence[bytes | Padding] = ()
    window: tuple[int, int] | None = None

    @property
    def length(self) -> int:
        """The body's size in bytes."""
        start, stop = self._span()
        return stop - start

    def _span(self) -> tuple[int, int]:
        if self.window is not None:
            return self.window
        return 0, sum(s.size if isinstance(s, Padding) else len(s) for s in self.segments)

    def slice(self, start: int, stop: int) -> Body:
        """Return the bytes ``start`` to ``stop`` (exclusive) of this body, still lazy."""
        base = self._span()[0]
        return Body(self.segments, (base + start, base + stop))

    def chunks(self) -> Iterator[bytes]:
        """Yield the body in chunks of at most 64 KiB."""
        start, stop = self._span()
        offset = 0
        for segment in self.segments:
            size = segment.size if isinstance(segment, Padding) else len(segment)
            for at in range(max(start, offset), min(stop, offset + size), CHUNK_SIZE):
                end = min(stop, offset + size, at + CHUNK_SIZE)
                if isinstance(segment, Padding):
                    yield bytes(end - at)
                else:
                    yield segment[at - offset : end - offset]
            offset += size

    def read(self) -> bytes:
        """Return the whole body at once (only for small bodies)."""
        return b"".join(self.chunks())


@dataclass(frozen=True)
class Disconnect:
    """Tells the I/O shell to drop the connection.

    ``after_bytes=None`` drops before any part of the answer is sent; a number sends the status
    line, the headers and that many body bytes first.
    """

    after_bytes: int | None = None


@dataclass(frozen=True)
class Response:
    """One HTTP answer, plus directions for the I/O shell (a delay, a dropped connection)."""

    status: int
    headers: Sequence[tuple[str, str]] = ()
    body: Body = Body()
    delay: float = 0.0
    disconnect: Disconnect | None = None

    def header(self, name: str) -> str | None:
        """Return the first value of a header, or ``None``."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def with_headers(self, *extra: tuple[str, str]) -> Response:
        """Return a copy with ``extra`` headers added (or replaced)."""
        names = {k.lower() for k, _ in extra}
        kept = [(k, v) for k, v in self.headers if k.lower() not in names]
        return replace(self, headers=[*kept, *extra])

    def json(self) -> object:
        """Decode the body as JSON."""
        return json.loads(self.body.read())


def json_response(status: int, payload: object, *extra: tuple[str, str]) -> Response:
    """Build a JSON answer with ``Content-Type`` and ``Content-Length``."""
    data = json.dumps(payload).encode()
    headers = [("content-type", "application/json"), ("content-length", str(len(data))), *extra]
    return Response(status, headers, Body((data,)))
