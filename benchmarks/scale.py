"""A batch at scale: 10,000 and 100,000 prompts through ``videos.batch`` with an output folder
and a manifest, results streamed to ``on_result``: peak client memory and wall time per job.

    python benchmarks/scale.py [--counts 10000 100000] [--speed 1000]

The emulator runs in its own process (90 s jobs, 1 s hints, ``CAPACITY`` rendering at once,
``RealClock(speed=...)``), served on loopback; the batch runs in a fresh client process that
reports its peak RSS (``VmHWM``, reset at start) and wall time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Result, proc_status, reset_peak_rss

import sora_videos
from sora_videos.emulator import Emulator, RealClock, Timing

CAPACITY = 100
CONCURRENCY = 16
TIMING = Timing(queued=0.0, rendering=90.0, poll_after=1.0)


def serve(speed: float) -> None:
    """Serve the emulator until standard input closes (run as ``--serve``)."""
    emulator = Emulator(clock=RealClock(speed=speed), timing=TIMING, max_running_per_key=CAPACITY)
    with emulator, emulator.serve() as base_url:
        print(base_url, flush=True)
        sys.stdin.read()


def client(base_url: str, count: int, folder: Path) -> None:
    """Run the batch and print ``{"seconds", "peak_mib", "completed"}`` (run as ``--client``)."""
    reset_peak_rss()
    before = proc_status("VmRSS")
    completed = 0

    def on_result(result: sora_videos.BatchResult) -> None:
        nonlocal completed
        completed += result.status == "completed"

    prompts = (f"shot {n}" for n in range(count))
    start = time.perf_counter()
    with sora_videos.Sora(api_key="bench", base_url=base_url) as sora:
        sora.videos.batch(
            prompts,
            concurrency=CONCURRENCY,
            max_pending=CAPACITY,
            output_dir=folder / "out",
            manifest=folder / "manifest.jsonl",
            max_wait=None,
            on_result=on_result,
            collect=False,  # results streamed, not held
        )
    seconds = time.perf_counter() - start
    peak = (proc_status("VmHWM") - before) / 2**20
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "completed": completed}))


def measure(count: int, speed: float) -> dict[str, float]:
    """One batch of ``count`` prompts, emulator and client each in their own process."""
    here = str(Path(__file__))
    with (
        subprocess.Popen(
            [sys.executable, here, "--serve", "--speed", str(speed)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        ) as server,
        tempfile.TemporaryDirectory() as folder,
    ):
        if server.stdin is None or server.stdout is None:
            raise RuntimeError("the server's pipes are missing")
        base_url = server.stdout.readline().strip()
        try:
            command = [sys.executable, here, "--client", base_url, str(count), folder]
            answer = subprocess.run(command, capture_output=True, text=True, check=True)
        finally:
            server.stdin.close()
            server.wait(timeout=60)
    figures: dict[str, float] = json.loads(answer.stdout.splitlines()[-1])
    return figures


def run(counts: tuple[int, ...], speed: float) -> tuple[Result, Result]:
    """Peak client memory and wall time per job, at each count."""
    memory = Result("batch with output_dir and manifest, peak client memory", "MiB")
    per_job = Result("batch with output_dir and manifest, wall time per job", "ms")
    for count in counts:
        figures = measure(count, speed)
        memory.add(f"sora_videos @ {count:,}", figures["peak_mib"])
        per_job.add(f"sora_videos @ {count:,}", figures["seconds"] / count * 1000)
        memory.notes.append(f"{count:,} prompts: {figures['completed']:,.0f} completed")
    return memory, per_job


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--speed", type=float, default=1000.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve:
        serve(arguments.speed)
    elif arguments.client:
        base_url, count, folder = arguments.client
        client(base_url, int(count), Path(folder))
    else:
        show(run(tuple(arguments.counts), arguments.speed))


def show(results: tuple[Result, Result]) -> None:
    """Print each figure and note."""
    for result in results:
        for variant, stats in result.variants.items():
            print(f"{result.name} ({result.unit}), {variant}: {stats.median:,.1f}")
        for note in result.notes:
            print(f"- {note}")


if __name__ == "__main__":
    main()
