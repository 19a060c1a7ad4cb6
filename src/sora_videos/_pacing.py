"""Pacing: spacing requests so that a run within the server's advertised limits gets no 429.

Servers that follow the publisher's API answer with ``x-ratelimit-remaining-requests`` and
``x-ratelimit-reset-requests`` (and the ``-tokens`` pair). A ``Pacer`` learns from each
answer how many requests are left and how long until the allowance is whole again, and
spreads what is left over that time: each request reserves the next free slot. Pure state and
arithmetic; the clock is passed in and the wait is a ``Sleep`` step the caller yields.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Mapping

__all__ = ["Pacer", "parse_duration"]

_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")
MAX_PACE = 60.0
"""The longest wait pacing adds before one request (a longer reset is a 429's business)."""


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


def _spacing(headers: Mapping[str, str], kind: str) -> float | None:
    """Seconds between requests that spends what is left of one allowance evenly."""
    remaining_text = headers.get(f"x-ratelimit-remaining-{kind}")
    reset_text = headers.get(f"x-ratelimit-reset-{kind}")
    if remaining_text is None or reset_text is None:
        return None
    reset = parse_duration(reset_text)
    try:
        remaining = int(remaining_text.strip())
    except ValueError:
        return None
    if reset is None or remaining < 0:
        return None
    return min(reset / max(remaining, 1), MAX_PACE)


class Pacer:
    """Request slots shared by every request of one client (thread-safe).

    With no rate-limit headers seen it never delays. After an answer that carries them, each
    request waits for the next slot, slots being ``reset / remaining`` seconds apart (the
    larger of the requests and tokens allowances); an exhausted allowance holds every request
    until it resets.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._interval = 0.0
        self._next = 0.0

    def reserve(self) -> float:
        """Take the next free slot; the seconds to wait before sending (0 for none)."""
        with self._lock:
            now = self._clock()
            slot = max(self._next, now)
            self._next = slot + self._interval
            return slot - now

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the server's allowance from an answer's ``x-ratelimit-*`` headers."""
        spacings = [
            s for kind in ("requests", "tokens") if (s := _spacing(headers, kind)) is not None
        ]
        if not spacings:
            return
        with self._lock:
            self._interval = max(spacings)
            exhausted = any(
                headers.get(f"x-ratelimit-remaining-{k}", "").strip() == "0"
                for k in ("requests", "tokens")
            )
            if exhausted:
                self._next = max(self._next, self._clock() + self._interval)

    @property
    def interval(self) -> float:
        """The current spacing between requests, in seconds."""
        return self._interval
