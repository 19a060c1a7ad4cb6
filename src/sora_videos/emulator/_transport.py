"""In-process httpx transports (sync and async) that stream the emulator's answers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator

import anyio
import httpx

from ._exchange import Disconnected, Exchange
from ._http import Request

__all__ = ["AsyncEmulatorTransport", "EmulatorTransport"]

Handle = Callable[[Request], Exchange]


def _request(request: httpx.Request, body: bytes) -> Request:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.raw}
    query = request.url.query.decode("ascii")
    raw_path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
    return Request(request.method, request.url.path, query, headers, body, raw_path=raw_path)


def _wait(exchange: Exchange, request: httpx.Request) -> tuple[float, bool]:
    """How long to wait before answering, and whether the client's read timeout runs out first."""
    timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
    limit = timeouts.get("read")
    delay = exchange.response.delay
    if limit is not None and delay > limit:
        return limit, True
    return delay, False


def _response(
    exchange: Exchange, stream: httpx.SyncByteStream | httpx.AsyncByteStream
) -> httpx.Response:
    answer = exchange.response
    return httpx.Response(
        answer.status,
        headers=list(answer.headers),
        stream=stream,
        extensions={"http_version": b"HTTP/1.1"},
    )


def _check(exchange: Exchange, request: httpx.Request, timed_out: bool) -> None:
    if timed_out:
        raise httpx.ReadTimeout(
            "timed out waiting for the emulator (emulated slow answer)", request=request
        )
    disconnect = exchange.response.disconnect
    if disconnect is not None and disconnect.after_bytes is None:
        message = "Server disconnected without sending a response."
        raise httpx.RemoteProtocolError(message, request=request)


def _cut(request: httpx.Request, error: Disconnected) -> httpx.RemoteProtocolError:
    message = f"peer closed connection without sending complete message body ({error})"
    return httpx.RemoteProtocolError(message, request=request)


class _SyncStream(httpx.SyncByteStream):
    def __init__(self, exchange: Exchange, request: httpx.Request) -> None:
        self._exchange, self._request = exchange, request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._exchange.chunks()
        except Disconnected as error:
            raise _cut(self._request, error) from error


class _AsyncStream(httpx.AsyncByteStream):
    def __init__(self, exchange: Exchange, request: httpx.Request) -> None:
        self._exchange, self._request = exchange, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            for chunk in self._exchange.chunks():
                yield chunk
                await anyio.lowlevel.checkpoint()
        except Disconnected as error:
            raise _cut(self._request, error) from error


class EmulatorTransport(httpx.BaseTransport):
    """A sync httpx transport that answers from an emulator in the same process.

    Args:
        handle: The emulator's ``handle`` method.
    """

    def __init__(self, handle: Handle) -> None:
        self._handle = handle

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request; faults surface as httpx transport errors."""
        exchange = self._handle(_request(request, request.read()))
        seconds, timed_out = _wait(exchange, request)
        if seconds:
            time.sleep(seconds)
        _check(exchange, request, timed_out)
        return _response(exchange, _SyncStream(exchange, request))


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """An async httpx transport (asyncio or trio) that answers from an in-process emulator.

    Args:
        handle: The emulator's ``handle`` method.
    """

    def __init__(self, handle: Handle) -> None:
        self._handle = handle

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request; faults surface as httpx transport errors."""
        exchange = self._handle(_request(request, await request.aread()))
        seconds, timed_out = _wait(exchange, request)
        if seconds:
            await anyio.sleep(seconds)
        _check(exchange, request, timed_out)
        return _response(exchange, _AsyncStream(exchange, request))
