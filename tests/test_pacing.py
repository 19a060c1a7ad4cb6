"""Pacing, driven by a hand-set clock: slots, spacing learned from headers, exhaustion; then
whole runs against the emulator's rate limit."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pytest

from sora_videos import AsyncSora, Sora
from sora_videos._pacing import BEFORE_A_LIMIT, Pacer, parse_duration
from sora_videos.emulator import Emulator, ManualClock, RateLimit, Timing
from sora_videos.emulator._limits import RateLimiter

from .conftest import sleeping_with

ClientT = TypeVar("ClientT", Sora, AsyncSora)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("20ms", 0.02),
        ("1h2m3.5s", 3723.5),
        ("0.5", 0.5),
        (" 2s ", 2.0),
        ("", None),
        ("soon", None),
        ("1s later", None),
        ("-1", None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_reset_durations_parse_as_openai_sends_them(text: str, seconds: float | None) -> None:
    result = parse_duration(text)
    if seconds is None:
        assert result is None
    else:
        assert result == pytest.approx(seconds)


def test_no_headers_means_no_wait() -> None:
    pacer = Pacer(Clock())
    pacer.observe({"content-type": "application/json"})
    assert [pacer.reserve() for _ in range(5)] == [0.0] * 5


def test_remaining_requests_are_spread_over_the_reset_time() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.observe({"x-ratelimit-remaining-requests": "10", "x-ratelimit-reset-requests": "5s"})
    assert pacer.interval == pytest.approx(0.5)
    waits = [pacer.reserve() for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.5, 1.0, 1.5])
    clock.now += 10  # time passed: slots in the past are not owed
    assert pacer.reserve() == 0.0


def test_an_exhausted_allowance_holds_requests_until_it_resets() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.observe({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s"})
    assert pacer.reserve() == pytest.approx(2.0)


def test_the_tighter_of_requests_and_tokens_wins() -> None:
    pacer = Pacer(Clock())
    pacer.observe(
        {
            "x-ratelimit-remaining-requests": "100",
            "x-ratelimit-reset-requests": "1s",
            "x-ratelimit-remaining-tokens": "2",
            "x-ratelimit-reset-tokens": "1s",
        }
    )
    assert pacer.interval == pytest.approx(0.5)


@pytest.mark.parametrize(
    "headers",
    [
        {"x-ratelimit-remaining-requests": "many", "x-ratelimit-reset-requests": "1s"},
        {"x-ratelimit-remaining-requests": "5", "x-ratelimit-reset-requests": "tomorrow"},
        {"x-ratelimit-remaining-requests": "-3", "x-ratelimit-reset-requests": "1s"},
        {"x-ratelimit-remaining-requests": "5"},
    ],
)
def test_unreadable_headers_change_nothing(headers: dict[str, str]) -> None:
    pacer = Pacer(Clock())
    pacer.observe(headers)
    assert pacer.interval == 0.0
    assert pacer.reserve() == 0.0


def test_a_huge_reset_is_capped_so_a_lying_server_cannot_stall_the_client() -> None:
    pacer = Pacer(Clock())
    pacer.observe({"x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "999h"})
    assert pacer.interval == 60.0


def test_with_the_limit_known_slots_follow_the_rate_it_sustains() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.observe(
        {
            "x-ratelimit-limit-requests": "60",
            "x-ratelimit-remaining-requests": "59",
            "x-ratelimit-reset-requests": "1m0s",
        }
    )
    assert pacer.interval == pytest.approx(1.0)  # 60 per minute, not 1m0s / 59 left


def test_no_request_goes_before_the_one_a_limit_back_is_a_window_old() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    headers = {
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "2",
        "x-ratelimit-reset-requests": "1ms",  # a reset this short spaces nothing
    }
    pacer.observe(headers)
    pacer.observe({**headers, "x-ratelimit-reset-requests": "10s"})  # the window's length
    pacer.observe(headers)
    first = [pacer.reserve() for _ in range(3)]
    assert sum(first) < 0.01
    assert pacer.reserve() == pytest.approx(10.0 * 1.05, abs=0.01)


def test_sends_before_a_limit_count_in_its_first_window_and_memory_stays_bounded() -> None:
    # A 100,000-job batch sends 200,000 requests: the pacer keeps a window's send times,
    # not all of them (BEFORE_A_LIMIT while no limit is known).
    clock = Clock()
    pacer = Pacer(clock)
    for _ in range(5_000):
        assert pacer.reserve() == 0.0  # nothing known: no pacing
        clock.now += 0.001
    assert len(pacer._sent) == BEFORE_A_LIMIT  # pyright: ignore[reportPrivateUsage]
    pacer.observe(
        {
            "x-ratelimit-limit-requests": "3",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": "10s",
        }
    )
    assert len(pacer._sent) == 3  # pyright: ignore[reportPrivateUsage]
    # the 3 sent in the last few ms fill the window: the next waits until it has passed
    assert pacer.reserve() == pytest.approx(10.0 * 1.05, abs=0.01)


@pytest.mark.parametrize("concurrency", [1, 8])
def test_a_run_paced_by_a_sliding_window_gets_no_429_near_the_bound(concurrency: int) -> None:
    """Against the emulator's limiter (60 per minute, counted over a sliding window): no
    request refused, and the run takes about what the limit allows and no more."""
    clock = Clock()
    limiter = RateLimiter(RateLimit(60, period=60.0))
    pacer = Pacer(clock)
    refused, sends, in_flight = 0, 300, []
    for _ in range(sends):
        clock.now += pacer.reserve()
        verdict = limiter.check("key", clock.now)
        refused += not verdict.allowed
        in_flight.append(dict(verdict.headers))
        if len(in_flight) >= concurrency:  # answers arrive `concurrency` requests late
            pacer.observe(in_flight.pop(0))
    elapsed = clock.now - 100.0
    assert refused == 0
    assert (sends - 60) * 1.0 <= elapsed <= sends * 1.0 * 1.1


# Against the emulator's per-key limit: the client's waits move the emulator's clock, and its
# pacer reads that clock, so the run below is exact and takes no real time.

LIMIT = RateLimit(20, period=60.0)


def paced(sora: ClientT, clock: ManualClock) -> ClientT:
    """The client, pacing on the emulator's clock and waiting by moving it."""
    sora._engine.config = replace(sora._engine.config, pacer=Pacer(clock.now))
    return sleeping_with(sora, clock.advance)


def check_paced_run(emu: Emulator, elapsed: float) -> None:
    """No 429, and about the time the limit needs for these requests, not much more."""
    sent = len(emu.requests)
    assert [r.status for r in emu.requests if r.status != 200] == []
    lower_bound = (sent - LIMIT.requests) * LIMIT.period / LIMIT.requests
    assert lower_bound <= elapsed <= sent * LIMIT.period / LIMIT.requests * 1.15


def test_a_run_that_fits_the_limit_gets_no_429(tmp_path: Path) -> None:
    clock = ManualClock()
    emu = Emulator(clock=clock, timing=Timing(poll_after=1.0), rate_limit=LIMIT)
    with emu, paced(emu.client(max_retries=0), clock) as sora:
        start = clock.now()
        created = [sora.videos.create(prompt=f"shot {n}") for n in range(30)]
        for video in sora.videos.as_completed(created):
            sora.videos.download(video.id, tmp_path / f"{video.id}.mp4")
        check_paced_run(emu, clock.now() - start)
    assert len(list(tmp_path.iterdir())) == 30


@pytest.mark.anyio
async def test_an_async_run_that_fits_the_limit_gets_no_429() -> None:
    clock = ManualClock()
    with Emulator(clock=clock, timing=Timing(poll_after=1.0), rate_limit=LIMIT) as emu:
        async with paced(emu.async_client(max_retries=0), clock) as sora:
            start = clock.now()
            created = [await sora.videos.create(prompt=f"shot {n}") for n in range(30)]
            finished = [video async for video in sora.videos.as_completed(created)]
            for video in finished:
                await sora.videos.retrieve(video.id)
            check_paced_run(emu, clock.now() - start)


def test_copies_on_the_same_account_share_the_pace_others_do_not() -> None:
    clock = ManualClock()
    emu = Emulator(clock=clock, rate_limit=RateLimit(2, period=60.0))
    with emu, paced(emu.client(max_retries=0), clock) as sora:
        video = sora.videos.create(prompt="one")
        sora.videos.retrieve(video.id)  # the allowance is spent
        before = clock.now()
        sora.with_options(timeout=5.0).videos.retrieve(video.id)
        assert clock.now() - before >= 30  # waited for its slot instead of a 429
        other = sora.with_options(api_key="another key")
        before = clock.now()
        other.videos.list()
        assert clock.now() == before  # its own allowance, untouched
    assert 429 not in [r.status for r in emu.requests]
