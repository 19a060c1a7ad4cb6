"""Choosing a server on the client: ``server=``, ``SORA_VIDEOS_SERVER``, ``with_options``."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest

from sora_videos import (
    AsyncSora,
    Sora,
    SoraError,
    UnknownServerError,
    UnsupportedOperationError,
    servers,
)

from ..conftest import video_json

BASE_URL = "http://127.0.0.1:8091/v1"


def recording(sent: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(200, json=video_json("video_gen_1"))

    return httpx.MockTransport(answer)


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SORA_VIDEOS_SERVER"):
        monkeypatch.delenv(name, raising=False)


def test_a_keyless_server_gets_no_credentials_and_a_form_for_create() -> None:
    sent: list[httpx.Request] = []
    http = httpx.Client(transport=recording(sent))
    with Sora(base_url=BASE_URL, server="vllm-omni", http_client=http) as client:
        assert client.server is servers.VLLM_OMNI
        client.videos.create(prompt="a cat", seconds=4)
    request = sent[0]
    assert "authorization" not in request.headers
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="prompt"\r\n\r\na cat\r\n' in request.content
    assert b'name="seconds"\r\n\r\n4\r\n' in request.content


@pytest.mark.anyio
async def test_the_environment_chooses_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORA_VIDEOS_SERVER", "TensorRT_LLM")
    sent: list[httpx.Request] = []
    async with AsyncSora(
        api_key="k", base_url=BASE_URL, http_client=httpx.AsyncClient(transport=recording(sent))
    ) as client:
        assert client.server is servers.TENSORRT_LLM
        with pytest.raises(UnsupportedOperationError, match="tensorrt-llm server does not offer"):
            await client.videos.remix("video_1", prompt="p")
        await client.videos.create(prompt="a cat")
    assert [r.method for r in sent] == ["POST"]  # the remix sent nothing
    assert sent[0].headers["authorization"] == "Bearer k"
    assert sent[0].headers["content-type"] == "application/json"


def test_with_options_changes_the_server_and_keeps_the_pool() -> None:
    sent: list[httpx.Request] = []
    http = httpx.Client(transport=recording(sent))
    with Sora(api_key="k", base_url=BASE_URL, http_client=http) as client:
        litellm = client.with_options(server="litellm")
        with pytest.raises(UnsupportedOperationError) as raised:
            litellm.videos.delete("video_1")
        assert (raised.value.server, raised.value.operation) == ("litellm", "delete")
        assert client.server is servers.OPENAI
        assert repr(litellm) == f"Sora(base_url='{BASE_URL}/', server='litellm')"
    assert sent == []


def test_a_profile_of_ones_own_renames_fields_and_adds_its_query() -> None:
    gateway = dataclasses.replace(
        servers.TENSORRT_LLM,
        name="trt-gateway",
        field_renames={"input_reference": "image_reference"},
        default_query={"tenant": "blue"},
    )
    sent: list[httpx.Request] = []
    http = httpx.Client(transport=recording(sent))
    with Sora(base_url=BASE_URL, server=gateway, http_client=http) as client:
        client.videos.create(prompt="a cat", input_reference=("cat.png", b"\x89PNG", "image/png"))
        client.videos.create(prompt="a cat", input_reference={"image_url": "https://x/cat.png"})
    upload, by_url = sent
    assert upload.url.params["tenant"] == "blue"
    assert b'name="image_reference"; filename="cat.png"' in upload.content
    assert json.loads(by_url.content)["image_reference"] == {"image_url": "https://x/cat.png"}


def test_wrong_choices_are_named() -> None:
    with pytest.raises(UnknownServerError, match="choose one of: openai, azure"):
        Sora(api_key="k", server="vllm")
    with pytest.raises(SoraError, match="litellm server has no public address: pass base_url="):
        Sora(api_key="k", server="litellm")
    with pytest.raises(SoraError, match="no API key"):
        Sora(base_url=BASE_URL, server="litellm")
