"""``videos.as_completed`` against the emulator: every job once, in finishing order, for one
listing request per round instead of one retrieve per job; sync and async."""

from __future__ import annotations

from collections.abc import Iterator

import anyio.lowlevel
import pytest

from sora_videos import AsyncSora, NotFoundError, PollTimeoutError, Sora, Video
from sora_videos.emulator import Emulator, ManualClock, Timing

TIMING = Timing(queued=2.0, rendering=8.0, poll_after=1.0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emu(clock: ManualClock) -> Iterator[Emulator]:
    with Emulator(clock=clock, timing=TIMING) as emulator:
        yield emulator


def sync_client(emu: Emulator, clock: ManualClock) -> Sora:
    """A client whose waits move the emulator's clock."""
    sora = emu.client()
    sora._engine.sleep = clock.advance
    return sora


def async_client(emu: Emulator, clock: ManualClock) -> AsyncSora:
    """An async client whose waits move the emulator's clock."""
    sora = emu.async_client()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await anyio.lowlevel.checkpoint()

    sora._engine.sleep = sleep
    return sora


def polls(emu: Emulator) -> tuple[int, int]:
    """Listing requests and single-job retrieves the emulator answered."""
    gets = [r for r in emu.requests if r.method == "GET"]
    listings = sum(1 for r in gets if r.path == "/v1/videos")
    retrieves = sum(1 for r in gets if r.path.startswith("/v1/videos/"))
    return listings, retrieves


def test_many_jobs_cost_one_listing_per_round_not_one_retrieve_each(
    emu: Emulator, clock: ManualClock
) -> None:
    with sync_client(emu, clock) as sora:
        created = [sora.videos.create(prompt=f"shot {n}", seconds=4) for n in range(40)]
        started = clock.now()
        finished = list(sora.videos.as_completed(video.id for video in created))
    assert sorted(v.id for v in finished) == sorted(v.id for v in created)
    assert {v.status for v in finished} == {"completed"}
    listings, retrieves = polls(emu)
    assert retrieves == 0
    # One listing per round, a round per hinted second, for jobs that take 10 s.
    assert listings == clock.now() - started + 1
    assert listings <= 12


def test_jobs_come_out_in_the_order_they_finish_failed_ones_too(
    emu: Emulator, clock: ManualClock
) -> None:
    with sync_client(emu, clock) as sora:
        slow = sora.videos.create(prompt="a long take", seconds=12)
        broken = sora.videos.create(prompt="a storm [fail]", seconds=8)
        quick = sora.videos.create(prompt="a short take", seconds=4)
        finished = list(sora.videos.as_completed([slow, broken, quick]))
    assert [v.id for v in finished] == [quick.id, broken.id, slow.id]
    assert finished[1].status == "failed"
    assert finished[1].error is not None
    assert finished[1].error.code == "video_generation_failed"


def test_a_single_job_is_retrieved_and_progress_is_reported(
    emu: Emulator, clock: ManualClock
) -> None:
    seen: list[Video] = []
    with sync_client(emu, clock) as sora:
        video = sora.videos.create(prompt="alone")
        started = clock.now()
        [done] = sora.videos.as_completed([video.id, video.id], on_progress=seen.append)
    assert done.status == "completed"
    assert polls(emu) == (0, clock.now() - started + 1)
    assert 1 < len(seen) <= polls(emu)[1]  # each change, once
    assert seen[-1] == done
    assert {v.status for v in seen[:-1]} <= {"queued", "in_progress"}


def test_max_wait_raises_with_every_job_still_running(emu: Emulator, clock: ManualClock) -> None:
    with sync_client(emu, clock) as sora:
        created = [sora.videos.create(prompt=f"shot {n}", seconds=4) for n in range(3)]
        with pytest.raises(PollTimeoutError) as caught:
            list(sora.videos.as_completed(created, max_wait=0.0))
    assert sorted(v.id for v in caught.value.videos) == sorted(v.id for v in created)
    assert caught.value.video.status in ("queued", "in_progress")
    assert polls(emu) == (1, 0)


def test_a_job_that_vanished_raises_not_found_after_the_finished_ones(
    emu: Emulator, clock: ManualClock
) -> None:
    with sync_client(emu, clock) as sora:
        video = sora.videos.create(prompt="still here")
        clock.advance(60)
        results = sora.videos.as_completed([video.id, "video_gone"])
        assert next(results).id == video.id
        with pytest.raises(NotFoundError):
            next(results)


def test_no_jobs_sends_no_request(emu: Emulator, clock: ManualClock) -> None:
    with sync_client(emu, clock) as sora:
        assert list(sora.videos.as_completed([])) == []
    assert len(emu.requests) == 0


@pytest.mark.anyio
async def test_async_many_jobs_cost_one_listing_per_round(
    emu: Emulator, clock: ManualClock
) -> None:
    async with async_client(emu, clock) as sora:
        created = [await sora.videos.create(prompt=f"shot {n}", seconds=4) for n in range(40)]
        started = clock.now()
        finished = [video async for video in sora.videos.as_completed(created)]
    assert sorted(v.id for v in finished) == sorted(v.id for v in created)
    listings, retrieves = polls(emu)
    assert retrieves == 0
    assert listings == clock.now() - started + 1


@pytest.mark.anyio
async def test_async_order_failures_and_timeout(emu: Emulator, clock: ManualClock) -> None:
    async with async_client(emu, clock) as sora:
        slow = await sora.videos.create(prompt="a long take", seconds=12)
        broken = await sora.videos.create(prompt="a storm [fail]", seconds=8)
        with pytest.raises(PollTimeoutError) as caught:
            async for _ in sora.videos.as_completed([slow, broken], max_wait=0.0):
                pass
        assert len(caught.value.videos) == 2
        finished = [video async for video in sora.videos.as_completed([slow, broken])]
    assert [v.id for v in finished] == [broken.id, slow.id]
    assert finished[0].status == "failed"
