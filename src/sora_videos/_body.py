"""Reading a JSON or error body with a cap on its decoded size, and under a deadline.

A small compressed answer can decode to gigabytes (a "gzip bomb"): bodies are decoded here a
bounded piece at a time, and reading stops as soon as the decoded size passes the cap. The
drivers in ``_engine.py`` call these; the flows only see the outcome (``BodyState``).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable
from typing import Literal, TypeAlias

import httpx

__all__ = [
    "BodyState",
    "Decoder",
    "already_read",
    "async_read_body",
    "read_body",
    "too_late",
]

OUTLASTED = "the request outlasted its timeout (a total for the request, not per read)"

BodyState: TypeAlias = Literal["complete", "too_large", "undecodable"]
"""How reading a body ended: whole, cut at the cap, or not decodable."""


class Decoder:
    """Decodes a body's ``Content-Encoding`` (gzip or deflate) without ever producing more
    than asked; other encodings are left to httpx (``handles`` is then false)."""

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        self.handles = len(codings) <= 1 and (not codings or codings[0] in _WBITS)
        self._coding = codings[0] if codings else None
        self._zlib = (
            zlib.decompressobj(_WBITS[self._coding]) if self.handles and self._coding else None
        )
        self._first = True

    def decode(self, data: bytes, room: int) -> bytes:
        """At most ``room`` decoded bytes from ``data`` (the rest of it is kept for later).

        Raises:
            zlib.error: The body is not in the encoding it claims.
        """
        if self._zlib is None:
            return data[:room]
        try:
            out = self._zlib.decompress(self._zlib.unconsumed_tail + data, room)
        except zlib.error:
            if not (self._first and self._coding == "deflate"):
                raise
            # Some servers send raw deflate although the name means zlib-wrapped.
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._zlib.decompress(data, room)
        self._first = False
        return out

    @property
    def pending(self) -> bool:
        """Whether input is left over that ``decode(b"", room)`` would turn into output."""
        return self._zlib is not None and bool(self._zlib.unconsumed_tail)


_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class _Collector:
    """Gathers decoded bytes up to ``limit``; ``state`` says how it ended."""

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self.decoder = Decoder(response.headers.get("content-encoding", ""))
        self.limit = limit
        self.body = bytearray()
        self.state: BodyState = "complete"

    def add(self, chunk: bytes, *, decoded: bool) -> bool:
        """Take one chunk; false once reading should stop."""
        try:
            while True:
                room = self.limit + 1 - len(self.body)
                self.body += chunk if decoded else self.decoder.decode(chunk, room)
                chunk = b""
                if len(self.body) > self.limit:
                    self.state = "too_large"
                    return False
                if decoded or not self.decoder.pending:
                    return True
        except zlib.error:
            self.state = "undecodable"
            return False

    def finish(self, response: httpx.Response) -> BodyState:
        # The body stays readable as ``response.content`` for the parsers (httpx's own
        # ``read()`` sets the same attribute); a body over the cap is dropped.
        response._content = bytes(self.body) if self.state == "complete" else b""  # pyright: ignore[reportPrivateUsage]
        self.body.clear()
        return self.state


def _chunks(response: httpx.Response, decoder: Decoder) -> Iterable[bytes]:
    return response.iter_raw() if decoder.handles else response.iter_bytes()


def already_read(response: httpx.Response, limit: int) -> BodyState | None:
    """The state of a body already in memory (an in-memory transport's), else ``None``."""
    if not response.is_stream_consumed:
        return None
    if len(response.content) > limit:
        response._content = b""  # pyright: ignore[reportPrivateUsage]
        return "too_large"
    return "complete"


def read_body(response: httpx.Response, limit: int, deadline: float | None) -> BodyState:
    """Read a sync response's body into ``response.content``, up to ``limit`` decoded bytes.

    Raises:
        httpx.ReadTimeout: ``deadline`` (a ``time.monotonic()`` value) passed first.
        httpx.TransportError: The connection failed.
    """
    done = already_read(response, limit)
    if done is not None:
        return done
    collector = _Collector(response, limit)
    try:
        for chunk in _chunks(response, collector.decoder):
            if too_late(deadline):
                raise httpx.ReadTimeout(
                    "the request outlasted its timeout", request=response.request
                )
            if not collector.add(chunk, decoded=not collector.decoder.handles):
                break
    except httpx.DecodingError:
        collector.state = "undecodable"
    finally:
        response.close()
    return collector.finish(response)


async def async_read_body(response: httpx.Response, limit: int) -> BodyState:
    """``read_body`` for an async response, with no deadline of its own: the engine bounds
    the whole read by the attempt's deadline.

    Raises:
        httpx.TransportError: The connection failed.
    """
    done = already_read(response, limit)
    if done is not None:
        return done
    collector = _Collector(response, limit)
    decoded = not collector.decoder.handles
    try:
        chunks = response.aiter_bytes() if decoded else response.aiter_raw()
        async for chunk in chunks:
            if not collector.add(chunk, decoded=decoded):
                break
    except httpx.DecodingError:
        collector.state = "undecodable"
    finally:
        await response.aclose()
    return collector.finish(response)


def too_late(deadline: float | None) -> bool:
    """Whether a ``time.monotonic()`` deadline has passed."""
    return deadline is not None and time.monotonic() >= deadline
