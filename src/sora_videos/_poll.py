"""Waiting for a job: how long between polls, and the poll flow itself."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Mapping

from ._config import ClientConfig
from ._exceptions import PollTimeoutError, VideoFailedError
from ._models import Video
from ._request import RequestSpec
from ._response import parse_model
from ._send import send_flow
from ._steps import Flow, Notify, Sleep
from ._types import RequestOptions
from .servers import interpret_status

__all__ = ["DEFAULT_MAX_WAIT", "poll_delay", "poll_flow"]

DEFAULT_MAX_WAIT = 1800.0
DEFAULT_POLL_DELAY = 1.0
MAX_POLL_DELAY = 60.0


def poll_delay(headers: Mapping[str, str], poll_interval: float | None) -> float:
    """Seconds until the next poll: the server's ``openai-poll-after-ms`` on this answer (at
    most a minute), else 1 s; never less than ``poll_interval`` when given."""
    delay = DEFAULT_POLL_DELAY
    hint = headers.get("openai-poll-after-ms")
    if hint is not None:
        with contextlib.suppress(ValueError):
            seconds = float(hint) / 1000.0
            if math.isfinite(seconds):  # nan or inf would reach sleep()
                delay = min(max(seconds, 0.0), MAX_POLL_DELAY)
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

    Raises:
        VideoFailedError: The job ended without a video.
        PollTimeoutError: ``max_wait`` seconds passed first.
    """
    deadline = None if max_wait is None else clock() + max_wait
    last: Video | None = None
    while True:
        response = yield from send_flow(config, spec, options)
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
