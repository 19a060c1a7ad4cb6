"""Requests per job: many jobs watched together (fleet polling) against a poll loop per job,
and a run paced under a rate limit, on the emulator with realistic timing.

    python benchmarks/requests.py [--quick]      print the tables (run.py runs it too)

Jobs take 90 s with a fixed 1 s poll hint (``Timing(poll_after=1.0)``); the server renders at
most ``CAPACITY`` jobs of a key at once (``max_running_per_key``). Every variant makes each
job and downloads its video to a file; the emulator's request log counts what it cost.

- Requests per job run on **virtual time**: a ``ManualClock`` that the client's own waits move
  (its engine's ``sleep``; openai's ``_sleep``), so 90 s jobs cost no wall time and each count
  is exact. A scaled ``RealClock`` cannot serve here: a poll loop per job sends ``jobs running
  x speed`` requests per second of wall time, more than one core answers, and a loop that
  falls behind the clock sends fewer polls than it would for real. Per-job loops run one job
  at a time (each costs the same alone as beside others, while they fit the capacity).
- The paced run uses the wall clock, scaled: ``RealClock(speed=...)`` with the period of the
  limit divided alike, the client pacing on its own monotonic clock.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import httpx2
import openai
import report
from common import API_KEY, Result

import sora_videos
from sora_videos.emulator import Emulator, ManualClock, RateLimit, RealClock, Timing

JOB_SECONDS = 90.0
HINT = 1.0
CAPACITY = 100
TIMING = Timing(queued=0.0, rendering=JOB_SECONDS, poll_after=HINT)  # 4-second videos
LIMIT = RateLimit(60, period=60.0)
SPEED = 60.0
"""How much faster than real the paced run goes (90 s jobs in 1.5 s, a minute in one)."""
BATCH_SPEED = 10.0
"""The batch's scaled clock: a 1 s hint is 100 ms of wall time, 10x a round's cost here."""
SMALL_WAVE = 16
FLEET, BATCH = "sora_videos as_completed (fleet)", "sora_videos batch (fleet)"
FLEET_SMALL = f"sora_videos as_completed, {SMALL_WAVE} at a time"
PER_JOB, OPENAI = "sora_videos create_and_poll per job", "openai create_and_poll per job"
PACED, BOUND = "sora_videos, paced", "lower bound of the limit"


@dataclass
class Run:
    """What one run cost: the emulator's log, counted, and how long it took."""

    jobs: int
    requests: int
    refused: int
    seconds: float

    @property
    def per_job(self) -> float:
        return self.requests / self.jobs


@contextmanager
def _emulator(clock: ManualClock | RealClock, limit: RateLimit | None = None) -> Iterator[Emulator]:
    emulator = Emulator(clock=clock, timing=TIMING, max_running_per_key=CAPACITY, rate_limit=limit)
    with emulator:
        yield emulator


def _counted(emu: Emulator, jobs: int, seconds: float) -> Run:
    refused = sum(1 for record in emu.requests if record.status == 429)
    return Run(jobs, len(emu.requests), refused, seconds)


def fleet(jobs: int, wave: int, out: Path) -> Run:
    """Waves of ``wave`` jobs: create them, ``as_completed``, download each as it finishes."""
    clock = ManualClock()
    with _emulator(clock) as emu, emu.client() as sora:
        sora._engine.sleep = clock.advance  # virtual time: waiting moves the emulator's clock
        start = clock.now()
        _fleet_waves(sora, jobs, wave, out)
        return _counted(emu, jobs, clock.now() - start)


def _fleet_waves(sora: sora_videos.Sora, jobs: int, wave: int, out: Path) -> None:
    for first in range(0, jobs, wave):
        count = min(wave, jobs - first)
        created = [sora.videos.create(prompt=f"shot {first + n}", seconds=4) for n in range(count)]
        for video in sora.videos.as_completed(created):
            sora.videos.download(video.id, out / f"{video.id}.mp4")


def per_job_sora(jobs: int, out: Path) -> Run:
    """Our ``create_and_poll``, then ``download``, one job after the other."""
    clock = ManualClock()
    with _emulator(clock) as emu, emu.client() as sora:
        sora._engine.sleep = clock.advance
        start = clock.now()
        for n in range(jobs):
            video = sora.videos.create_and_poll(prompt=f"shot {n}", seconds=4)
            sora.videos.download(video.id, out / f"{video.id}.mp4")
        return _counted(emu, jobs, clock.now() - start)


def per_job_openai(jobs: int, out: Path) -> Run:
    """openai's ``create_and_poll``, then ``download_content().write_to_file()``."""
    clock = ManualClock()
    with _emulator(clock) as emu:
        http = httpx2.Client(transport=httpx2.MockTransport(_bridge(emu)))
        with openai.OpenAI(api_key=API_KEY, base_url=emu.base_url, http_client=http) as oai:
            oai.videos._sleep = clock.advance  # type: ignore[method-assign]
            start = clock.now()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # the Videos API's notice
                for n in range(jobs):
                    video = oai.videos.create_and_poll(prompt=f"shot {n}", seconds="4")
                    content = oai.videos.download_content(video.id)
                    content.write_to_file(out / f"{video.id}.mp4")
        return _counted(emu, jobs, clock.now() - start)


def _bridge(emu: Emulator) -> Callable[[httpx2.Request], httpx2.Response]:
    """An httpx2 handler answering from the emulator in-process (openai runs on httpx2)."""
    transport = emu.transport()

    def answer(request: httpx2.Request) -> httpx2.Response:
        forwarded = httpx.Request(
            request.method, str(request.url), headers=request.headers.multi_items(),
            content=request.read(),
        )  # fmt: skip
        response = transport.handle_request(forwarded)
        body = response.read()
        return httpx2.Response(
            response.status_code, headers=response.headers.multi_items(), content=body
        )

    return answer


def batch(jobs: int, out: Path) -> Run:
    """``videos.batch`` with downloads, on a scaled wall clock (it runs jobs in threads, whose
    waits cannot each move a shared virtual clock), slow enough (``BATCH_SPEED``) that a
    round of polls takes far less than the scaled hint: a client that fell behind the clock
    would poll less than for real, and look better than it is."""
    with _emulator(RealClock(speed=BATCH_SPEED)) as emu, emu.client() as sora:
        prompts = (f"shot {n}" for n in range(jobs))
        sora.videos.batch(
            prompts, concurrency=16, max_pending=CAPACITY, output_dir=out, max_wait=None
        )
        return _counted(emu, jobs, 0.0)


def paced(jobs: int, wave: int, speed: float, out: Path) -> Run:
    """The fleet waves under ``LIMIT`` on a scaled wall clock; ``seconds`` in the
    emulator's time (wall time x speed)."""
    with _emulator(RealClock(speed=speed), LIMIT) as emu, emu.client() as sora:
        start = time.monotonic()
        _fleet_waves(sora, jobs, wave, out)
        return _counted(emu, jobs, (time.monotonic() - start) * speed)


def lower_bound(run: Run, limit: RateLimit = LIMIT) -> float:
    """The least time ``run.requests`` take under ``limit``: a first window's worth at once,
    then ``limit.requests`` per period; never less than the jobs' own rendering time."""
    requests_bound = max(run.requests - limit.requests, 0) * limit.period / limit.requests
    waves = -(-run.jobs // CAPACITY)
    return max(requests_bound, waves * JOB_SECONDS)


def run_requests(jobs: int, per_job_jobs: int) -> Result:
    """Requests per completed and downloaded job, for each variant."""
    result = Result(f"requests per job, {jobs:,} jobs of 90 s", "requests/job")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        runs = {
            FLEET: lambda: fleet(jobs, CAPACITY, out),
            FLEET_SMALL: lambda: fleet(jobs, SMALL_WAVE, out),
            PER_JOB: lambda: per_job_sora(per_job_jobs, out),
            OPENAI: lambda: per_job_openai(per_job_jobs, out),
            BATCH: lambda: batch(jobs, out),
        }
        for variant, measure in runs.items():
            run = measure()
            result.add(variant, run.per_job)
            result.notes.append(f"{variant}: {run.requests:,} requests for {run.jobs:,} jobs")
    return result


def run_paced(jobs: int, speed: float) -> tuple[Result, Result]:
    """A paced run under ``LIMIT``: makespan against the limit's lower bound, and 429s."""
    name = f"{jobs:,} jobs under {LIMIT.requests} requests/min"
    makespan = Result(f"{name}, makespan", "emulated s")
    refused = Result(f"{name}, 429 answers", "answers")
    with tempfile.TemporaryDirectory() as folder:
        run = paced(jobs, CAPACITY, speed, Path(folder))
    makespan.add(PACED, run.seconds)
    makespan.add(BOUND, lower_bound(run))
    refused.add(PACED, run.refused)
    makespan.notes.append(
        f"{run.requests:,} requests ({run.per_job:.2f} per job), RealClock(speed={speed:g})"
    )
    return makespan, refused


def measure(jobs: int, per_job_jobs: int, speed: float) -> dict[str, Result]:
    """Every result of this module, keyed as ``report`` expects."""
    results = {"requests": run_requests(jobs, per_job_jobs)}
    results["paced"], results["paced_refused"] = run_paced(jobs, speed)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer jobs")
    parser.add_argument("--chart", type=Path, help="also draw the results into this PNG")
    arguments = parser.parse_args()
    jobs = 200 if arguments.quick else 1000
    results = measure(jobs, 50 if arguments.quick else jobs, SPEED)
    print(report.markdown_targets(report.request_rows(results)))
    print()
    print(report.markdown_details(results))
    for result in results.values():
        for note in result.notes:
            print(f"- {note}")
    if arguments.chart:
        report.chart(results, arguments.chart, "python benchmarks/requests.py", report.PANELS)


if __name__ == "__main__":
    main()
