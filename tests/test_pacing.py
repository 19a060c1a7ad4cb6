"""Pacing, driven by a hand-set clock: slots, spacing learned from headers, exhaustion."""

from __future__ import annotations

import pytest

from sora_videos._pacing import Pacer, parse_duration


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
