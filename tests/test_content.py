"""Downloads: streamed, checked against Content-Length, never a half-written file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from sora_videos import (
    AsyncSora,
    IncompleteDownloadError,
    NotFoundError,
    Sora,
)

from .conftest import FakeAPI, error_json

MEDIA = bytes(range(256)) * 4096  # 1 MiB


class ChunkedBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body delivered in small chunks, optionally cut short, that counts what was pulled."""

    def __init__(self, data: bytes, *, cut_at: int | None = None, chunk: int = 64 * 1024) -> None:
        self.data, self.cut_at, self.chunk = data, cut_at, chunk
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        end = len(self.data) if self.cut_at is None else self.cut_at
        for start in range(0, end, self.chunk):
            piece = self.data[start : min(start + self.chunk, end)]
            self.pulled += len(piece)
            yield piece
        if self.cut_at is not None:
            raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for piece in self:
            yield piece


def serve_media(api: FakeAPI, body: ChunkedBody, *, length: int | None = len(MEDIA)) -> None:
    headers = {"content-type": "video/mp4"}
    if length is not None:
        headers["content-length"] = str(length)
    api.fallback = lambda request: httpx.Response(200, headers=headers, stream=body)


def test_write_to_file_streams_into_place_and_reports_progress(
    client: Sora, api: FakeAPI, tmp_path: Path
) -> None:
    serve_media(api, ChunkedBody(MEDIA))
    progress: list[tuple[int, int | None]] = []
    content = client.videos.download_content("video_1")
    assert content.content_type == "video/mp4"
    assert content.content_length == len(MEDIA)
    target = content.write_to_file(
        tmp_path / "cat.mp4", on_progress=lambda d, t: progress.append((d, t))
    )
    assert target.read_bytes() == MEDIA
    assert progress[-1] == (len(MEDIA), len(MEDIA))
    assert len(progress) >= 1
    assert list(tmp_path.iterdir()) == [target]
    assert api.last.url.params["variant"] == "video"
    assert "video/mp4" in api.last.headers["accept"]


def test_a_cut_download_leaves_no_file_and_keeps_an_old_one(
    client: Sora, api: FakeAPI, tmp_path: Path
) -> None:
    target = tmp_path / "cat.mp4"
    target.write_bytes(b"previous good file")
    serve_media(api, ChunkedBody(MEDIA, cut_at=len(MEDIA) * 4 // 10))
    with pytest.raises(IncompleteDownloadError) as raised:
        client.videos.download_content("video_1").write_to_file(target)
    assert (raised.value.expected, raised.value.received) == (len(MEDIA), len(MEDIA) * 4 // 10)
    assert target.read_bytes() == b"previous good file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.mp4"]


def test_a_short_body_without_a_transport_error_is_still_caught(
    client: Sora, api: FakeAPI, tmp_path: Path
) -> None:
    serve_media(api, ChunkedBody(MEDIA[:1000]), length=len(MEDIA))
    with pytest.raises(IncompleteDownloadError):
        client.videos.download_content("video_1").write_to_file(tmp_path / "x.mp4")
    assert list(tmp_path.iterdir()) == []


def test_iter_bytes_streams_in_chunks(client: Sora, api: FakeAPI) -> None:
    body = ChunkedBody(MEDIA)
    serve_media(api, body, length=None)
    content = client.videos.download_content("video_1", variant="thumbnail")
    assert body.pulled == 0  # headers only: nothing read yet
    chunks = content.iter_bytes(chunk_size=128 * 1024)
    first = next(chunks)
    assert len(first) == 128 * 1024
    assert body.pulled < len(MEDIA)
    assert first + b"".join(chunks) == MEDIA


def test_a_missing_or_expired_asset_raises_on_the_call(client: Sora, api: FakeAPI) -> None:
    api.fallback = lambda request: httpx.Response(
        404, json=error_json("Video assets expired", code="video_expired")
    )
    with pytest.raises(NotFoundError, match="expired") as raised:
        client.videos.download_content("video_1")
    assert raised.value.code == "video_expired"


def test_read_and_context_manager(client: Sora, api: FakeAPI) -> None:
    serve_media(api, ChunkedBody(MEDIA))
    with client.videos.download_content("video_1", variant="spritesheet") as content:
        assert content.read() == MEDIA
    assert (
        repr(content)
        == f"<VideoContent video/mp4, {len(MEDIA)} bytes from /v1/videos/video_1/content>"
    )


@pytest.mark.anyio
async def test_async_write_to_file_and_cut(
    async_client: AsyncSora, api: FakeAPI, tmp_path: Path
) -> None:
    serve_media(api, ChunkedBody(MEDIA))
    seen: list[int] = []

    async def on_progress(done: int, total: int | None) -> None:
        seen.append(done)

    content = await async_client.videos.download_content("video_1")
    path = await content.write_to_file(tmp_path / "a.mp4", on_progress=on_progress)
    assert path.read_bytes() == MEDIA
    assert seen[-1] == len(MEDIA)

    serve_media(api, ChunkedBody(MEDIA, cut_at=1000))
    content = await async_client.videos.download_content("video_1")
    with pytest.raises(IncompleteDownloadError):
        await content.write_to_file(tmp_path / "b.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4"]


@pytest.mark.anyio
async def test_async_read_iter_and_close(async_client: AsyncSora, api: FakeAPI) -> None:
    serve_media(api, ChunkedBody(MEDIA))
    async with await async_client.videos.download_content("video_1") as content:
        assert await content.read() == MEDIA
    content = await async_client.videos.download_content("video_1")
    total = 0
    async for chunk in content.iter_bytes(chunk_size=100_000):
        total += len(chunk)
    assert total == len(MEDIA)
    await content.close()


def test_a_download_stopped_by_its_callback_leaves_no_file(
    client: Sora, api: FakeAPI, tmp_path: Path
) -> None:
    serve_media(api, ChunkedBody(MEDIA))

    def on_progress(done: int, total: int | None) -> None:
        raise KeyboardInterrupt  # the user pressed Ctrl-C mid-download

    with pytest.raises(KeyboardInterrupt):
        client.videos.download("video_1", tmp_path / "cat.mp4", on_progress=on_progress)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
async def test_a_cancelled_async_download_leaves_no_file(
    async_client: AsyncSora, api: FakeAPI, tmp_path: Path
) -> None:
    serve_media(api, ChunkedBody(MEDIA))
    with anyio.CancelScope() as scope:

        async def on_progress(done: int, total: int | None) -> None:
            scope.cancel()
            await anyio.sleep(1)

        await async_client.videos.download("video_1", tmp_path / "cat.mp4", on_progress=on_progress)
    assert scope.cancelled_caught
    assert list(tmp_path.iterdir()) == []
