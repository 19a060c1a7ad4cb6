"""Whole flows through the SDK clients that ``Emulator.client()`` / ``async_client()`` return."""

from __future__ import annotations

from pathlib import Path

import pytest

from sora_videos import NotFoundError, RateLimitError, VideoFailedError
from sora_videos.emulator import Emulator, Fault, RealClock, Timing

FAST = Timing(queued=0.02, rendering=0.08, expires_after=600)


@pytest.fixture
def fast_emu() -> Emulator:
    return Emulator(clock=RealClock(speed=1.0), timing=FAST, seed=3)


def test_whole_flow_sync(fast_emu: Emulator, tmp_path: Path) -> None:
    with fast_emu.client(max_retries=2) as sora:
        video = sora.videos.create_and_poll(prompt="a cat", seconds=8, size="1280x720")
        assert (video.status, video.seconds, video.size) == ("completed", "8", "1280x720")
        path = sora.videos.download_content(video.id).write_to_file(tmp_path / "cat.mp4")
        assert path.read_bytes()[4:8] == b"ftyp"
        assert [v.id for v in sora.videos.list(limit=5)] == [video.id]
        remix = sora.videos.remix_and_poll(video.id, prompt="at night")
        assert remix.remixed_from_video_id == video.id
        assert sora.videos.delete(video.id).deleted
        with pytest.raises(NotFoundError):
            sora.videos.retrieve(video.id)
        with pytest.raises(VideoFailedError):
            sora.videos.create_and_poll(prompt="[fail]")


def test_sdk_retries_a_dropped_create_without_a_second_job(fast_emu: Emulator) -> None:
    fast_emu.faults.add(Fault.drop(after_handling=True), method="POST", path="/videos", times=1)
    with fast_emu.client(max_retries=2) as sora:
        video = sora.videos.create(prompt="x")
    assert [v["id"] for v in fast_emu.jobs] == [video.id]
    keys = {r.headers.get("idempotency-key") for r in fast_emu.requests.matching("POST", "/videos")}
    assert len(keys) == 1


def test_sdk_sees_rate_limits(fast_emu: Emulator) -> None:
    fast_emu.faults.add(Fault.status(429, retry_after=0), method="GET")
    with fast_emu.client(max_retries=0) as sora, pytest.raises(RateLimitError):
        sora.videos.retrieve("video_x")


@pytest.mark.anyio
async def test_whole_flow_async(fast_emu: Emulator, tmp_path: Path) -> None:
    async with fast_emu.async_client() as sora:
        video = await sora.videos.create_and_poll(prompt="a cat", seconds=4)
        content = await sora.videos.download_content(video.id, variant="thumbnail")
        assert (await content.read())[8:12] == b"WEBP"
        extended = await sora.videos.extend(video={"id": video.id}, prompt="more", seconds=8)
        assert extended.seconds == "12"
        page = await sora.videos.list(order="asc")
        assert [v.id for v in page.data] == [video.id, extended.id]
        assert (await sora.videos.delete(video.id)).deleted
