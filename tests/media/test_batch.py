"""Many jobs at once: every job accounted for, no duplicates, a re-run skips what is done."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from sora_videos import BatchJob, BatchResult, RateLimitError
from sora_videos._batch import Throttle
from sora_videos.emulator import Emulator, Fault, RealClock, Timing

FAST = Timing(queued=0.02, rendering=0.05)


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=RealClock(speed=1.0), timing=FAST, seed=7)


def prompts(count: int, failing: set[int]) -> list[str]:
    return [f"clip {i}" + (" [fail]" if i in failing else "") for i in range(count)]


@pytest.mark.slow  # load: a hundred jobs on eight threads
def test_100_jobs_at_concurrency_8_with_429s_and_failures_are_all_accounted_for(
    emu: Emulator, tmp_path: Path
) -> None:
    failing = {3, 41, 77}
    emu.faults.add(Fault.status(429, retry_after=0.01), method="POST", path="/videos", rate=0.3)
    settled: list[BatchResult] = []
    with emu.client(max_retries=1) as sora:
        results = sora.videos.batch(
            prompts(100, failing),
            concurrency=8,
            manifest=tmp_path / "manifest.jsonl",
            max_wait=30,
            on_result=settled.append,
        )
    assert len(results) == len(settled) == 100
    assert [r.job.prompt for r in results] == prompts(100, failing)  # in request order
    by_status = {
        status: [i for i, r in enumerate(results) if r.status == status]
        for status in ("completed", "failed", "timed_out", "error")
    }
    # A job whose create met a 429 on every attempt of its one retry budget is an error.
    assert all(isinstance(results[i].error, RateLimitError) for i in by_status["error"])
    assert set(by_status["failed"]) | (failing & set(by_status["error"])) == failing
    assert len(by_status["completed"]) + len(by_status["error"]) + len(by_status["failed"]) == 100
    assert len(by_status["completed"]) > 80
    assert all(results[i].error is not None for i in failing)
    throttled = emu.requests.matching("POST", "/videos")
    assert sum(r.status == 429 for r in throttled) > 0  # the fault did fire
    # One budget per job: max_retries=1 means at most 2 POSTs for each, never more.
    posts = Counter(r.headers.get("idempotency-key") for r in throttled)
    assert len(posts) == 100
    assert max(posts.values()) <= 2
    created = [r for r in results if r.video_id is not None]
    assert len(emu.jobs) == len(created)  # no job created twice, whatever was retried
    assert len({r.video_id for r in created}) == len(created)


def test_a_rerun_with_the_manifest_skips_finished_jobs_and_downloads(
    emu: Emulator, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.jsonl"
    out = tmp_path / "out"
    with emu.client() as sora:
        first = sora.videos.batch(["a cat", "a dog [fail]"], output_dir=out, manifest=manifest)
        assert [r.status for r in first] == ["completed", "failed"]
        assert first[0].path is not None
        assert first[0].path.read_bytes()[4:8] == b"ftyp"
        emu.requests.clear()
        second = sora.videos.batch(["a cat", "a dog [fail]"], output_dir=out, manifest=manifest)
    assert [r.status for r in second] == ["completed", "failed"]
    assert second[0].video_id == first[0].video_id
    # The finished job costs nothing; the failed one is checked again by id, not created.
    assert not emu.requests.matching("GET", f"/videos/{first[0].video_id}/content")
    assert not emu.requests.matching("POST", "/videos")
    assert len(emu.jobs) == 2
    jobs = settled(manifest)
    assert sorted(str(job["status"]) for job in jobs.values()) == ["completed", "failed"]
    completed = next(job for job in jobs.values() if job["status"] == "completed")
    assert completed["file"] == str(out / f"{first[0].video_id}.mp4")


def settled(manifest: Path) -> dict[str, dict[str, object]]:
    """Each job of the manifest by key, its lines merged (later lines win)."""
    jobs: dict[str, dict[str, object]] = {}
    for line in manifest.read_text().splitlines():
        record = json.loads(line)
        jobs.setdefault(record["idempotency_key"], {}).update(record)
    return jobs


def test_a_job_still_running_at_max_wait_is_reported_with_its_id_and_resumed_later(
    tmp_path: Path,
) -> None:
    slow = Emulator(clock=RealClock(speed=1.0), timing=Timing(queued=0.01, rendering=0.6))
    manifest = tmp_path / "m.jsonl"
    with slow.client() as sora:
        [late] = sora.videos.batch(
            [BatchJob("slow one", seconds=4)], max_wait=0.05, manifest=manifest
        )
        assert late.status == "timed_out"
        assert late.video_id is not None
        [done] = sora.videos.batch(
            [BatchJob("slow one", seconds=4)], max_wait=10, manifest=manifest
        )
    assert done.status == "completed"
    assert done.video_id == late.video_id
    assert len(slow.jobs) == 1


def test_throttle_pauses_everyone_and_only_extends() -> None:
    now = [100.0]
    throttle = Throttle(clock=lambda: now[0])
    assert throttle.remaining() == 0
    throttle.pause(5)
    throttle.pause(2)
    assert throttle.remaining() == 5
    now[0] += 4
    assert throttle.remaining() == 1


@pytest.mark.anyio
async def test_async_batch_with_429s_and_failures(emu: Emulator, tmp_path: Path) -> None:
    emu.faults.add(Fault.status(429, retry_after=0.01), method="POST", path="/videos", rate=0.3)
    seen: list[str] = []

    async def on_result(result: BatchResult) -> None:
        seen.append(result.status)

    async with emu.async_client(max_retries=0) as sora:
        results = await sora.videos.batch(
            prompts(30, {5}), concurrency=8, output_dir=tmp_path, on_result=on_result
        )
    completed = [r for r in results if r.status == "completed"]
    errors = [r for r in results if r.status == "error"]  # a 429, and max_retries=0
    assert all(isinstance(r.error, RateLimitError) for r in errors)
    assert all(r.status in ("completed", "error") for i, r in enumerate(results) if i != 5)
    assert results[5].status in ("failed", "error")
    assert len(emu.requests.matching("POST", "/videos")) == 30  # one POST each, not one more
    assert sorted(seen) == sorted(r.status for r in results)
    assert len(emu.jobs) == 30 - len(errors)
    assert len(list(tmp_path.glob("*.mp4"))) == len(completed)


def test_concurrency_must_be_positive(emu: Emulator) -> None:
    with emu.client() as sora, pytest.raises(ValueError, match="concurrency"):
        sora.videos.batch(["x"], concurrency=0)


def test_a_download_that_keeps_failing_is_an_error_with_the_id_and_no_file(
    emu: Emulator, tmp_path: Path
) -> None:
    emu.faults.add(Fault.cut(fraction=0.5), path="/videos/{id}/content")
    with emu.client(max_retries=1) as sora:
        [result] = sora.videos.batch(["a cat"], output_dir=tmp_path)
    assert result.status == "error"
    assert result.video_id is not None  # the job exists: download it later by id
    assert type(result.error).__name__ == "IncompleteDownloadError"
    assert list(tmp_path.iterdir()) == []
