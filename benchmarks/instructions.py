"""Instructions per operation, counted by valgrind's callgrind: ``retrieve`` (sync and async)
and ``list`` (per video) for the floor, sora_videos and openai. The timed figures of
``percall.py`` and ``paging.py`` move with whatever else the machine is doing; these counts
do not, so they show a regression (or its absence) on a busy machine too.

    python benchmarks/instructions.py        (needs valgrind; about 3 minutes on 2 cores)

Each variant runs in its own process under callgrind twice, with the same set-up and warm-up
and then none or ``COUNT`` operations; the difference over ``COUNT`` is one operation's cost.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import paging
import percall
from common import Result

SYNC, ASYNC, LIST = "retrieve, sync", "retrieve, async", "list, per video"
VARIANTS = (percall.FLOOR, percall.SORA, percall.OPENAI)
WARM, COUNT = 100, 400  # calls; a list operation is one walk of LIST_SIZE videos
LIST_WARM, LIST_COUNT, LIST_SIZE = 1, 3, 1_000


def operations(kind: str, variant: str) -> Callable[[int], None]:
    """A function that performs ``n`` operations of ``kind`` with ``variant``, after set-up."""
    if kind == SYNC:
        call = percall.sync_calls()[variant]

        def calls(n: int) -> None:
            for _ in range(n):
                call()

        return calls
    if kind == ASYNC:

        async def awaited(n: int) -> None:
            call = percall.async_calls()[variant]  # built inside the loop it runs on
            for _ in range(n):
                await call()

        return lambda n: asyncio.run(awaited(n))
    walk = paging.walkers(LIST_SIZE)[variant]

    def walks(n: int) -> None:
        for _ in range(n):
            for _video in walk():
                pass

    return walks


def _child(kind: str, variant: str, count: int) -> None:
    warm = LIST_WARM if kind == LIST else WARM
    if kind == ASYNC:  # one event loop for warm-up and the counted calls
        operations(kind, variant)(warm + count)
        return
    run = operations(kind, variant)
    run(warm)
    run(count)


def instructions(kind: str, variant: str, count: int) -> int:
    """The instructions one child process executes in all (callgrind's ``Collected``)."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    command += [sys.executable, str(Path(__file__)), "--child", kind, variant, str(count)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_operation(kind: str, variant: str) -> float:
    """Instructions of one operation: the count with ``COUNT`` more, less the count without."""
    count = LIST_COUNT if kind == LIST else COUNT
    per = count * LIST_SIZE if kind == LIST else count
    with ThreadPoolExecutor(2) as pool:
        without, with_more = pool.map(lambda n: instructions(kind, variant, n), (0, count))
    return (with_more - without) / per


def run() -> dict[str, Result]:
    """Each kind's instructions per operation, per variant (keyed like ``run.measure``)."""
    if shutil.which("valgrind") is None:
        raise RuntimeError("valgrind is not installed (apt-get install valgrind)")
    keys = {SYNC: "sync_instructions", ASYNC: "async_instructions", LIST: "list_instructions"}
    results: dict[str, Result] = {}
    for kind, key in keys.items():
        result = results[key] = Result(f"{kind}, instructions", "k instructions")
        for variant in VARIANTS:
            result.add(variant, per_operation(kind, variant) / 1000)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        kind, variant, count = arguments.child
        _child(kind, variant, int(count))
        return
    for result in run().values():
        floor = result.variants[percall.FLOOR].median
        for variant, stats in result.variants.items():
            print(f"{result.name}, {variant}: {stats.median:,.1f}k ({stats.median / floor:.2f}x)")


if __name__ == "__main__":
    main()
