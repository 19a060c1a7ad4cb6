"""``_serving``, the pure part: a request as the server takes it, an answer as it means it."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from sora_videos import (
    NotFoundError,
    UnsupportedOperationError,
    VideoFailedError,
    VideoNotReadyError,
    servers,
)
from sora_videos import _operations as ops
from sora_videos._config import ClientConfig
from sora_videos._send import send_flow
from sora_videos._serving import answers_with_video, for_server
from sora_videos._steps import Send

from ..conftest import client_config, video_json

TRT = client_config(
    api_key=None, base_url="http://127.0.0.1:8000/v1", max_retries=0, server="tensorrt-llm"
)


def create(**changes: Any) -> Any:
    fields: dict[str, Any] = {
        "prompt": "a cat",
        "model": None,
        "seconds": None,
        "size": None,
        "input_reference": None,
        "idempotency_key": "k",
    }
    return ops.create(**{**fields, **changes})


def test_create_is_a_form_where_the_server_takes_only_forms() -> None:
    assert for_server(servers.VLLM_OMNI, create()).multipart
    assert not for_server(servers.SGLANG, create()).multipart
    assert not for_server(servers.VLLM_OMNI, ops.retrieve("v")).multipart


def test_fields_and_files_take_the_servers_names() -> None:
    renamed = dataclasses.replace(
        servers.TENSORRT_LLM, field_renames={"input_reference": "image_reference"}
    )
    upload = for_server(renamed, create(input_reference=("c.png", b"png", "image/png")))
    assert list(upload.files or {}) == ["image_reference"]
    by_url = for_server(servers.VLLM_OMNI, create(input_reference={"image_url": "https://x"}))
    assert (by_url.json or {})["image_reference"] == {"image_url": "https://x"}


def test_a_missing_operation_raises_before_the_flow_sends() -> None:
    flow = send_flow(TRT, ops.remix("v", prompt="p", idempotency_key=None), {})
    with pytest.raises(UnsupportedOperationError, match="tensorrt-llm server does not offer remix"):
        next(flow)


def answer(status: int, **kwargs: Any) -> httpx.Response:
    request = httpx.Request("GET", "http://127.0.0.1:8000/v1/videos/v")
    return httpx.Response(status, request=request, **kwargs)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, video_json("v", status="failed"), True),
        (500, video_json("v", status="cancelled"), True),
        (500, video_json("v", status="completed"), False),
        (500, {"error": {"message": "boom", "code": 500}}, False),
        (200, video_json("v", status="failed"), False),
    ],
)
def test_a_failed_job_answered_with_an_error_status_is_the_video(
    status: int, body: dict[str, Any], expected: bool
) -> None:
    spec = ops.retrieve("v")
    assert answers_with_video(servers.VLLM_OMNI, spec, answer(status, json=body)) is expected
    assert not answers_with_video(servers.VLLM_OMNI, ops.delete("v"), answer(status, json=body))


def refused_download(config: ClientConfig, status: int, body: object) -> Any:
    """Step a content flow to its refusal; return the flow and the retrieve it sends."""
    flow = send_flow(config, ops.content("v", variant="video"), {})
    step = next(flow)
    assert isinstance(step, Send)
    check = flow.send(answer(status, json=body))  # its body already read: no Read step
    assert isinstance(check, Send)
    assert str(check.request.url) == "http://127.0.0.1:8000/v1/videos/v"
    return flow, check


def test_media_asked_for_too_early_is_a_job_not_ready() -> None:
    flow, _ = refused_download(TRT, 400, {"object": "error", "message": "not ready", "code": 400})
    with pytest.raises(VideoNotReadyError) as raised:
        flow.send(answer(200, json=video_json("v", status="generating", progress=40)))
    assert (raised.value.status_code, raised.value.video.status) == (400, "generating")
    assert "video v is generating (40%)" in str(raised.value)


def test_media_of_a_failed_job_is_a_failed_video() -> None:
    flow, _ = refused_download(TRT, 404, {"detail": "Generation is still in-progress"})
    with pytest.raises(VideoFailedError):
        flow.send(answer(200, json=video_json("v", status="failed")))


def test_media_of_a_job_that_is_gone_stays_a_missing_video() -> None:
    flow, _ = refused_download(TRT, 404, {"detail": "Video not found"})
    with pytest.raises(NotFoundError, match="Video not found"):
        flow.send(answer(404, json={"detail": "Video not found"}))


@pytest.mark.parametrize(
    ("status", "body"), [(405, {"detail": "Method Not Allowed"}), (404, {"detail": "Not Found"})]
)
def test_a_missing_route_is_an_unsupported_operation(status: int, body: object) -> None:
    config = TRT.with_changes(server="openai", api_key="k")
    flow = send_flow(config, ops.delete("v"), {})
    next(flow)
    with pytest.raises(UnsupportedOperationError) as raised:
        flow.send(answer(status, json=body))
    assert (raised.value.server, raised.value.operation) == ("openai", "delete")
    assert raised.value.__cause__ is not None
