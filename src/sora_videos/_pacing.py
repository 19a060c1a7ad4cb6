"""Pacing: spacing requests so that a run within the server's advertised limits gets no 429.

Servers that follow the publisher's API answer with ``x-ratelimit-remaining-requests`` and
``x-ratelimit-reset-requests`` (and the ``-tokens`` pair), often with
``x-ratelimit-limit-requests``. A ``Pacer`` learns from each answer how fast it may go and
gives each request the next free slot:

- with the limit known, slots are ``reset / limit`` apart, and no request goes before the one
  ``limit`` requests back is a window old (``reset`` right after a request of ours shows the
  window's length): the rate the allowance sustains, whether the server counts a sliding window
  or refills a bucket, with no burst past it;
- without it, what is left is spread over the time until the reset (``reset / remaining``);
- an exhausted allowance holds the next request for one slot.

Pure state and arithmetic; the clock is passed in and the wait is a ``Sleep`` step the caller
yields.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Pacer", "parse_duration"]

_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")
MAX_PACE = 60.0
"""The longest wait pacing adds before one request (a longer reset is a 429's business)."""
MARGIN = 1.05
"""A window is taken this much longer than the server says, for the time a request spends
between the client's clock and the server's."""
MAX_REMEMBERED = 100_000
"""The most send times kept to honour a window (a larger limit is not tracked)."""
BEFORE_A_LIMIT = 1_024
"""Send times kept while no limit is known: those sent before the first answer that tells
one, which then count in its first window."""


_REMAINING_REQUESTS = "x-ratelimit-remaining-requests"
_REMAINING_TOKENS = "x-ratelimit-remaining-tokens"


def parse_duration(text: str) -> float | None:
    """Seconds in a reset header: ``"1s"``, ``"6m0s"``, ``"20ms"``, ``"1h2m3.5s"`` or a bare
    number of seconds. ``None`` when it is none of these."""
    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        parts = _PART.findall(text)
        if not parts or "".join(number + unit for number, unit in parts) != text:
            return None
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _count(text: str | None) -> int | None:
    try:
        return None if text is None else int(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class _Allowance:
    """One ``x-ratelimit-*`` triple as read from an answer."""

    remaining: int
    reset: float
    limit: int | None

    @classmethod
    def read(cls, headers: Mapping[str, str], kind: str) -> _Allowance | None:
        remaining = _count(headers.get(f"x-ratelimit-remaining-{kind}"))
        if remaining is None or remaining < 0:
            return None
        reset_text = headers.get(f"x-ratelimit-reset-{kind}")
        reset = None if reset_text is None else parse_duration(reset_text)
        if reset is None:
            return None
        limit = _count(headers.get(f"x-ratelimit-limit-{kind}"))
        known = limit is not None and limit >= max(remaining, 1)
        return cls(remaining, reset, limit if known else None)

    @property
    def spacing(self) -> float:
        """Seconds between requests that this allowance sustains."""
        if self.limit is not None:
            return min(self.reset / self.limit, MAX_PACE)
        return min(self.reset / max(self.remaining, 1), MAX_PACE)


class Pacer:
    """Request slots shared by every request of one client (thread-safe).

    With no rate-limit headers seen it never delays. After an answer that carries them, each
    request waits for the next slot (the larger spacing of the requests and tokens
    allowances wins), and never goes before the request ``limit`` sends back is a window old.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._interval = 0.0
        self._next = 0.0
        self._limit: int | None = None
        self._window = 0.0
        self._sent: deque[float] = deque(maxlen=BEFORE_A_LIMIT)  # a window's, no more

    def reserve(self) -> float:
        """Take the next free slot; the seconds to wait before sending (0 for none)."""
        with self._lock:
            now = self._clock()
            slot = max(self._next, now)
            if self._limit is not None and len(self._sent) >= self._limit:
                slot = max(slot, self._sent[-self._limit] + self._window * MARGIN)
            self._next = slot + self._interval
            self._sent.append(slot)
            return slot - now

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the server's allowance from an answer's ``x-ratelimit-*`` headers."""
        if _REMAINING_REQUESTS not in headers and _REMAINING_TOKENS not in headers:
            return  # most answers: two look-ups, nothing to learn
        requests = _Allowance.read(headers, "requests")
        allowances = [a for a in (requests, _Allowance.read(headers, "tokens")) if a is not None]
        if not allowances:
            return
        with self._lock:
            self._interval = max(a.spacing for a in allowances)
            if requests is not None and requests.limit is not None:
                if requests.limit != self._limit:
                    size = min(requests.limit, MAX_REMEMBERED)
                    self._sent = deque(self._sent, maxlen=size)
                self._limit = requests.limit
                self._window = max(self._window, min(requests.reset, MAX_PACE))
            if any(a.remaining == 0 for a in allowances):
                self._next = max(self._next, self._clock() + self._interval)

    @property
    def interval(self) -> float:
        """The current spacing between requests, in seconds."""
        return self._interval
