"""Benchmark sora_videos against a hand-written httpx + pydantic floor and ``openai``.

    python benchmarks/run.py            the full run (about 6 minutes on 2 cores, and 3 more
                                        for the instruction counts when valgrind is installed)
    python benchmarks/run.py --quick    fewer repeats, smaller sizes (about 3 minutes)

Prints the targets table and every variant's median [min-max], and writes the chart and the
raw numbers (``--out``, default ``docs/``: ``performance.png``, ``performance.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import concurrency
import download
import instructions
import paging
import percall
import polling
import report
import requests
import startup
from common import Result


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    calls: int
    call_repeats: int
    list_count: int
    list_repeats: int
    import_repeats: int
    download_size: int
    download_repeats: int
    concurrent: int
    concurrency_repeats: int
    jobs: int
    per_job_jobs: int


FULL = Plan(2000, 15, 10_000, 9, 15, 1 << 30, 3, 1000, 5, 1000, 1000)
QUICK = Plan(500, 5, 10_000, 3, 5, 256 << 20, 1, 1000, 2, 200, 50)


def measure(plan: Plan) -> dict[str, Result]:
    """Run every benchmark; each result keyed as ``report.target_rows`` expects."""
    results: dict[str, Result] = {}
    with _step("retrieve, sync"):
        results["sync"] = percall.run_sync(plan.calls, plan.call_repeats)
    with _step("retrieve, async"):
        results["async"] = percall.run_async(plan.calls, plan.call_repeats)
    with _step("list"):
        results["list"] = paging.run_time(plan.list_count, plan.list_repeats)
        results["list_memory"] = paging.run_memory(_list_counts(plan))
    with _step("import"):
        results["import_wall"], results["import_rss"] = startup.run(plan.import_repeats)
    with _step("download"):
        speed, memory = download.run(plan.download_size, plan.download_repeats)
        results["download_speed"], results["download_memory"] = speed, memory
    with _step("concurrency"):
        speed, errors = concurrency.run(plan.concurrent, plan.concurrency_repeats)
        results["concurrency"], results["concurrency_errors"] = speed, errors
    with _step("poll"):
        results["poll"] = polling.run()
    with _step("requests per job, paced run"):
        results.update(requests.measure(plan.jobs, plan.per_job_jobs, requests.SPEED))
    if plan is FULL and shutil.which("valgrind"):
        with _step("instructions (callgrind)"):
            results.update(instructions.run())
    return results


@contextlib.contextmanager
def _step(label: str) -> Iterator[None]:
    start = time.perf_counter()
    print(f"... {label}", end="", flush=True, file=sys.stderr)
    yield
    print(f" ({time.perf_counter() - start:.0f} s)", file=sys.stderr)


def _list_counts(plan: Plan) -> tuple[int, int]:
    return plan.list_count // 10, plan.list_count


def environment() -> str:
    """The versions and machine the numbers come from."""
    packages = ("sora-videos", "httpx", "httpx2", "pydantic", "openai")
    versions = ", ".join(f"{name} {version(name)}" for name in packages)
    cpus = len(os.sched_getaffinity(0))
    return f"Python {platform.python_version()}, {versions}; {cpus} CPUs, {platform.machine()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "docs")
    arguments = parser.parse_args()
    plan = QUICK if arguments.quick else FULL
    results = measure(plan)
    rows = report.target_rows(results, _list_counts(plan))
    command = "python benchmarks/run.py" + (" --quick" if arguments.quick else "")
    print(f"\n{command}\n{environment()}\n")
    print(report.markdown_targets(rows))
    print()
    print(report.markdown_details(results))
    arguments.out.mkdir(parents=True, exist_ok=True)
    report.chart(results, arguments.out / "performance.png", f"{command}  ·  {environment()}")
    raw = {
        "command": command,
        "environment": environment(),
        "plan": asdict(plan),
        "results": {key: asdict(result) for key, result in results.items()},
    }
    (arguments.out / "performance.json").write_text(json.dumps(raw, indent=1) + "\n")


if __name__ == "__main__":
    main()
