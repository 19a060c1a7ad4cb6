"""Load: a thousand jobs at once through one client, over real sockets on loopback.

Each job is created, polled to completion and its thumbnail downloaded (three requests); the
emulator completes jobs at once (``Timing(0, 0)``) so that the run measures the client, not the
wait. Afterwards every job exists exactly once, nothing failed, and the client's pool holds no
connection once closed. Sized to stay within about 30 s on 2 cores: uvicorn runs in a thread
of the same process and shares the GIL with the client.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import httpx
import pytest

from sora_videos import AsyncSora, Sora
from sora_videos.emulator import Emulator, RealClock, Timing

pytestmark = pytest.mark.slow  # load: a thousand jobs over real sockets

JOBS = 1000
THREADS = 32
LIMIT_SECONDS = 90  # a hang fails the test instead of the CI job


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    timing = Timing(queued=0.0, rendering=0.0)
    with Emulator(clock=RealClock(), timing=timing) as emu, emu.serve() as base_url:
        yield emu, base_url


def _open_connections(http: httpx.Client | httpx.AsyncClient) -> int:
    pool = http._transport._pool  # type: ignore[union-attr]
    return len(pool.connections)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def _check(emu: Emulator, tmp_path: Path, started: float) -> None:
    assert time.monotonic() - started < LIMIT_SECONDS
    prompts = [job["prompt"] for job in emu.jobs]
    assert len(prompts) == JOBS
    assert len(set(prompts)) == JOBS  # no job twice
    assert all(job["status"] == "completed" for job in emu.jobs)
    creates = emu.requests.matching("POST", "/videos")
    assert len(creates) == JOBS  # no retries were needed
    assert len(list(tmp_path.glob("*.webp"))) == JOBS
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_a_thousand_concurrent_jobs_through_one_async_client(
    served: tuple[Emulator, str], tmp_path: Path
) -> None:
    emu, base_url = served
    fds_before = _open_fds()
    started = time.monotonic()
    client = AsyncSora(api_key="sk-load", base_url=base_url)
    peak = 0

    async def job(i: int) -> None:
        nonlocal peak
        video = await client.videos.create_and_poll(prompt=f"load {i}", max_wait=60)
        peak = max(peak, _open_connections(client._engine.http))
        await client.videos.download(video.id, tmp_path / f"{i}.webp", variant="thumbnail")

    with anyio.fail_after(LIMIT_SECONDS):
        async with anyio.create_task_group() as tasks:
            for i in range(JOBS):
                tasks.start_soon(job, i)
    assert peak > 1  # the jobs did run side by side
    print(
        f"async: {JOBS} jobs, {len(emu.requests)} requests, peak {peak} connections, "
        f"{time.monotonic() - started:.1f} s"
    )
    await client.close()
    assert _open_connections(client._engine.http) == 0
    _check(emu, tmp_path, started)
    # The in-process server closes its side of each pooled connection a moment after the
    # client closes its own: wait for that (briefly), then nothing may be left open.
    deadline = time.monotonic() + 5.0
    while _open_fds() > fds_before + 5 and time.monotonic() < deadline:
        await anyio.sleep(0.05)
    assert _open_fds() <= fds_before + 5  # sockets and temporary files all closed


def test_thirty_two_threads_share_one_sync_client(
    served: tuple[Emulator, str], tmp_path: Path
) -> None:
    emu, base_url = served
    started = time.monotonic()
    client = Sora(api_key="sk-load", base_url=base_url)

    def job(i: int) -> int:
        video = client.videos.create_and_poll(prompt=f"load {i}", max_wait=60)
        client.videos.download(video.id, tmp_path / f"{i}.webp", variant="thumbnail")
        return _open_connections(client._engine.http)

    with ThreadPoolExecutor(THREADS) as pool:
        open_during = list(pool.map(job, range(JOBS), timeout=LIMIT_SECONDS))
    assert 1 < max(open_during) <= THREADS  # one connection per thread at most, reused
    print(
        f"sync: {JOBS} jobs on {THREADS} threads, {len(emu.requests)} requests, "
        f"peak {max(open_during)} connections, {time.monotonic() - started:.1f} s"
    )
    client.close()
    assert _open_connections(client._engine.http) == 0
    _check(emu, tmp_path, started)
