"""The two drivers: perform a flow's steps with a sync or an async httpx client.

Everything that decides (retries, polling, paging, resuming) is in the flows; a driver only
sends, reads, sleeps, calls back and does the file work it is asked for.
"""

from __future__ import annotations

import inspect
import sys
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import httpx

from . import _files
from ._body import OUTLASTED, async_read_body, read_body
from ._config import ClientConfig
from ._exceptions import APIConnectionError
from ._raw import RawResponse
from ._request import HTTPRequest, RequestSpec
from ._response import unreadable_body_error
from ._send import send_flow
from ._steps import (
    Copy,
    CreateTemp,
    Flow,
    Notify,
    Read,
    Remove,
    Replace,
    Send,
    Sleep,
    Step,
    Truncate,
)
from ._types import RequestOptions

if TYPE_CHECKING:
    from ._async.pagination import AsyncCursorPage
    from ._deadlines import Watch
    from ._pagination import AsyncPaginator, Identified
    from ._sync.pagination import CursorPage

__all__ = ["AsyncEngine", "Engine", "to_httpx"]

T = TypeVar("T")
ItemT = TypeVar("ItemT", bound="Identified")


def to_httpx(client: httpx.Client | httpx.AsyncClient, request: HTTPRequest) -> httpx.Request:
    """Build the ``httpx.Request``, letting the user's ``http_client`` add its own defaults."""
    built = client.build_request(
        request.method,
        request.url,
        params=request.params or None,
        headers=request.headers,
        json=request.json,
        timeout=request.timeout,
    )
    if request.body is None:
        return built
    return httpx.Request(
        built.method,
        built.url,
        headers=built.headers,
        stream=request.body,
        extensions=built.extensions,
    )


def deadline_of(request: HTTPRequest) -> float | None:
    """When an attempt of ``request`` must be over: its ``timeout`` (the ``read`` value of
    an ``httpx.Timeout``) is a total for the attempt, not a bound on each read."""
    total = request.timeout.read
    return None if total is None else time.monotonic() + total


def pool_error(exc: RuntimeError, request: httpx.Request) -> APIConnectionError:
    """The typed error for a pool that cannot send: closed, or bound to a dead event loop."""
    if "closed" in str(exc) and "loop" not in str(exc):
        message = "the client is closed: make a new one (or send before closing it)"
    else:
        message = (
            f"the client's connections cannot be used here ({exc}): an async client serves "
            f"the event loop it first ran on; make one per asyncio.run() (or anyio.run())"
        )
    return APIConnectionError(
        f"request {request.method} {request.url.path} failed: {message}",
        request=request,
        idempotency_key=request.headers.get("idempotency-key"),
    )


def decoding_error(exc: httpx.DecodingError, response: httpx.Response) -> Exception:
    """A media body whose ``Content-Encoding`` was false, as the typed error."""
    key = response.request.headers.get("idempotency-key")
    return unreadable_body_error(response, "undecodable", 0, key)


class Engine:
    """A client's settings and connection pool, and the sync driver of flows."""

    def __init__(
        self,
        config: ClientConfig,
        http: httpx.Client,
        *,
        owns_http: bool,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.config = config
        self.http = http
        self.owns_http = owns_http
        self.sleep = sleep
        self._deadlines: weakref.WeakKeyDictionary[httpx.Response, float | None] = (
            weakref.WeakKeyDictionary()
        )

    def sharing_pool(self, config: ClientConfig) -> Engine:
        """An engine with other settings on this one's pool (which it will not close)."""
        return Engine(config, self.http, owns_http=False, sleep=self.sleep)

    def run(self, flow: Flow[T]) -> T:
        """Perform a flow's steps until it returns (or raises)."""
        temps: set[Path] = set()
        reply: object = None
        error: httpx.TransportError | None = None
        try:
            while True:
                try:
                    step = flow.send(reply) if error is None else flow.throw(error)
                except StopIteration as stop:
                    return cast(T, stop.value)
                reply, error = None, None
                try:
                    reply = self._perform(step, temps)
                except httpx.TransportError as exc:
                    error = exc
        finally:
            flow.close()
            for temp in temps:  # left by an interrupted flow
                _files.remove(temp)

    def _send(self, request: httpx.Request, step: Send) -> httpx.Response:
        if step.request.auth is None:
            return self.http.send(request, stream=step.stream)
        # The auth follows redirects itself, keeping credentials on the origin.
        return self.http.send(
            request, stream=step.stream, auth=step.request.auth, follow_redirects=False
        )

    def _perform(self, step: Step, temps: set[Path]) -> object:
        if isinstance(step, Send):
            request = to_httpx(self.http, step.request)
            try:
                response = self._send(request, step)
            except RuntimeError as exc:
                raise pool_error(exc, request) from exc
            self._deadlines[response] = deadline_of(step.request)
            return response
        if isinstance(step, Read):
            return read_body(step.response, step.limit, self._deadlines.get(step.response))
        if isinstance(step, Sleep):
            return self.sleep(step.seconds)
        if isinstance(step, Copy):
            try:
                return _files.copy(step)
            except httpx.DecodingError as exc:
                raise decoding_error(exc, step.response) from exc
        if isinstance(step, Notify):
            return step.callback(step.value)
        return _file_step(step, temps)

    def request(
        self, spec: RequestSpec, parse: Callable[[httpx.Response], T], options: RequestOptions
    ) -> RawResponse[T]:
        """Send one API request (with retries); the answer, unparsed."""
        response = self.run(send_flow(self.config, spec, options))
        return RawResponse(response, parse)

    def paginate(self, first: Callable[[], RawResponse[CursorPage[ItemT]]]) -> CursorPage[ItemT]:
        """What a sync ``list`` returns: the first page, fetched now."""
        return first().parse()

    def close(self) -> None:
        """Close the pool if this engine made it."""
        if self.owns_http:
            self.http.close()


class AsyncEngine:
    """A client's settings and connection pool, and the async driver of flows."""

    def __init__(
        self,
        config: ClientConfig,
        http: httpx.AsyncClient,
        *,
        owns_http: bool,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        import anyio  # here, not at import: a sync client never loads anyio

        self.config = config
        self.http = http
        self.owns_http = owns_http
        self.sleep = sleep if sleep is not None else anyio.sleep
        self._deadlines: weakref.WeakKeyDictionary[httpx.Response, float | None] = (
            weakref.WeakKeyDictionary()
        )
        self._watch: Watch | None = None

    def sharing_pool(self, config: ClientConfig) -> AsyncEngine:
        """An engine with other settings on this one's pool (which it will not close)."""
        return AsyncEngine(config, self.http, owns_http=False, sleep=self.sleep)

    async def run(self, flow: Flow[T]) -> T:
        """Perform a flow's steps until it returns (or raises); cancellation stops it at once."""
        temps: set[Path] = set()
        reply: object = None
        error: httpx.TransportError | None = None
        try:
            while True:
                try:
                    step = flow.send(reply) if error is None else flow.throw(error)
                except StopIteration as stop:
                    return cast(T, stop.value)
                reply, error = None, None
                try:
                    reply = await self._perform(step, temps)
                except httpx.TransportError as exc:
                    error = exc
        finally:
            flow.close()
            for temp in temps:  # left by an interrupted (e.g. cancelled) flow
                _files.remove(temp)

    async def _perform(self, step: Step, temps: set[Path]) -> object:
        if isinstance(step, Send):
            return await self._send(step)
        if isinstance(step, Read):
            deadline = self._deadlines.get(step.response)
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            reading = async_read_body(step.response, step.limit)
            return await self._within(left, reading, step.response.request)
        if isinstance(step, Sleep):
            return await self.sleep(step.seconds)
        if isinstance(step, Copy):
            from ._files_async import async_copy

            try:
                return await async_copy(step)
            except httpx.DecodingError as exc:
                raise decoding_error(exc, step.response) from exc
        if isinstance(step, Notify):
            result = step.callback(step.value)
            return (await result) if inspect.isawaitable(result) else result
        import anyio.to_thread

        return await anyio.to_thread.run_sync(_file_step, step, temps)

    async def _send(self, step: Send) -> httpx.Response:
        request = to_httpx(self.http, step.request)
        deadline = deadline_of(step.request)
        total = step.request.timeout.read  # a total for the attempt (see deadline_of)
        try:
            response = await self._within(total, self._send_now(request, step), request)
        except RuntimeError as exc:
            raise pool_error(exc, request) from exc
        self._deadlines[response] = deadline
        return response

    async def _within(
        self, seconds: float | None, work: Coroutine[object, object, T], request: httpx.Request
    ) -> T:
        """Await ``work``, cut after ``seconds`` (``None``: not cut).

        Raises:
            httpx.ReadTimeout: ``seconds`` passed first.
        """
        try:
            if seconds is None:
                return await work
            if (watch := self._asyncio_watch()) is not None:
                return await watch.run(work, seconds)
            import anyio  # trio, or Python 3.10

            with anyio.fail_after(seconds):
                return await work
        except TimeoutError as exc:
            raise httpx.ReadTimeout(OUTLASTED, request=request) from exc

    def _asyncio_watch(self) -> Watch | None:
        """The deadline watch of the running asyncio loop (3.11+: ``Task.uncancel``); ``None``
        elsewhere (trio, 3.10), where an anyio cancel scope bounds each attempt."""
        if sys.version_info < (3, 11) or "asyncio" not in sys.modules:  # not imported: not running
            return None
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # another event loop (trio)
            return None
        if self._watch is None or self._watch.loop is not loop:
            from ._deadlines import Watch

            self._watch = Watch(loop)
        return self._watch

    async def _send_now(self, request: httpx.Request, step: Send) -> httpx.Response:
        if step.request.auth is None:
            return await self.http.send(request, stream=step.stream)
        # The auth follows redirects itself, keeping credentials on the origin.
        return await self.http.send(
            request, stream=step.stream, auth=step.request.auth, follow_redirects=False
        )

    async def request(
        self, spec: RequestSpec, parse: Callable[[httpx.Response], T], options: RequestOptions
    ) -> RawResponse[T]:
        """Send one API request (with retries); the answer, unparsed."""
        response = await self.run(send_flow(self.config, spec, options))
        return RawResponse(response, parse)

    def paginate(
        self, first: Callable[[], Awaitable[RawResponse[AsyncCursorPage[ItemT]]]]
    ) -> AsyncPaginator[ItemT]:
        """What an async ``list`` returns: awaitable (first page) and async-iterable."""
        from ._pagination import AsyncPaginator

        return AsyncPaginator(first)

    async def close(self) -> None:
        """Close the pool if this engine made it."""
        if self.owns_http:
            await self.http.aclose()


def _file_step(step: CreateTemp | Truncate | Replace | Remove, temps: set[Path]) -> object:
    """Perform a file step (blocking), keeping track of the temporary files still around."""
    if isinstance(step, CreateTemp):
        temp = _files.create_temp(step.target, step.stale)
        temps.add(temp)
        return temp
    if isinstance(step, Truncate):
        _files.truncate(step.path)
        return None
    if isinstance(step, Replace):
        _files.replace(step.source, step.target)
        temps.discard(step.source)
        return None
    _files.remove(step.path)
    temps.discard(step.path)
    return None
