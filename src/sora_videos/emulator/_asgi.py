"""The emulator as an ASGI application, written by hand so it needs no web framework."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable, MutableMapping
from typing import IO, Any

import anyio

from ._exchange import Disconnected, Exchange
from ._http import JSON_BODY_LIMIT, Request

__all__ = ["AsgiApp"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def _abort(send: Send) -> None:
    """Drop the connection without a (complete) answer.

    ASGI has no message for that; servers built like uvicorn keep the socket transport on the
    object ``send`` belongs to, so abort that. Elsewhere, raising makes the server close it.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise Disconnected("connection dropped (emulated fault)")
    transport.abort()
    for _ in range(100):  # let the server notice, so it does not answer 500 on our behalf
        if getattr(cycle, "disconnected", True):
            break
        await anyio.sleep(0)


SPOOL_OVER = 8 * 1024 * 1024
"""Bodies larger than this go to a temporary file instead of memory (large uploads)."""


def _oversize(headers: dict[str, str]) -> bool:
    """Whether the declared length of a body that is not an upload is already over the limit."""
    if headers.get("content-type", "").startswith("multipart/form-data"):
        return False
    declared = headers.get("content-length", "")
    return declared.isdigit() and int(declared) > JSON_BODY_LIMIT


async def _read_body(receive: Receive, *, upload: bool) -> tuple[bytes, IO[bytes] | None, bool]:
    """Read the body, spooling a large one; stop (third value ``True``) past the JSON limit."""
    parts: list[bytes] = []
    size = 0
    spool: IO[bytes] | None = None
    while True:
        message = await receive()
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if not upload and size > JSON_BODY_LIMIT:  # below SPOOL_OVER: nothing was spooled
            return b"", None, True  # answer 413 now; the rest is never read
        if spool is None and size > SPOOL_OVER:
            spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed after the request)
            spool.writelines(parts)
            parts = []
        if spool is None:
            parts.append(chunk)
        else:
            spool.write(chunk)
        if not message.get("more_body", False):
            break
    if spool is None:
        return b"".join(parts), None, False
    spool.flush()
    spool.seek(0)
    return b"", spool, False


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        kind = str(message["type"]).rsplit(".", 1)[-1]  # startup or shutdown
        await send({"type": f"lifespan.{kind}.complete"})
        if kind == "shutdown":
            return


async def _respond(exchange: Exchange, send: Send) -> None:
    answer = exchange.response
    if answer.delay:
        await anyio.sleep(answer.delay)
    if answer.disconnect is not None and answer.disconnect.after_bytes is None:
        await _abort(send)
        return
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    try:
        for chunk in exchange.chunks():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except Disconnected:
        await _abort(send)
        return
    await send({"type": "http.response.body", "body": b"", "more_body": False})


class AsgiApp:
    """An ASGI 3 application answering like the Videos API.

    Args:
        handle: The emulator's ``handle`` method.
    """

    def __init__(self, handle: Callable[[Request], Exchange]) -> None:
        self._handle = handle

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope (``http`` or ``lifespan``)."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        oversize = _oversize(headers)
        body, spooled = b"", None
        if not oversize:
            upload = headers.get("content-type", "").startswith("multipart/form-data")
            body, spooled, oversize = await _read_body(receive, upload=upload)
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        raw_path = bytes(scope.get("raw_path") or b"").decode("latin-1")
        request = Request(
            scope["method"],
            scope["path"],
            query,
            headers,
            body,
            spooled,
            oversize=oversize,
            raw_path=raw_path.split("?", 1)[0],
        )
        try:
            exchange = self._handle(request)
        finally:
            if spooled is not None:
                spooled.close()
        await _respond(exchange, send)
