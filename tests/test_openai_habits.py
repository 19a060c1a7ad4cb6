"""What users of openai's SDK reach for first works here too, sync and async."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import sora_videos
from sora_videos import AsyncSora, Sora, SoraError, VideoList
from sora_videos._logging import configure_from_env

from .conftest import API_KEY, FakeAPI, video_json

MEDIA = b"\x00\x00\x00\x18ftypmp42" + bytes(100)


def serve_media(api: FakeAPI) -> None:
    headers = {"content-type": "video/mp4", "content-length": str(len(MEDIA))}
    api.fallback = lambda request: httpx.Response(200, headers=headers, content=MEDIA)


def test_streaming_response_is_a_context_manager(
    client: Sora, api: FakeAPI, tmp_path: Path
) -> None:
    serve_media(api)
    stream = client.videos.with_streaming_response
    with stream.download_content("video_1") as response:
        assert b"".join(response.iter_bytes()) == MEDIA
    with stream.download_content("video_1") as response:
        assert response.stream_to_file(tmp_path / "v.mp4").read_bytes() == MEDIA
    with stream.download_content("video_1") as response:
        pass  # left unread: the exit releases the connection
    assert response.response.is_closed


@pytest.mark.anyio
async def test_async_streaming_response_is_a_context_manager(
    async_client: AsyncSora, api: FakeAPI, tmp_path: Path
) -> None:
    serve_media(api)
    stream = async_client.videos.with_streaming_response
    async with stream.download_content("video_1") as response:
        assert b"".join([chunk async for chunk in response.iter_bytes()]) == MEDIA
    async with stream.download_content("video_1") as response:
        assert (await response.stream_to_file(tmp_path / "v.mp4")).read_bytes() == MEDIA
    async with stream.download_content("video_1") as response:
        pass
    assert response.response.is_closed


def test_content_and_text_read_the_body(client: Sora, api: FakeAPI) -> None:
    api.fallback = lambda request: httpx.Response(200, content=b"caf\xc3\xa9")
    content = client.videos.download_content("video_1", variant="thumbnail")
    assert content.content == b"caf\xc3\xa9"
    assert content.text == "café"
    assert content.read() == b"caf\xc3\xa9"  # read once, kept


@pytest.mark.anyio
async def test_async_content_and_text_after_read(async_client: AsyncSora, api: FakeAPI) -> None:
    api.fallback = lambda request: httpx.Response(200, content=b"caf\xc3\xa9")
    content = await async_client.videos.download_content("video_1", variant="thumbnail")
    with pytest.raises(SoraError, match=r"await content\.read"):
        _ = content.content
    assert await content.read() == b"caf\xc3\xa9"
    assert content.content == b"caf\xc3\xa9"
    assert content.text == "café"


def test_copy_default_query_api_key_and_base_url(client: Sora, api: FakeAPI) -> None:
    assert client.api_key == API_KEY
    assert str(client.base_url) == "http://api.test/v1/"
    copy = client.copy(default_query={"api-version": "2025-01"}, max_retries=0)
    assert copy.max_retries == 0
    assert copy.api_key == API_KEY
    copy.videos.retrieve("video_1")
    assert api.last.url.params["api-version"] == "2025-01"
    client.videos.retrieve("video_1")
    assert "api-version" not in api.last.url.params


@pytest.mark.anyio
async def test_async_default_query_on_the_client(api: FakeAPI) -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    async with AsyncSora(
        api_key=API_KEY, base_url="http://api.test/v1", http_client=http, default_query={"a": 1}
    ) as sora:
        await sora.videos.retrieve("video_1")
        assert api.last.url.params["a"] == "1"
        assert sora.copy().api_key == API_KEY


def test_models_carry_the_request_id(client: Sora, api: FakeAPI) -> None:
    headers = {"x-request-id": "req_123"}
    api.fallback = lambda request: httpx.Response(200, json=video_json(), headers=headers)
    video = client.videos.retrieve("video_1")
    assert video._request_id == "req_123"
    assert video == client.videos.retrieve("video_1").model_copy()  # not part of equality


@pytest.mark.anyio
async def test_async_models_carry_the_request_id(async_client: AsyncSora, api: FakeAPI) -> None:
    headers = {"x-request-id": "req_9"}
    api.fallback = lambda request: httpx.Response(200, json=video_json(), headers=headers)
    assert (await async_client.videos.retrieve("video_1"))._request_id == "req_9"


def test_download_into_a_folder_names_the_file_after_the_video(
    client: Sora, api: FakeAPI, tmp_path: Path
) -> None:
    serve_media(api)
    assert client.videos.download("video_1", tmp_path) == tmp_path / "video_1.mp4"
    assert (tmp_path / "video_1.mp4").read_bytes() == MEDIA
    new = tmp_path / "new"
    new.mkdir()
    path = client.videos.download("video_2", f"{new}/", variant="thumbnail")
    assert path == new / "video_2.thumbnail.webp"
    assert client.videos.download("video_1", tmp_path / "named.mp4") == tmp_path / "named.mp4"


@pytest.mark.anyio
async def test_async_download_into_a_folder(
    async_client: AsyncSora, api: FakeAPI, tmp_path: Path
) -> None:
    serve_media(api)
    assert await async_client.videos.download("video_1", tmp_path) == tmp_path / "video_1.mp4"


def test_openai_log_turns_on_logging_like_sora_videos_log() -> None:
    logger = logging.getLogger("sora_videos")
    before = list(logger.handlers)
    try:
        configure_from_env(environ={"OPENAI_LOG": "info"})
        assert logger.level == logging.INFO
        configure_from_env(environ={"OPENAI_LOG": "info", "SORA_VIDEOS_LOG": "debug"})
        assert logger.level == logging.DEBUG  # the package's own variable wins
    finally:
        logger.handlers = before
        logger.setLevel(logging.NOTSET)


def test_video_list_is_exported_and_the_log_setup_is_private() -> None:
    assert VideoList.__name__ in sora_videos.__all__
    assert "configure_from_env" not in dir(sora_videos)


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sora_videos", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert sora_videos.__version__ in done.stdout + done.stderr
