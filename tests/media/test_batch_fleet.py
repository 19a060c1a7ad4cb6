"""Batches poll as a fleet: one listing per round for every job on the server, ``max_pending``
jobs there at once, results streamed, every job accounted for and none created twice."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from sora_videos import BatchResult
from sora_videos.emulator import Emulator, RateLimit, RealClock, Timing

# Jobs of about 2 s at this speed; the server hints a poll every 0.1 s.
LONG = Timing(queued=0.0, rendering=20.0, poll_after=1.0)


def long_jobs() -> Emulator:
    return Emulator(clock=RealClock(speed=10.0), timing=LONG, seed=3)


def check_fleet_polling(emu: Emulator, results: list[BatchResult], count: int) -> None:
    """Every job completed once, and each round was one listing request for all of them."""
    assert [r.status for r in results] == ["completed"] * count
    assert len({r.video_id for r in results}) == count
    assert len(emu.jobs) == count  # no job created twice
    posts = emu.requests.matching("POST", "/videos")
    assert len(posts) == count
    assert len(Counter(r.headers.get("idempotency-key") for r in posts)) == count
    listings = emu.requests.matching("GET", "/videos")
    polls = [r for r in emu.requests.matching("GET") if not r.path.endswith("/content")]
    assert polls == listings  # no job was retrieved on its own
    # ~2 s of work at one round per 0.1 s hint, whatever the number of jobs.
    assert 5 <= len(listings) <= 40


def test_a_round_is_one_listing_request_for_every_pending_job(tmp_path: Path) -> None:
    emu = long_jobs()
    with emu.client() as sora:
        results = sora.videos.batch(
            [f"clip {i}" for i in range(12)], max_pending=12, concurrency=12, output_dir=tmp_path
        )
    check_fleet_polling(emu, results, 12)
    downloads = [r for r in emu.requests.matching("GET") if r.path.endswith("/content")]
    assert len(downloads) == 12
    assert len(list(tmp_path.glob("*.mp4"))) == 12


@pytest.mark.anyio
async def test_a_round_is_one_listing_request_for_every_pending_job_async() -> None:
    emu = long_jobs()
    async with emu.async_client() as sora:
        results = await sora.videos.batch(
            [f"clip {i}" for i in range(12)], max_pending=12, concurrency=12
        )
    check_fleet_polling(emu, results, 12)


def counting_prompts(count: int, taken: list[int]) -> Iterator[str]:
    for i in range(count):
        taken.append(i)
        yield f"clip {i}"


def test_max_pending_bounds_the_jobs_on_the_server_and_results_stream() -> None:
    emu = Emulator(clock=RealClock(speed=20.0), timing=LONG, seed=4)
    taken: list[int] = []
    streamed: list[BatchResult] = []
    most = [0]

    def on_result(result: BatchResult) -> None:
        running = [j for j in emu.jobs if j["status"] in ("queued", "in_progress")]
        most[0] = max(most[0], len(running))
        streamed.append(result)

    with emu.client() as sora:
        returned = sora.videos.batch(
            counting_prompts(9, taken),
            max_pending=3,
            concurrency=2,
            on_result=on_result,
            collect=False,
        )
    assert returned == []
    assert sorted(r.index or 0 for r in streamed) == list(range(9))
    assert all(r.status == "completed" for r in streamed)
    assert len(emu.jobs) == 9
    assert most[0] <= 3


@pytest.mark.anyio
async def test_max_pending_bounds_the_jobs_on_the_server_async() -> None:
    emu = Emulator(clock=RealClock(speed=20.0), timing=LONG, seed=5)
    most = [0]

    async def on_result(result: BatchResult) -> None:
        running = [j for j in emu.jobs if j["status"] in ("queued", "in_progress")]
        most[0] = max(most[0], len(running))

    async with emu.async_client() as sora:
        results = await sora.videos.batch(
            (f"clip {i}" for i in range(7)), max_pending=2, on_result=on_result
        )
    assert [r.index for r in results] == list(range(7))
    assert [r.status for r in results] == ["completed"] * 7
    assert most[0] <= 2
    assert len(emu.jobs) == 7


def test_a_rerun_resumes_jobs_still_running_by_id_without_creating_any(tmp_path: Path) -> None:
    emu = long_jobs()
    manifest = tmp_path / "m.jsonl"
    prompts = [f"clip {i}" for i in range(4)]
    with emu.client() as sora:
        first = sora.videos.batch(prompts, manifest=manifest, max_wait=0.3)
        assert [r.status for r in first] == ["timed_out"] * 4
        second = sora.videos.batch(["new one", *prompts], manifest=manifest, max_wait=30)
    assert [r.status for r in second] == ["completed"] * 5
    assert [r.video_id for r in second[1:]] == [r.video_id for r in first]
    assert len(emu.jobs) == 5  # only the new prompt was paid for


@pytest.mark.slow  # load: two thousand jobs streamed through the emulator
def test_two_thousand_streamed_prompts_are_each_accounted_for_once(tmp_path: Path) -> None:
    emu = Emulator(clock=RealClock(speed=50.0), timing=LONG, seed=6)
    seen: Counter[int] = Counter()
    statuses: Counter[str] = Counter()

    def on_result(result: BatchResult) -> None:
        seen[result.index or 0] += 1
        statuses[result.status] += 1

    manifest = tmp_path / "m.jsonl"
    with emu.client() as sora:
        returned = sora.videos.batch(
            (f"clip {i}" for i in range(2000)),
            max_pending=200,
            concurrency=8,
            manifest=manifest,
            on_result=on_result,
            collect=False,
        )
    assert returned == []
    assert sorted(seen) == list(range(2000))
    assert set(seen.values()) == {1}
    assert statuses == {"completed": 2000}
    assert len(emu.jobs) == 2000
    events = Counter(json.loads(line)["event"] for line in manifest.read_text().splitlines())
    assert events == {"planned": 2000, "created": 2000, "settled": 2000}
    polls = [r for r in emu.requests.matching("GET") if not r.path.endswith("/content")]
    # Each round lists the pending jobs, two pages at most for 200 of them.
    assert len(polls) < 2000 / 2


class Stop(Exception):
    """The caller's own error, raised from ``on_result``."""


def stop_at_first(result: BatchResult) -> None:
    raise Stop(result.status)


def test_an_exception_in_on_result_stops_the_batch_and_is_raised_as_is(tmp_path: Path) -> None:
    emu = long_jobs()
    prompts = [f"clip {i}" for i in range(30)]
    with emu.client() as sora, pytest.raises(Stop):
        sora.videos.batch(
            prompts, max_pending=2, manifest=tmp_path / "m.jsonl", on_result=stop_at_first
        )
    assert len(emu.jobs) < 30  # what was not started yet was not created
    created = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text().splitlines()]
    ids = {r["id"] for r in created if r["event"] == "created"}
    assert ids == {job["id"] for job in emu.jobs}  # every paid job is in the manifest


@pytest.mark.anyio
async def test_an_exception_in_on_result_stops_the_batch_and_is_raised_as_is_async() -> None:
    emu = long_jobs()
    async with emu.async_client() as sora:
        with pytest.raises(Stop):  # not an exception group
            await sora.videos.batch(
                [f"clip {i}" for i in range(30)], max_pending=2, on_result=stop_at_first
            )
    assert len(emu.jobs) < 30


def limited() -> Emulator:
    """Two jobs render at once per key (the rest stay queued); 4 requests per 2 s."""
    return Emulator(
        clock=RealClock(speed=10.0),
        timing=Timing(queued=0.0, rendering=5.0, poll_after=1.0),
        max_running_per_key=2,
        rate_limit=RateLimit(4, period=20.0),
        seed=8,
    )


def check_waited_out(emu: Emulator, results: list[BatchResult]) -> None:
    assert [r.status for r in results] == ["completed"] * 6
    assert len(emu.jobs) == 6  # no job created twice, whatever was throttled
    assert len({r.video_id for r in results}) == 6
    # 4 requests per 2 s is less than the batch asks at once: only pacing on the answers'
    # x-ratelimit-* headers keeps every answer under the limit (no 429 at all).
    assert [r for r in emu.requests.matching() if r.status == 429] == []


def test_a_rate_limited_server_is_waited_out_and_every_job_completes() -> None:
    emu = limited()
    with emu.client(max_retries=1) as sora:
        results = sora.videos.batch([f"clip {i}" for i in range(6)], max_pending=6, max_wait=60)
    check_waited_out(emu, results)


@pytest.mark.anyio
async def test_a_rate_limited_server_is_waited_out_and_every_job_completes_async() -> None:
    emu = limited()
    async with emu.async_client(max_retries=1) as sora:
        results = await sora.videos.batch(
            [f"clip {i}" for i in range(6)], max_pending=6, max_wait=60
        )
    check_waited_out(emu, results)
