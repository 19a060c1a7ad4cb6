"""Waiting for a job: how long between polls, and the poll flow itself."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Mapping
from typing import TypeVar, cast

import httpx

from ._config import ClientConfig
from ._exceptions import APITimeoutError, PollTimeoutError, VideoFailedError
from ._models import Video
from ._request import RequestSpec
from ._response import parse_model
from ._send import send_flow
from ._steps import Flow, Notify, Sleep
from ._types import RequestOptions
from .servers import interpret_status

__all__ = ["DEFAULT_MAX_WAIT", "poll_delay", "poll_flow"]

T = TypeVar("T")

DEFAULT_MAX_WAIT = 1800.0
DEFAULT_POLL_DELAY = 1.0
MIN_POLL_DELAY = 0.1
MAX_POLL_DELAY = 60.0


def poll_delay(headers: Mapping[str, str], poll_interval: float | None) -> float:
    """Seconds until the next poll: the server's ``openai-poll-after-ms`` on this answer (at
    most a minute, at least 0.1 s: a zero hint must not flood the server), else 1 s; never
    less than ``poll_interval`` when given."""
    delay = DEFAULT_POLL_DELAY
    hint = headers.get("openai-poll-after-ms")
    if hint is not None:
        with contextlib.suppress(ValueError):
            seconds = float(hint) / 1000.0
            if math.isfinite(seconds):  # nan or inf would reach sleep()
                delay = min(max(seconds, MIN_POLL_DELAY), MAX_POLL_DELAY)
    return delay if poll_interval is None else max(delay, poll_interval)


def poll_flow(
    config: ClientConfig,
    spec: RequestSpec,
    options: RequestOptions,
    *,
    max_wait: float | None,
    poll_interval: float | None,
    on_progress: Callable[[Video], object] | None,
    clock: Callable[[], float] = time.monotonic,
) -> Flow[Video]:
    """Retrieve the job until it is done; one request per poll, nothing more.

    The server's profile says which status words mean done (``completed``, ``succeeded``) or
    ended without a video (``failed``, ``cancelled``...); any other word means keep waiting.

    ``max_wait`` is a deadline: a request still in flight when it passes is cut short, and
    no retry waits past it.

    Raises:
        VideoFailedError: The job ended without a video.
        PollTimeoutError: ``max_wait`` seconds passed first.
    """
    deadline = None if max_wait is None else clock() + max_wait
    last: Video | None = None
    while True:
        request = send_flow(config, spec, _within(options, config, deadline, clock))
        try:
            response = yield from _until(None if last is None else deadline, clock, request)
        except (APITimeoutError, _PastDeadline) as exc:
            late = isinstance(exc, _PastDeadline) or (deadline is not None and clock() >= deadline)
            if last is None or not late:
                raise
            raise PollTimeoutError(last, max_wait or 0.0) from None
        video = parse_model(Video, response)
        if on_progress is not None and video != last:
            yield Notify(on_progress, video)
        last = video
        meaning = interpret_status(video.status, config.server)
        if meaning == "completed":
            return video
        if meaning == "failed":
            raise VideoFailedError(video)
        delay = poll_delay(response.headers, poll_interval)
        if deadline is not None:
            remaining = deadline - clock()
            if remaining <= 0:
                raise PollTimeoutError(video, max_wait or 0.0)
            delay = min(delay, remaining)
        yield Sleep(delay)


def _within(
    options: RequestOptions,
    config: ClientConfig,
    deadline: float | None,
    clock: Callable[[], float],
) -> RequestOptions:
    """``options`` with a timeout that ends by ``deadline`` at the latest."""
    if deadline is None:
        return options
    timeout = options.get("timeout", config.timeout)
    given = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    remaining = max(deadline - clock(), 0.001)
    if given.read is not None and given.read <= remaining:
        return options
    capped = httpx.Timeout(
        connect=min(given.connect or remaining, remaining),
        read=remaining,
        write=min(given.write or remaining, remaining),
        pool=min(given.pool or remaining, remaining),
    )
    return {**options, "timeout": capped}


class _PastDeadline(Exception):
    """A retry would have waited past the poll's deadline."""


def _until(deadline: float | None, clock: Callable[[], float], flow: Flow[T]) -> Flow[T]:
    """``flow``'s steps, stopped with ``_PastDeadline`` instead of a wait ending after
    ``deadline`` (``None``: never stopped)."""
    reply: object = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.send(reply) if error is None else flow.throw(error)
        except StopIteration as stop:
            return cast(T, stop.value)
        if deadline is not None and isinstance(step, Sleep) and clock() + step.seconds > deadline:
            flow.close()
            raise _PastDeadline
        reply, error = None, None
        try:
            reply = yield step
        except Exception as exc:  # a transport error the driver throws in: the flow's to handle
            error = exc
