#!/usr/bin/env python3
"""Run the fault campaign and print its table (the one in docs/reliability.md).

    .venv/bin/python scripts/fault_campaign.py              150 sync + 150 async calls a row
    .venv/bin/python scripts/fault_campaign.py --calls 1000  more calls, same invariants

Everything runs in-process against the emulator, seeded: the same arguments print the same
counts. The exit status is 1 if any row breaks a promise (a wrong error class, a duplicate
job, a partial file, a request beyond the retry budget).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.reliability.campaign import CALLS, SCENARIOS, Row, format_table, run
from tests.reliability.hostile_campaign import (
    ATTACKS,
    AttackRow,
    format_attacks,
    run_attack,
)
from tests.reliability.hostile_campaign import (
    CALLS as ATTACK_CALLS,
)


def broken(row: Row) -> bool:
    """Whether a row breaks one of the promises the tests assert."""
    return bool(row.wrong_errors or row.duplicate_jobs or row.partial_files or row.over_budget)


def attacks(calls: int) -> list[AttackRow]:
    """The hostile campaign's rows, over a raw loopback socket."""
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for number, attack in enumerate(ATTACKS):
            row = run_attack(attack, calls, Path(workdir) / str(number))
            rows.append(row)
            print(f"{attack.name}: {row.seconds:.1f} s", file=sys.stderr)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=CALLS, help="calls per mode in each row")
    parser.add_argument(
        "--attack-calls", type=int, default=ATTACK_CALLS, help="calls per mode, hostile rows"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    for scenario in SCENARIOS:
        row = run(scenario, args.calls)
        rows.append(row)
        print(f"{scenario.name}: {row.seconds:.1f} s", file=sys.stderr)
    print(format_table(rows))
    print(f"\n{sum(r.calls for r in rows)} calls in {time.perf_counter() - started:.1f} s")
    for row in rows:
        for error in row.wrong_errors[:3]:
            print(f"{row.scenario.name}: unexpected {type(error).__name__}: {error}")
    hostile = attacks(args.attack_calls)
    print("\n" + format_attacks(hostile))
    for attack_row in hostile:
        for error in attack_row.other_errors[:3]:
            print(f"{attack_row.attack.name}: unexpected {type(error).__name__}: {error}")
    failed = any(broken(row) for row in rows) or any(
        attack_row.other_errors or attack_row.files_left for attack_row in hostile
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
