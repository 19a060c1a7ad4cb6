"""Clocks that decide when emulated jobs move on: a manual one for tests, a real one otherwise."""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["Clock", "ManualClock", "RealClock"]


class Clock(Protocol):
    """What the emulator needs from a clock: the time now and how fast jobs render."""

    @property
    def speed(self) -> float:
        """How many times faster than the configured timings jobs move on."""
        ...

    def now(self) -> float:
        """Return the current time, in Unix seconds."""
        ...


class ManualClock:
    """A clock that only moves when the test says so.

    Args:
        start: The Unix time the clock shows at first.
    """

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        """Always 1: a manual clock does not scale the job timings."""
        return 1.0

    def now(self) -> float:
        """Return the time the clock shows, in Unix seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward.

        Args:
            seconds: How far to move; must not be negative.

        Raises:
            ValueError: If ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds!r})")
        with self._lock:
            self._now += seconds


class RealClock:
    """The wall clock, with jobs rendering ``speed`` times faster than the configured timings.

    The time itself is never scaled, so timestamps stay real and several processes sharing a
    database agree on each job's state.

    Args:
        speed: How many times faster than the configured timings jobs complete (> 0).

    Raises:
        ValueError: If ``speed`` is not positive.
    """

    def __init__(self, speed: float = 1.0) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed!r}")
        self._speed = speed

    @property
    def speed(self) -> float:
        """How many times faster than the configured timings jobs complete."""
        return self._speed

    def now(self) -> float:
        """Return the wall-clock time, in Unix seconds."""
        return time.time()
