"""When to retry, and how long to wait first: the one retry policy, and a budget per operation.

Pure: decisions are functions of (status or connection error, headers, attempt). A client's
``ClientConfig.retry_policy`` hands each logical operation (one call, one download with its
resumes, one batch job's create) a ``RetryBudget`` of ``max_retries`` retries.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = [
    "MAX_RETRY_AFTER",
    "RetryBudget",
    "RetryDecision",
    "RetryPolicy",
    "backoff",
    "decide",
    "retry_after",
]

MAX_RETRY_AFTER = 60.0
"""A server's ``Retry-After`` above this is not slept on: the error is raised instead."""

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0


@dataclass(frozen=True)
class RetryDecision:
    """Whether to send the request again, and after how many seconds.

    Attributes:
        retry: Send it again.
        delay: Seconds to wait before that.
        retry_after: What the server asked for, if it said (also set when not retrying).
        reason: Why, in words, for the debug log.
    """

    retry: bool
    delay: float = 0.0
    retry_after: float | None = None
    reason: str = ""


def backoff(attempt: int, *, rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter: about 0.5 s, 1 s, 2 s, ... capped at 8 s."""
    return min(INITIAL_DELAY * 2.0**attempt, MAX_DELAY) * (1.0 - 0.25 * rng())


def retry_after(
    headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> float | None:
    """Seconds the server asked to wait: ``retry-after-ms``, or ``Retry-After`` as seconds or
    an HTTP date. ``None`` if absent or unreadable."""
    millis = headers.get("retry-after-ms")
    if millis is not None and (wait := _seconds(millis, per=1000.0)) is not None:
        return wait
    value = headers.get("retry-after")
    if value is None:
        return None
    wait = _seconds(value)
    if wait is not None:
        return wait
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None
    return max(when - now(), 0.0)


def _seconds(text: str, *, per: float = 1.0) -> float | None:
    """A number of seconds, never negative; ``None`` unless a finite number (``nan`` or
    ``inf`` would reach ``sleep()``)."""
    try:
        seconds = float(text) / per
    except ValueError:
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def decide(
    status: int | None,
    headers: Mapping[str, str],
    *,
    attempt: int,
    max_retries: int,
    replayable: bool = True,
    rng: Callable[[], float] = random.random,
    now: Callable[[], float] = time.time,
) -> RetryDecision:
    """Decide whether a failed attempt is retried.

    Args:
        status: The answer's HTTP status, or ``None`` when no answer came (connection error).
        headers: The answer's headers (empty without an answer).
        attempt: Retries made so far (0 after the first try).
        max_retries: The retry budget.
        replayable: Whether the request body can be sent again.
        rng: Source of jitter, for tests.
        now: Wall clock, for ``Retry-After`` dates.
    """
    wait = retry_after(headers, now=now)
    if not _retryable(status, headers):
        return RetryDecision(False, retry_after=wait, reason=f"status {status} is final")
    if attempt >= max_retries:
        return RetryDecision(False, retry_after=wait, reason="retry budget spent")
    if not replayable:
        return RetryDecision(False, retry_after=wait, reason="the upload cannot be replayed")
    if wait is not None and wait > MAX_RETRY_AFTER:
        return RetryDecision(False, retry_after=wait, reason=f"server asked for {wait:g} s")
    delay = wait if wait is not None else backoff(attempt, rng=rng)
    return RetryDecision(True, delay=delay, retry_after=wait, reason=f"status {status}")


def _retryable(status: int | None, headers: Mapping[str, str]) -> bool:
    should = headers.get("x-should-retry")
    if should == "true":
        return True
    if should == "false":
        return False
    return status is None or status in (408, 409, 429) or status >= 500


@dataclass(frozen=True)
class RetryPolicy:
    """The client's retry policy: which failures are retried, how long to wait, how often."""

    max_retries: int

    def budget(self, *, on_rate_limit: Callable[[float], object] | None = None) -> RetryBudget:
        """A fresh budget for one logical operation.

        Args:
            on_rate_limit: Told the wait before each retry of a 429 (a batch pauses every
                job for it).
        """
        return RetryBudget(self, on_rate_limit=on_rate_limit)


class RetryBudget:
    """The retries left to one logical operation, however many requests it sends."""

    def __init__(
        self, policy: RetryPolicy, *, on_rate_limit: Callable[[float], object] | None = None
    ) -> None:
        self.policy = policy
        self.used = 0
        self._on_rate_limit = on_rate_limit

    def decide(
        self, status: int | None, headers: Mapping[str, str], *, replayable: bool = True
    ) -> RetryDecision:
        """Whether a failed attempt (``status`` ``None``: no answer) is retried; a retry
        granted is spent from the budget."""
        decision = decide(
            status,
            headers,
            attempt=self.used,
            max_retries=self.policy.max_retries,
            replayable=replayable,
        )
        if decision.retry:
            self.used += 1
            if status == 429 and self._on_rate_limit is not None:
                self._on_rate_limit(decision.delay)
        return decision
