"""The fault campaign as tests: every row of the table in ``docs/reliability.md`` must keep the
SDK's promises (see ``campaign.py`` for how each row is run and counted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sora_videos import APIConnectionError, APIError, RateLimitError
from sora_videos._retry import MAX_RETRY_AFTER
from sora_videos.emulator import Emulator, Fault, ManualClock

from .campaign import CALLS, MAX_RETRIES, SCENARIOS, Row, Scenario, recorded_waits, run

pytestmark = pytest.mark.slow  # the fault campaign: 300 calls per fault

NOT_RETRIED = {"429, Retry-After: 120 (over the cap)", "malformed JSON (200)"}
"""Faults the SDK must not retry: it cannot tell a truncated 2xx body from a bug, and it never
sleeps blindly on a Retry-After over the cap."""


@pytest.fixture(scope="module", params=SCENARIOS, ids=[s.name for s in SCENARIOS])
def row(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Row:
    """One row of the table, run once for the tests below."""
    scenario: Scenario = request.param
    return run(scenario, CALLS, tmp_path_factory.mktemp("campaign"))


def test_nothing_is_lost_duplicated_or_left_behind(row: Row) -> None:
    assert row.fault_hits > 0
    assert row.wrong_errors == []
    assert row.duplicate_jobs == 0
    assert row.partial_files == 0
    assert row.over_budget == 0


def test_each_retry_waits_once_and_within_the_cap(row: Row) -> None:
    for outcome in row.outcomes:
        assert len(outcome.waits) == outcome.requests - 1, outcome
        assert outcome.requests <= 1 + MAX_RETRIES
    assert all(0 < wait <= MAX_RETRY_AFTER for wait in row.waits)
    if row.scenario.name == "429, Retry-After: 2":
        assert set(row.waits) == {2.0}  # the server's word, not the backoff
    elif row.waits:
        assert max(row.waits) <= 1.0  # backoff before the 1st and 2nd retry: 0.5 s, 1 s


def test_counts_are_non_zero_where_expected(row: Row) -> None:
    assert row.ok_first_try > 0
    if row.scenario.name in NOT_RETRIED:
        assert row.ok_after_retries == 0
        assert row.typed_errors == row.fault_hits  # every hit fails, at once
        assert row.waits == []
    else:
        assert row.ok_after_retries > 0
        assert row.typed_errors > 0  # three faults in a row: about 2.7% of calls at 30%


def test_a_retry_after_over_the_cap_is_raised_not_slept(tmp_path: Path) -> None:
    (scenario,) = [s for s in SCENARIOS if s.name == "429, Retry-After: 120 (over the cap)"]
    row = run(scenario, 20, tmp_path)
    errors = [o.error for o in row.outcomes if o.error is not None]
    assert errors
    for error in errors:
        assert isinstance(error, RateLimitError)
        assert error.retry_after == 120.0


def test_a_failed_create_names_its_idempotency_key(tmp_path: Path) -> None:
    for scenario in SCENARIOS:
        if scenario.operation != "create":
            continue
        row = run(scenario, 10, tmp_path / scenario.name)
        for outcome in row.outcomes:
            if outcome.error is not None:
                assert isinstance(outcome.error, APIError)
                assert (outcome.error.idempotency_key or "").startswith("sora-videos-")


def test_an_error_answer_cut_mid_body_is_a_connection_error(tmp_path: Path) -> None:
    # Found by the campaign: the cut surfaced as a bare httpx.RemoteProtocolError.
    with Emulator(clock=ManualClock()) as emu, emu.client(max_retries=2) as sora:
        video = sora.videos.create(prompt="not rendered yet")  # its content answers 409
        emu.faults.add(Fault.cut(fraction=0.5), path="/videos/{id}/content")
        with recorded_waits(sora) as waits:
            with pytest.raises(APIConnectionError, match="RemoteProtocolError"):
                sora.videos.download_content(video.id)
            with pytest.raises(APIConnectionError):
                sora.videos.download(video.id, tmp_path / "v.mp4")
    assert len(emu.requests.matching("GET", f"/videos/{video.id}/content")) == 6
    assert len(waits) == 4
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
async def test_an_error_answer_cut_mid_body_is_a_connection_error_async(tmp_path: Path) -> None:
    with Emulator(clock=ManualClock()) as emu:
        async with emu.async_client(max_retries=1) as sora:
            video = await sora.videos.create(prompt="not rendered yet")
            emu.faults.add(Fault.cut(fraction=0.5), path="/videos/{id}/content")
            with recorded_waits(sora), pytest.raises(APIConnectionError):
                await sora.videos.download(video.id, tmp_path / "v.mp4")
    assert len(emu.requests.matching("GET", f"/videos/{video.id}/content")) == 2
    assert list(tmp_path.iterdir()) == []
