"""Operations as generators that yield I/O steps, and the two drivers that perform them.

A flow never touches a socket or a clock: it yields ``Send``/``Read``/``Sleep``/``Notify``
and receives the outcome (or has a transport error thrown in). ``_engine.py`` performs
the steps with ``httpx.Client`` / ``httpx.AsyncClient``; everything else (retries, polling,
paging) is written once, in flows, and tested by stepping them by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import httpx

from ._config import ClientConfig
from ._request import HTTPRequest, RequestSpec, build_request
from ._response import connection_error, status_error
from ._retry import decide
from ._types import RequestOptions

if TYPE_CHECKING:
    from ._download import Copy

__all__ = ["Flow", "Notify", "Read", "Send", "Sleep", "send_flow", "to_httpx"]

T = TypeVar("T")
log = logging.getLogger("sora_videos")


@dataclass(frozen=True)
class Send:
    """Send a request; the reply is the ``httpx.Response`` (body unread if ``stream``)."""

    request: HTTPRequest
    stream: bool = False


@dataclass(frozen=True)
class Read:
    """Read a streamed response's body whole; the reply is the bytes."""

    response: httpx.Response


@dataclass(frozen=True)
class Sleep:
    """Wait this many seconds."""

    seconds: float


@dataclass(frozen=True)
class Notify:
    """Call a user's callback with a value (awaited if it returns an awaitable)."""

    callback: Callable[[Any], object]
    value: object


Step: TypeAlias = "Send | Read | Sleep | Notify | Copy"
Flow: TypeAlias = Generator[Step, Any, T]


def send_flow(
    config: ClientConfig, spec: RequestSpec, options: RequestOptions
) -> Flow[httpx.Response]:
    """Send one operation's request, retrying within ``config.max_retries``.

    Returns the successful response; raises the typed error otherwise.
    """
    request = build_request(config, spec, options)
    attempt = 0
    while True:
        log.debug("%s %s (attempt %d)", request.method, request.url, attempt + 1)
        try:
            response: httpx.Response = yield Send(request, stream=spec.stream)
            if spec.stream and not response.is_success:
                yield Read(response)  # the error's body, which can be cut short too
        except httpx.TransportError as exc:
            decision = decide(
                None,
                {},
                attempt=attempt,
                max_retries=config.max_retries,
                replayable=request.replayable,
            )
            if not decision.retry:
                raise connection_error(exc, _request_of(exc), spec.idempotency_key) from exc
            log.debug("retrying after %s: %s", type(exc).__name__, decision.reason)
        else:
            log.debug(
                "%s %s -> %d (request id %s)",
                request.method,
                request.url,
                response.status_code,
                response.headers.get("x-request-id"),
            )
            if response.is_success:
                return response
            decision = decide(
                response.status_code,
                response.headers,
                attempt=attempt,
                max_retries=config.max_retries,
                replayable=request.replayable,
            )
            if not decision.retry:
                raise status_error(
                    response,
                    retry_after=decision.retry_after,
                    idempotency_key=spec.idempotency_key,
                )
        log.debug("retry %d in %.2f s (%s)", attempt + 1, decision.delay, decision.reason)
        yield Sleep(decision.delay)
        attempt += 1


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None


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
