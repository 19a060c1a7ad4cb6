"""Fast checks that the properties behind the benchmarks (``benchmarks/``) still hold.

None of them times anything: they count requests, bound memory that tracemalloc sees, and
list the modules an import loads, so they pass or fail the same on a slow machine.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from sora_videos import AsyncSora, Sora, _files
from sora_videos.emulator import Emulator, ManualClock

from .conftest import API_KEY, BASE_URL, recording_waits, video_json

DOWNLOAD_SIZE = 64 * 1024 * 1024
# A download may hold a few chunks (the transport's, httpx's, one write batch), never the body.
DOWNLOAD_PEAK_LIMIT = 8 * 1024 * 1024
# Async downloads also hold the 4 MiB batch being written while the next one arrives.
ASYNC_DOWNLOAD_PEAK_LIMIT = 12 * 1024 * 1024


class Job:
    """A job that completes on its ``polls``-th status check; counts the checks."""

    def __init__(self, polls: int) -> None:
        self.polls = polls
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        body = video_json()
        if self.requests < self.polls:
            body.update(status="in_progress", progress=10 * self.requests, completed_at=None)
        return httpx.Response(200, json=body, headers={"openai-poll-after-ms": "2000"})


@pytest.mark.parametrize("polls", [1, 2, 7])
def test_poll_sends_exactly_one_request_per_check(polls: int, sleeps: list[float]) -> None:
    job = Job(polls)
    http = httpx.Client(transport=httpx.MockTransport(job))
    with recording_waits(
        Sora(api_key=API_KEY, base_url=BASE_URL, http_client=http), sleeps
    ) as sora:
        assert sora.videos.poll("video_1").status == "completed"
    assert job.requests == polls
    assert sleeps == [2.0] * (polls - 1)


@pytest.mark.anyio
@pytest.mark.parametrize("polls", [1, 7])
async def test_async_poll_sends_exactly_one_request_per_check(
    polls: int, sleeps: list[float]
) -> None:
    job = Job(polls)
    http = httpx.AsyncClient(transport=httpx.MockTransport(job))
    sora = recording_waits(AsyncSora(api_key=API_KEY, base_url=BASE_URL, http_client=http), sleeps)
    async with sora:
        assert (await sora.videos.poll("video_1")).status == "completed"
    assert job.requests == polls
    assert sleeps == [2.0] * (polls - 1)


@pytest.fixture
def emulator_clock() -> Iterator[tuple[Emulator, ManualClock]]:
    """An emulator with a manual clock (clients move it by as long as they sleep)."""
    clock = ManualClock()
    with Emulator(clock=clock) as emulator:
        yield emulator, clock


def test_poll_against_the_emulator_makes_no_extra_round_trip(
    emulator_clock: tuple[Emulator, ManualClock],
) -> None:
    emulator, clock = emulator_clock
    with emulator.client() as sora:
        sora._engine.sleep = clock.advance  # the SDK's waits move the emulator's clock
        video = sora.videos.create(prompt="a lighthouse", seconds=4)
        started = clock.now()
        assert sora.videos.poll(video.id).status == "completed"
    checks = emulator.requests.matching("GET", f"/videos/{video.id}")
    # Each check waits what the server hinted (the end of the current phase, at most 5 s),
    # so the job needs one check per hinted wait plus the one that sees it completed.
    waited = clock.now() - started
    assert [record.status for record in checks] == [200] * len(checks)
    assert len(checks) <= waited / 1.0 + 1
    assert len(emulator.requests) == 1 + len(checks)


def _download_peak(download: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        download()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@contextlib.contextmanager
def finished_video(size: int) -> Iterator[tuple[Emulator, str]]:
    """An emulator holding one completed job whose video is ``size`` bytes."""
    clock = ManualClock()
    with Emulator(clock=clock, video_size_override=size) as emulator:
        with emulator.client() as sora:
            video = sora.videos.create(prompt="a long take")
        clock.advance(60)
        yield emulator, video.id


@pytest.fixture
def big_video() -> Iterator[tuple[Emulator, str]]:
    with finished_video(DOWNLOAD_SIZE) as made:
        yield made


@pytest.mark.parametrize("how", ["download", "write_to_file"])
def test_a_download_never_holds_the_body_in_memory(
    how: str, big_video: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, video_id = big_video
    path = tmp_path / "video.mp4"
    with emulator.client() as sora:
        if how == "download":
            peak = _download_peak(lambda: sora.videos.download(video_id, path))
        else:
            content = sora.videos.download_content(video_id)
            peak = _download_peak(lambda: content.write_to_file(path))
    assert path.stat().st_size == DOWNLOAD_SIZE
    assert peak < DOWNLOAD_PEAK_LIMIT


@pytest.mark.anyio
async def test_an_async_download_never_holds_the_body_in_memory(
    big_video: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, video_id = big_video
    path = tmp_path / "video.mp4"
    async with emulator.async_client() as sora:
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            await sora.videos.download(video_id, path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert path.stat().st_size == DOWNLOAD_SIZE
    assert peak < ASYNC_DOWNLOAD_PEAK_LIMIT


def _most_alive_while_listing(count: int) -> int:
    """The most memory alive at a page boundary while walking ``count`` videos.

    Collected first: httpx responses are reference cycles, so a plain peak would also count
    bodies that are garbage awaiting the cyclic collector.
    """
    ids = [f"video_{index:05d}" for index in range(count)]
    pages = {
        (ids[start - 1] if start else None): {
            "data": [video_json(i) for i in ids[start : start + 100]],
            "last_id": ids[min(start + 100, count) - 1],
            "has_more": start + 100 < count,
        }
        for start in range(0, count, 100)
    }

    def page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("after")])

    http = httpx.Client(transport=httpx.MockTransport(page))
    with Sora(api_key=API_KEY, base_url=BASE_URL, http_client=http) as sora:
        for _video in sora.videos.list(limit=100):  # warm up
            pass
        gc.collect()
        tracemalloc.start()
        try:
            most = 0
            for seen, _video in enumerate(sora.videos.list(limit=100)):
                if seen % 100 == 0:
                    gc.collect()
                    most = max(most, tracemalloc.get_traced_memory()[0])
            return most
        finally:
            tracemalloc.stop()


@pytest.mark.slow  # memory: tracemalloc over thousands of listed videos
def test_list_auto_paging_memory_does_not_grow_with_the_count() -> None:
    assert _most_alive_while_listing(5000) < 1.25 * _most_alive_while_listing(500)


OPTIONAL = ("rich", "uvicorn", "trio", "sqlite3", "sora_videos.emulator", "sora_videos._cli")
OPTIONAL += ("openai", "httpx2", "matplotlib", "numpy", "asyncio")
# Loaded when first used: a batch's machinery, and an async client's file work.
OPTIONAL += ("sora_videos._batch", "sora_videos._batching", "sora_videos._manifest")
OPTIONAL += ("sora_videos._files_async", "sora_videos._deadlines", "concurrent")

_LOADED_BY_SORA = """
import json, sys
import httpx, pydantic
httpx.Client().close()
before = set(sys.modules)
import sora_videos
sora_videos.Sora(api_key="sk-test")
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_importing_sora_videos_loads_no_optional_module() -> None:
    # A fresh interpreter: the test session has imported everything already. httpx itself
    # may load rich and click (its command line), and httpcore trio (its backend) when they
    # are installed, so only what the SDK adds to httpx and pydantic counts.
    output = subprocess.run(
        [sys.executable, "-c", _LOADED_BY_SORA], capture_output=True, text=True, check=True
    ).stdout
    added = json.loads(output)
    assert "sora_videos" in added
    optional = [name for name in added if name.split(".")[0] in OPTIONAL or name in OPTIONAL]
    assert optional == []


def test_the_names_loaded_on_first_use_are_there() -> None:
    import sora_videos

    for name in ("BatchJob", "BatchResult", "ManifestWarning"):
        assert name in dir(sora_videos)
        assert getattr(sora_videos, name).__name__ == name
    with pytest.raises(AttributeError, match="no attribute 'Batch'"):
        sora_videos.Batch  # type: ignore[attr-defined]  # noqa: B018


class WritebackHints:
    """Stands in for ``os.posix_fadvise``: records each range, with the file's size then."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.ranges: list[tuple[int, int]] = []
        self.sizes: list[int] = []

    def __call__(self, fd: int, offset: int, length: int, advice: int) -> None:
        if self.fail:
            raise OSError(22, "not supported here")
        assert advice == os.POSIX_FADV_DONTNEED
        self.ranges.append((offset, length))
        self.sizes.append(os.fstat(fd).st_size)


WRITEBACK_TEST_EVERY = 1024 * 1024
SMALL_VIDEO = 5 * WRITEBACK_TEST_EVERY + 12_345


@pytest.fixture
def hints(monkeypatch: pytest.MonkeyPatch) -> WritebackHints:
    recorder = WritebackHints()
    monkeypatch.setattr(_files, "_FADVISE", recorder)
    monkeypatch.setattr(_files, "WRITEBACK_EVERY", WRITEBACK_TEST_EVERY)
    return recorder


@pytest.fixture
def small_video() -> Iterator[tuple[Emulator, str]]:
    with finished_video(SMALL_VIDEO) as made:
        yield made


def assert_written_back_as_it_arrived(hints: WritebackHints, path: Path, served: bytes) -> None:
    """Every whole ``WRITEBACK_TEST_EVERY`` was handed to the disk in order, once it was in
    the file (flushed from Python's buffer), so the final fsync has at most one left."""
    assert path.read_bytes() == served
    starts = [offset for offset, _ in hints.ranges]
    assert starts[0] == 0
    assert all(a + n == b for (a, n), b in zip(hints.ranges, starts[1:], strict=False))
    assert all(length >= WRITEBACK_TEST_EVERY for _, length in hints.ranges)
    covered = sum(length for _, length in hints.ranges)
    assert SMALL_VIDEO - WRITEBACK_TEST_EVERY < covered <= SMALL_VIDEO
    assert all(size >= a + n for (a, n), size in zip(hints.ranges, hints.sizes, strict=True))


@pytest.mark.parametrize("how", ["download", "write_to_file"])
def test_a_download_has_its_bytes_written_to_disk_as_they_arrive(
    how: str, hints: WritebackHints, small_video: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, video_id = small_video
    path = tmp_path / "video.mp4"
    with emulator.client() as sora:
        served = sora.videos.download_content(video_id).read()
        assert not hints.ranges  # reading into memory writes nothing
        if how == "download":
            sora.videos.download(video_id, path)
        else:
            sora.videos.download_content(video_id).write_to_file(path)
    assert_written_back_as_it_arrived(hints, path, served)


@pytest.mark.anyio
async def test_an_async_download_has_its_bytes_written_to_disk_as_they_arrive(
    hints: WritebackHints, small_video: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, video_id = small_video
    path = tmp_path / "video.mp4"
    async with emulator.async_client() as sora:
        served = await (await sora.videos.download_content(video_id)).read()
        await sora.videos.download(video_id, path)
    assert_written_back_as_it_arrived(hints, path, served)


def test_a_resumed_file_is_written_back_from_where_it_resumes(
    hints: WritebackHints, tmp_path: Path
) -> None:
    path = tmp_path / "partial"
    path.write_bytes(b"x" * 100)
    with path.open("ab") as file:  # small writes: Python buffers them until the hint flushes
        appender = _files.Appender(file)
        for _ in range(3 * WRITEBACK_TEST_EVERY // 4096 // 2):
            appender.write(b"y" * 4096)
    assert hints.ranges == [(100, WRITEBACK_TEST_EVERY)]
    assert hints.sizes[0] >= 100 + WRITEBACK_TEST_EVERY
    assert path.read_bytes() == b"x" * 100 + b"y" * (3 * WRITEBACK_TEST_EVERY // 2)


def test_a_system_that_refuses_the_hint_still_gets_the_whole_file(
    monkeypatch: pytest.MonkeyPatch, small_video: tuple[Emulator, str], tmp_path: Path
) -> None:
    refusing = WritebackHints(fail=True)
    monkeypatch.setattr(_files, "_FADVISE", refusing)
    monkeypatch.setattr(_files, "WRITEBACK_EVERY", WRITEBACK_TEST_EVERY)
    emulator, video_id = small_video
    path = tmp_path / "video.mp4"
    with emulator.client() as sora:
        served = sora.videos.download_content(video_id).read()
        sora.videos.download(video_id, path)
    assert path.read_bytes() == served
    assert not list(tmp_path.glob("*.part"))
