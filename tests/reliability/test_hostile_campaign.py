"""The hostile campaign as tests: every row of the second table in ``docs/reliability.md``
must keep the SDK's promises (see ``hostile_campaign.py`` for how each row is run)."""

from __future__ import annotations

import pytest

from .hostile_campaign import ATTACKS, CALLS, Attack, AttackRow, run_attack

pytestmark = pytest.mark.slow  # real sockets, bombs and trickles: about 20 s in all


@pytest.fixture(scope="module", params=ATTACKS, ids=[a.name for a in ATTACKS])
def row(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AttackRow:
    """One row of the table, run once for the tests below."""
    attack: Attack = request.param
    return run_attack(attack, CALLS, tmp_path_factory.mktemp("attack"))


def test_every_call_ends_as_promised(row: AttackRow) -> None:
    assert row.other_errors == []
    if row.attack.error is None:
        assert row.ok == row.calls
    else:
        assert row.sdk_errors == row.calls


def test_nothing_is_left_and_requests_are_bounded(row: AttackRow) -> None:
    assert row.files_left == 0
    assert row.max_requests <= row.attack.max_requests


def test_memory_and_time_are_bounded(row: AttackRow) -> None:
    # The bombs decode to 48 MiB and the error page is 32 MiB: a cap of 8 MiB (64 KiB for
    # an error) keeps every row far below either.
    assert row.peak_mib < 24
    assert row.seconds < 2 * row.calls * 2.0  # no call near 2 s, the trickle included
