"""Per-key limits: requests per period (429 and ``x-ratelimit-*``), and jobs running at once.

Both read the emulator's clock, so ``ManualClock`` drives them in tests and
``RealClock(speed=...)`` shortens the period as it shortens the jobs.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["RateLimit", "RateLimiter", "Verdict", "go_duration", "key_fingerprint", "slot_start"]


@dataclass(frozen=True)
class RateLimit:
    """How many requests one API key may send per period.

    Args:
        requests: Requests allowed per period (at least 1).
        period: The period in seconds of the emulator's timings (divided by the clock's
            ``speed``, like job timings).

    Raises:
        ValueError: If ``requests`` is below 1 or ``period`` is not positive.
    """

    requests: int
    period: float = 60.0

    def __post_init__(self) -> None:
        if self.requests < 1 or not self.period > 0:
            message = f"need requests >= 1 and period > 0, got {self.requests!r}, {self.period!r}"
            raise ValueError(message)


@dataclass(frozen=True)
class Verdict:
    """Whether one request may go on, and the ``x-ratelimit-*`` headers to answer with."""

    allowed: bool
    headers: tuple[tuple[str, str], ...]


def go_duration(seconds: float) -> str:
    """Write a duration the way OpenAI's ``x-ratelimit-reset-*`` headers do: ``20ms``,
    ``1s``, ``1.5s``, ``6m0s``, ``1h2m3s``."""
    if seconds < 1:
        millis = math.ceil(seconds * 1000)
        return f"{millis}ms" if millis > 0 else "0s"
    whole_minutes, secs = divmod(round(seconds, 3), 60)
    hours, minutes = divmod(int(whole_minutes), 60)
    text = f"{secs:.3f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text


def key_fingerprint(key: str) -> str:
    """Name an API key without keeping it (what the state and the limits store)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class RateLimiter:
    """A sliding window of request times per key, answering each request with a ``Verdict``.

    Args:
        limit: The allowance.
        speed: The clock's speed; the period is divided by it.
    """

    def __init__(self, limit: RateLimit, speed: float = 1.0) -> None:
        self.limit = limit
        self._period = limit.period / speed
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: float) -> Verdict:
        """Count one request of ``key`` at ``now``, unless the window is full."""
        with self._lock:
            window = self._seen.setdefault(key, deque())
            while window and window[0] <= now - self._period:
                window.popleft()
            allowed = len(window) < self.limit.requests
            if allowed:
                window.append(now)
            remaining = self.limit.requests - len(window)
            reset = window[-1] + self._period - now if window else 0.0
            headers = [
                ("x-ratelimit-limit-requests", str(self.limit.requests)),
                ("x-ratelimit-remaining-requests", str(remaining)),
                ("x-ratelimit-reset-requests", go_duration(reset)),
            ]
            if not allowed:
                wait = window[0] + self._period - now
                headers.append(("retry-after", str(max(1, math.ceil(wait)))))
                headers.append(("retry-after-ms", str(max(1, math.ceil(wait * 1000)))))
        return Verdict(allowed, tuple(headers))


def slot_start(ready: float, runs: Iterable[tuple[float, float]], limit: int) -> float:
    """Return when a new job can start rendering, first come first served.

    Args:
        ready: When the job is ready to start (created, plus the fixed queue time).
        runs: ``(start, finish)`` of the key's earlier jobs.
        limit: How many jobs of the key may render at once.

    Returns:
        The earliest moment from ``ready`` on, and not before an earlier job's start, at which
        fewer than ``limit`` of the earlier jobs are rendering.
    """
    spans = list(runs)
    earliest = max([ready, *(start for start, _ in spans)])
    for moment in sorted({earliest, *(finish for _, finish in spans if finish > earliest)}):
        busy = sum(1 for start, finish in spans if start <= moment < finish)
        if busy < limit:
            return moment
    return earliest  # pragma: no cover - the last finish always leaves a free slot
