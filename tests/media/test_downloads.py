"""Downloads that survive the network, proven against the emulator and its fault injection."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest

from sora_videos import IncompleteDownloadError, NotFoundError, Sora
from sora_videos.emulator import Emulator, Fault, ManualClock

CONTENT = "/videos/{id}/content"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emu(clock: ManualClock) -> Emulator:
    return Emulator(clock=clock, seed=0)


def finished_video(emu: Emulator, clock: ManualClock, sora: Sora, seconds: int = 4) -> str:
    video = sora.videos.create(prompt="A calico cat playing a piano", seconds=seconds)
    clock.advance(600)
    return video.id


def served_bytes(emu: Emulator, video_id: str, variant: str = "video") -> bytes:
    with httpx.Client(transport=emu.transport(), headers={"Authorization": "Bearer k"}) as http:
        response = http.get(
            f"http://emulator.invalid/v1/videos/{video_id}/content?variant={variant}"
        )
        return response.content


def test_a_download_cut_at_40_percent_resumes_with_range_and_matches_the_served_bytes(
    emu: Emulator, clock: ManualClock, tmp_path: Path
) -> None:
    with emu.client(max_retries=2) as sora:
        video_id = finished_video(emu, clock, sora, seconds=8)
        expected = served_bytes(emu, video_id)
        cut = len(expected) * 4 // 10
        emu.requests.clear()
        emu.faults.add(Fault.cut(after_bytes=cut), path=CONTENT, times=1)
        progress: list[tuple[int, int | None]] = []
        target = sora.videos.download(
            video_id, tmp_path / "cat.mp4", on_progress=lambda d, t: progress.append((d, t))
        )
    assert target.read_bytes() == expected
    first, second = emu.requests
    assert "range" not in first.headers
    assert first.bytes_sent == cut
    assert second.headers["range"] == f"bytes={cut}-"
    assert second.status == 206
    assert second.bytes_sent == len(expected) - cut
    assert progress[-1] == (len(expected), len(expected))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.mp4"]


def test_write_to_file_resumes_too(emu: Emulator, clock: ManualClock, tmp_path: Path) -> None:
    with emu.client() as sora:
        video_id = finished_video(emu, clock, sora)
        expected = served_bytes(emu, video_id)
        emu.faults.add(Fault.cut(fraction=0.5), path=CONTENT, times=1)
        content = sora.videos.download_content(video_id)
        assert content.content_length == len(expected)
        assert content.write_to_file(tmp_path / "a.mp4").read_bytes() == expected


def test_cuts_beyond_the_retry_budget_leave_no_file(
    emu: Emulator, clock: ManualClock, tmp_path: Path
) -> None:
    target = tmp_path / "cat.mp4"
    with emu.client(max_retries=2) as sora:
        video_id = finished_video(emu, clock, sora)
        emu.faults.add(Fault.cut(fraction=0.3), path=CONTENT)
        emu.requests.clear()
        with pytest.raises(IncompleteDownloadError):
            sora.videos.download(video_id, target)
    assert list(tmp_path.iterdir()) == []
    assert len(emu.requests) == 3  # the first try and two resumes, no more


def test_a_server_that_ignores_range_restarts_cleanly(tmp_path: Path) -> None:
    body = bytes(range(256)) * 1000
    calls: list[str | None] = []

    class IgnoresRange(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            calls.append(request.headers.get("range"))
            if len(calls) == 1:
                stream = _CutStream(body, cut=len(body) // 3)
                return httpx.Response(
                    200, headers={"content-length": str(len(body))}, stream=stream
                )
            return httpx.Response(200, headers={"content-length": str(len(body))}, content=body)

    http = httpx.Client(transport=IgnoresRange())
    with Sora(api_key="k", base_url="http://api.test/v1", http_client=http) as sora:
        target = sora.videos.download("video_1", tmp_path / "v.mp4")
    assert target.read_bytes() == body
    assert calls == [None, f"bytes={len(body) // 3}-"]


class _CutStream(httpx.SyncByteStream):
    def __init__(self, data: bytes, cut: int) -> None:
        self.data, self.cut = data, cut

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield self.data[: self.cut]
        raise httpx.RemoteProtocolError("connection lost")


def test_download_all_fetches_every_variant(
    emu: Emulator, clock: ManualClock, tmp_path: Path
) -> None:
    with emu.client() as sora:
        video_id = finished_video(emu, clock, sora)
        paths = sora.videos.download_all(video_id, tmp_path / "out")
    assert {variant: path.name for variant, path in paths.items()} == {
        "video": f"{video_id}.mp4",
        "thumbnail": f"{video_id}.thumbnail.webp",
        "spritesheet": f"{video_id}.spritesheet.jpg",
    }
    assert paths["video"].read_bytes()[4:8] == b"ftyp"
    assert paths["thumbnail"].read_bytes()[8:12] == b"WEBP"
    assert paths["spritesheet"].read_bytes()[:2] == b"\xff\xd8"


def test_an_expired_asset_fails_clearly_and_writes_nothing(
    emu: Emulator, clock: ManualClock, tmp_path: Path
) -> None:
    with emu.client() as sora:
        video_id = finished_video(emu, clock, sora)
        clock.advance(7 * 24 * 3600)
        with pytest.raises(NotFoundError) as raised:
            sora.videos.download(video_id, tmp_path / "late.mp4")
    assert raised.value.code == "video_expired"
    assert list(tmp_path.iterdir()) == []


def test_an_id_with_slashes_makes_a_safe_file_name(tmp_path: Path) -> None:
    from sora_videos._operations import media_filename

    name = media_filename("../../etc/passwd", "video")
    assert name.startswith("_.._etc_passwd-")  # sanitized, plus a hash of the id as sent
    assert name.endswith(".mp4")
    assert "/" not in name
    assert media_filename("..", "thumbnail").startswith("video-")
    assert media_filename("video_123", "thumbnail") == "video_123.thumbnail.webp"  # as is
    assert media_filename("video:a", "video") != media_filename("video/a", "video")
    assert len(media_filename("x" * 300, "spritesheet")) < 160  # file systems allow 255


@pytest.mark.anyio
async def test_async_download_resumes_after_a_cut(
    emu: Emulator, clock: ManualClock, tmp_path: Path
) -> None:
    async with emu.async_client() as sora:
        video = await sora.videos.create(prompt="cat", seconds=4)
        clock.advance(600)
        expected = served_bytes(emu, video.id)
        emu.faults.add(Fault.cut(fraction=0.4), path=CONTENT, times=1)
        emu.requests.clear()
        seen: list[int] = []

        async def on_progress(done: int, total: int | None) -> None:
            seen.append(done)
            await anyio.lowlevel.checkpoint()

        target = await sora.videos.download(video.id, tmp_path / "a.mp4", on_progress=on_progress)
        assert target.read_bytes() == expected
        assert seen[-1] == len(expected)
        assert emu.requests[1].status == 206
        paths = await sora.videos.download_all(video.id, tmp_path / "all")
        assert sorted(paths) == ["spritesheet", "thumbnail", "video"]
        content = await sora.videos.download_content(video.id)
        emu.faults.add(Fault.cut(fraction=0.5), path=CONTENT, times=1)
        assert (await content.write_to_file(tmp_path / "b.mp4")).read_bytes() == expected
