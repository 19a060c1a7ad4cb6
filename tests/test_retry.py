"""The retry policy, as pure functions: no transport, no clock."""

from __future__ import annotations

import email.utils

import pytest

from sora_videos._retry import MAX_RETRY_AFTER, RetryPolicy, backoff, decide, retry_after


def test_backoff_doubles_from_half_a_second_and_is_capped() -> None:
    no_jitter = [backoff(attempt, rng=lambda: 0.0) for attempt in range(6)]
    assert no_jitter == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_backoff_jitter_shortens_by_at_most_a_quarter() -> None:
    assert backoff(1, rng=lambda: 1.0) == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after-ms": "junk", "retry-after": "4"}, 4.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_reads_milliseconds_seconds_and_junk(
    headers: dict[str, str], expected: float | None
) -> None:
    assert retry_after(headers) == expected


def test_retry_after_reads_an_http_date() -> None:
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after({"retry-after": date}, now=lambda: now) == pytest.approx(30.0)


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, None])
def test_transient_failures_are_retried(status: int | None) -> None:
    decision = decide(status, {}, attempt=0, max_retries=2, rng=lambda: 0.0)
    assert decision.retry
    assert decision.delay == 0.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_final(status: int) -> None:
    assert not decide(status, {}, attempt=0, max_retries=2).retry


def test_the_budget_is_never_exceeded() -> None:
    assert decide(503, {}, attempt=1, max_retries=2).retry
    assert not decide(503, {}, attempt=2, max_retries=2).retry
    assert not decide(503, {}, attempt=0, max_retries=0).retry


def test_server_wait_is_honoured_up_to_the_cap() -> None:
    decision = decide(429, {"retry-after": "7"}, attempt=0, max_retries=2)
    assert decision.retry
    assert decision.delay == 7.0


def test_a_wait_beyond_the_cap_is_not_slept_on() -> None:
    wait = MAX_RETRY_AFTER + 1
    decision = decide(429, {"retry-after": str(wait)}, attempt=0, max_retries=2)
    assert not decision.retry
    assert decision.retry_after == wait


def test_x_should_retry_overrides_the_status() -> None:
    assert not decide(503, {"x-should-retry": "false"}, attempt=0, max_retries=2).retry
    assert decide(400, {"x-should-retry": "true"}, attempt=0, max_retries=2).retry


def test_an_upload_that_cannot_be_replayed_is_not_retried() -> None:
    assert not decide(None, {}, attempt=0, max_retries=2, replayable=False).retry


def test_one_budget_is_spent_across_every_request_of_an_operation() -> None:
    paused: list[float] = []
    budget = RetryPolicy(max_retries=2).budget(on_rate_limit=paused.append)
    assert budget.decide(503, {}).retry
    assert budget.decide(429, {"retry-after": "3"}).retry
    assert paused == [3.0]  # a 429's wait is told, for a batch to hold every job back
    spent = budget.decide(None, {})
    assert not spent.retry
    assert spent.reason == "retry budget spent"
    assert budget.used == 2
    assert RetryPolicy(max_retries=2).budget().decide(None, {}).retry  # a new operation
