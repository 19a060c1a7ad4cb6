"""Each dialect answers as its server does: auth, routes, encodings, shapes, status words."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from sora_videos._cli._parser import EMULATOR_DIALECTS
from sora_videos.emulator import DIALECTS, Emulator, ManualClock, Timing

from .conftest import AUTH

BOUNDARY = "emulatorboundary"


def multipart(**fields: str) -> dict[str, object]:
    """A multipart body of text fields only (httpx sends those URL-encoded otherwise)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = "".join(parts) + f"--{BOUNDARY}--\r\n"
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    return {"content": body.encode(), "headers": headers}


def client(emu: Emulator, **headers: str) -> httpx.Client:
    return httpx.Client(transport=emu.transport(), base_url=emu.base_url, headers=headers)


@pytest.fixture
def dialect_emu(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Emulator]:
    with Emulator(clock=clock, seed=1, dialect=request.param) as emulator:
        yield emulator


def path(video_id: str, suffix: str = "") -> str:
    return f"/videos/{quote(video_id, safe='')}{suffix}"


def test_every_dialect_is_listed_and_names_its_source() -> None:
    assert set(DIALECTS) == {"openai", "azure", "litellm", "vllm-omni", "sglang", "tensorrt-llm"}
    assert all(d.source for d in DIALECTS.values())
    assert tuple(DIALECTS) == EMULATOR_DIALECTS  # the command line's --dialect choices
    with pytest.raises(ValueError, match="unknown dialect 'nonesuch'"):
        Emulator(dialect="nonesuch")  # type: ignore[arg-type]


# Azure --------------------------------------------------------------------------------------


def test_azure_lives_under_openai_v1_and_answers_other_paths_404(clock: ManualClock) -> None:
    with Emulator(clock=clock, dialect="azure") as emu, client(emu, **{"api-key": "k"}) as http:
        assert emu.base_url == "http://emulator.invalid/openai/v1"
        created = http.post("/videos", json={"prompt": "a fox"})
        assert created.status_code == 200
        assert created.json()["status"] == "queued"
        wrong = http.get("http://emulator.invalid/v1/videos")
        assert wrong.status_code == 404
        assert wrong.json() == {"error": {"code": "404", "message": "Resource not found"}}
        edits = http.post("/videos/edits", json={"prompt": "x", "video": {"id": "v"}})
        assert edits.status_code == 404
        portrait = http.post("/videos", json={"prompt": "a fox", "size": "1024x1792"})
        assert portrait.status_code == 400
        assert portrait.json()["error"]["param"] == "size"


def test_azure_accepts_its_key_or_a_valid_bearer_token_and_nothing_else(
    clock: ManualClock,
) -> None:
    tokens = {"entra-1"}
    emu = Emulator(clock=clock, dialect="azure", api_keys={"key-1"}, bearer_tokens=tokens)
    with emu, client(emu) as http:
        anonymous = http.get("/videos")
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "401"
        assert "Access denied" in anonymous.json()["error"]["message"]
        assert http.get("/videos", headers={"api-key": "key-2"}).status_code == 401
        assert http.get("/videos", headers={"api-key": "key-1"}).status_code == 200
        assert http.get("/videos", headers={"Authorization": "Bearer entra-1"}).status_code == 200
        assert http.get("/videos", headers={"Authorization": "Bearer key-1"}).status_code == 200
        assert http.get("/videos", headers={"Authorization": "Bearer old"}).status_code == 401


def test_azure_tokens_can_be_checked_by_a_function(clock: ManualClock) -> None:
    issued: list[str] = ["t1"]
    emu = Emulator(clock=clock, dialect="azure", bearer_tokens=lambda t: t == issued[-1])
    with emu, client(emu) as http:
        assert http.get("/videos", headers={"Authorization": "Bearer t1"}).status_code == 200
        issued.append("t2")  # the first token expired
        assert http.get("/videos", headers={"Authorization": "Bearer t1"}).status_code == 401
        assert http.get("/videos", headers={"Authorization": "Bearer t2"}).status_code == 200
        assert http.get("/videos", headers={"api-key": "any"}).status_code == 200


def test_azure_auth_and_routes_over_a_real_socket(clock: ManualClock) -> None:
    emu = Emulator(clock=clock, dialect="azure", api_keys={"key-1"})
    with emu, emu.serve() as base_url, httpx.Client(base_url=base_url) as http:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/openai/v1")
        assert http.get("/videos").status_code == 401
        created = http.post("/videos", json={"prompt": "a fox"}, headers={"api-key": "key-1"})
        assert created.status_code == 200
        root = base_url.removesuffix("/openai/v1")
        elsewhere = http.get(f"{root}/v1/videos", headers={"api-key": "key-1"})
        assert elsewhere.status_code == 404
        assert elsewhere.json()["error"]["message"] == "Resource not found"


# LiteLLM ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect_emu", ["litellm"], indirect=True)
def test_litellm_ids_hold_base64_plus_slash_and_padding(
    dialect_emu: Emulator, clock: ManualClock
) -> None:
    with client(dialect_emu, **AUTH) as http:
        video = http.post("/videos", json={"prompt": "a fox"}).json()
        video_id = str(video["id"])
        assert video_id.startswith("video_")
        assert {"+", "/", "="} <= set(video_id)
        decoded = base64.b64decode(video_id.removeprefix("video_")).decode()
        assert decoded.startswith("litellm:custom_llm_provider:")
        clock.advance(3)
        running = http.get(path(video_id))
        assert running.json()["id"] == video_id
        assert running.json()["status"] == "processing"
        clock.advance(3600)
        assert http.get(path(video_id)).json()["status"] == "completed"
        assert http.get(path(video_id, "/content")).headers["content-type"] == "video/mp4"


@pytest.mark.parametrize("dialect_emu", ["litellm"], indirect=True)
def test_litellm_has_no_delete_route(dialect_emu: Emulator, clock: ManualClock) -> None:
    with client(dialect_emu, **AUTH) as http:
        video_id = str(http.post("/videos", json={"prompt": "a fox"}).json()["id"])
        clock.advance(3600)
        answer = http.delete(path(video_id))
        assert answer.status_code == 405
        assert answer.json() == {"detail": "Method Not Allowed"}
        assert answer.headers["allow"] == "GET"
        assert http.get("/videos").json()["data"][0]["id"] == video_id
        unauthorized = http.get("/videos", headers={"Authorization": ""})
        assert unauthorized.status_code == 401
        assert unauthorized.json()["error"]["type"] == "auth_error"


def test_litellm_ids_survive_a_real_socket(clock: ManualClock) -> None:
    emu = Emulator(clock=clock, dialect="litellm")
    with emu, emu.serve() as base_url, httpx.Client(base_url=base_url, headers=AUTH) as http:
        video_id = str(http.post("/videos", json={"prompt": "a fox"}).json()["id"])
        assert "/" in video_id
        assert http.get(path(video_id)).json()["id"] == video_id
        assert http.get(f"/videos/{video_id}").status_code == 404  # a raw "/" splits the path


# vLLM-Omni ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect_emu", ["vllm-omni"], indirect=True)
def test_vllm_omni_takes_multipart_only_and_makes_video_gen_ids(dialect_emu: Emulator) -> None:
    with client(dialect_emu) as http:  # no key: the server was started without --api-key
        as_json = http.post("/videos", json={"prompt": "a fox"})
        assert as_json.status_code == 400
        error = as_json.json()["error"]
        assert error["code"] == 400
        assert error["type"] == "Bad Request"
        assert "Field required" in error["message"]
        created = http.post("/videos", **multipart(prompt="a fox", seconds="5"))  # type: ignore[arg-type]
        assert created.status_code == 200, created.text
        video = created.json()
        assert str(video["id"]).startswith("video_gen_")
        assert video["seconds"] == "5"
        assert video["model"] == DIALECTS["vllm-omni"].default_model
        other = http.post("/videos", **multipart(prompt="a fox", model="sora-2"))  # type: ignore[arg-type]
        assert other.status_code == 400
        assert "Model mismatch" in other.json()["error"]["message"]


@pytest.mark.parametrize("dialect_emu", ["vllm-omni"], indirect=True)
def test_vllm_omni_lacks_remix_edits_extensions_characters(dialect_emu: Emulator) -> None:
    with client(dialect_emu) as http:
        video_id = str(http.post("/videos", **multipart(prompt="a fox")).json()["id"])  # type: ignore[arg-type]
        remix = http.post(path(video_id, "/remix"), json={"prompt": "again"})
        assert (remix.status_code, remix.json()) == (404, {"detail": "Not Found"})
        for route in ("/videos/edits", "/videos/extensions", "/videos/characters"):
            answer = http.post(route, json={"prompt": "x"})
            assert (answer.status_code, answer.json()) == (405, {"detail": "Method Not Allowed"})
        assert http.get("/videos/characters/char_1").status_code == 404
        missing = http.get("/videos/video_gen_nonesuch")
        assert missing.status_code == 404
        assert missing.json()["error"] == {
            "message": "Video not found",
            "type": "Not Found",
            "param": None,
            "code": 404,
        }


@pytest.mark.parametrize("dialect_emu", ["vllm-omni"], indirect=True)
def test_vllm_omni_failed_job_answers_its_error_status_with_the_video(
    dialect_emu: Emulator, clock: ManualClock
) -> None:
    with client(dialect_emu) as http:
        failing = http.post("/videos", **multipart(prompt="a fox [fail]")).json()  # type: ignore[arg-type]
        fine = http.post("/videos", **multipart(prompt="a fox")).json()  # type: ignore[arg-type]
        early = http.get(path(fine["id"], "/content"))
        assert (early.status_code, early.json()) == (
            404,
            {
                "error": {
                    "message": "Generation is still in-progress",
                    "type": "Not Found",
                    "param": None,
                    "code": 404,
                }
            },
        )
        clock.advance(3600)
        failed = http.get(path(failing["id"]))
        assert failed.status_code == 500
        assert failed.json()["status"] == "failed"
        assert failed.json()["error"]["code"] == 500
        assert http.get(path(failing["id"], "/content")).status_code == 422
        assert http.get(path(fine["id"], "/content")).status_code == 200


@pytest.mark.parametrize("dialect_emu", ["vllm-omni", "sglang"], indirect=True)
def test_self_hosted_servers_cancel_a_running_job_on_delete(dialect_emu: Emulator) -> None:
    with client(dialect_emu) as http:
        created = http.post("/videos", **multipart(prompt="a fox"))  # type: ignore[arg-type]
        if created.status_code != 200:  # SGLang wants a file in a multipart create
            created = http.post("/videos", json={"prompt": "a fox"})
        video_id = str(created.json()["id"])
        deleted = http.delete(path(video_id))
        assert deleted.status_code == 200
        assert http.get(path(video_id)).status_code == 404


def test_vllm_omni_with_an_api_key_rejects_others(clock: ManualClock) -> None:
    emu = Emulator(clock=clock, dialect="vllm-omni", api_keys={"secret"})
    with emu, client(emu) as http:
        refused = http.get("/videos")
        assert (refused.status_code, refused.json()) == (401, {"error": "Unauthorized"})
        assert http.get("/videos", headers={"Authorization": "Bearer secret"}).status_code == 200


# SGLang -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect_emu", ["sglang"], indirect=True)
def test_sglang_shapes_and_errors(dialect_emu: Emulator, clock: ManualClock) -> None:
    with client(dialect_emu) as http:
        no_file = http.post("/videos", **multipart(prompt="a fox"))  # type: ignore[arg-type]
        assert (no_file.status_code, no_file.json()) == (
            400,
            {"detail": "input_reference file is required"},
        )
        video = http.post("/videos", json={"prompt": "a fox", "seconds": 6}).json()
        assert "prompt" not in video
        assert video["seconds"] == "6"
        clock.advance(5)  # rendering, which SGLang still calls queued
        assert http.get(path(video["id"])).json()["status"] == "queued"
        early = http.get(path(video["id"], "/content"))
        assert (early.status_code, early.json()) == (
            404,
            {"detail": "Generation is still in-progress"},
        )
        listed = http.get("/videos").json()
        assert set(listed) == {"object", "data"}
        clock.advance(3600)
        deleted = http.delete(path(video["id"]))
        assert deleted.json()["object"] == "video"
        assert deleted.json()["status"] == "deleted"
        assert http.post(path(video["id"], "/remix"), json={"prompt": "x"}).status_code == 404


@pytest.mark.parametrize("dialect_emu", ["sglang"], indirect=True)
def test_sglang_failed_job_error_has_only_a_message(
    dialect_emu: Emulator, clock: ManualClock
) -> None:
    with client(dialect_emu) as http:
        video = http.post("/videos", json={"prompt": "[fail]"}).json()
        clock.advance(3600)
        failed = http.get(path(video["id"])).json()
        assert failed["status"] == "failed"
        assert set(failed["error"]) == {"message"}


# TensorRT-LLM -------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect_emu", ["tensorrt-llm"], indirect=True)
def test_tensorrt_llm_float_seconds_fps_and_its_status_words(
    dialect_emu: Emulator, clock: ManualClock
) -> None:
    with client(dialect_emu) as http:
        made = http.post("/videos", json={"prompt": "a fox", "seconds": 4.5})
        assert made.status_code == 200, made.text
        video = made.json()
        assert "seconds" not in video
        assert (video["duration"], video["fps"]) == (4.5, 24.0)
        clock.advance(2.5)
        assert http.get(path(video["id"])).json()["status"] == "generating"
        clock.advance(8)  # 9 s of rendering for 4.5 s: past 90 %
        assert http.get(path(video["id"])).json()["status"] == "postprocessing"
        clock.advance(3600)
        assert http.get(path(video["id"])).json()["status"] == "completed"
        bad = http.post("/videos", json={"prompt": "a fox", "seconds": 61})
        assert bad.status_code == 422
        assert bad.json()["object"] == "error"
        assert bad.json()["code"] == 422


@pytest.mark.parametrize("dialect_emu", ["tensorrt-llm"], indirect=True)
def test_tensorrt_llm_reads_image_reference_and_its_deprecated_alias(
    dialect_emu: Emulator, clock: ManualClock
) -> None:
    image = ("ref.png", b"\x89PNG\r\n\x1a\n", "image/png")
    with client(dialect_emu) as http:
        for field in ("image_reference", "input_reference"):
            answer = http.post("/videos", data={"prompt": "a fox"}, files={field: image})
            assert answer.status_code == 200, answer.text
        failed = http.post("/videos", json={"prompt": "[fail]"}).json()
        clock.advance(3600)
        assert isinstance(http.get(path(failed["id"])).json()["error"], str)
        assert set(http.get("/videos").json()) == {"object", "data"}


# Async --------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_dialects_answer_async_clients_too(clock: ManualClock) -> None:
    for name in ("litellm", "vllm-omni"):
        emu = Emulator(clock=clock, dialect=name)  # type: ignore[arg-type]
        transport = emu.async_transport()
        async with httpx.AsyncClient(
            transport=transport, base_url=emu.base_url, headers=AUTH
        ) as http:
            if name == "vllm-omni":
                created = await http.post("/videos", **multipart(prompt="a fox"))  # type: ignore[arg-type]
            else:
                created = await http.post("/videos", json={"prompt": "a fox"})
            video_id = str(created.json()["id"])
            clock.advance(3600)
            video = (await http.get(path(video_id))).json()
            assert video["status"] == "completed"
            content = await http.get(path(video_id, "/content"))
            assert content.content[4:8] == b"ftyp"
        emu.close()


def test_poll_hint_and_timing_apply_in_every_dialect(clock: ManualClock) -> None:
    for name in DIALECTS:
        emu = Emulator(clock=clock, dialect=name, timing=Timing(poll_after=1.0))  # type: ignore[arg-type]
        with emu, client(emu, **AUTH, **{"api-key": "k"}) as http:
            created = http.post("/videos", **multipart(prompt="a fox"))  # type: ignore[arg-type]
            if created.status_code != 200:
                created = http.post("/videos", json={"prompt": "a fox"})
            assert created.status_code == 200, (name, created.text)
            answer = http.get(path(str(created.json()["id"])))
            assert answer.headers["openai-poll-after-ms"] == "1000", name


def test_azure_api_key_never_reaches_the_request_log(clock: ManualClock) -> None:
    with (
        Emulator(clock=clock, dialect="azure") as emu,
        client(emu, **{"api-key": "sk-secret"}) as http,
    ):
        http.get("/videos")
    (record,) = emu.requests.matching("GET", "/videos")
    assert record.path == "/openai/v1/videos"
    assert "sk-secret" not in repr(record)
    assert "api-key" not in record.headers


def test_injected_faults_speak_the_dialect(clock: ManualClock) -> None:
    from sora_videos.emulator import Fault

    with Emulator(clock=clock, dialect="sglang") as emu, client(emu) as http:
        emu.faults.add(Fault.status(503), path="/videos", times=1)
        answer = http.get("/videos")
        assert answer.status_code == 503
        assert set(answer.json()) == {"detail"}


@pytest.mark.parametrize("dialect_emu", ["vllm-omni"], indirect=True)
def test_loose_servers_still_check_size_seconds_and_references(
    dialect_emu: Emulator, clock: ManualClock
) -> None:
    with client(dialect_emu) as http:
        for fields, param in (
            ({"size": "wide"}, "size"),
            ({"seconds": "soon"}, "seconds"),
            ({"seconds": "4.5"}, "seconds"),  # whole seconds only, unlike TensorRT-LLM
            ({"input_reference": "{}", "image_reference": '{"image_url": "u"}'}, "input_reference"),
        ):
            answer = http.post("/videos", **multipart(prompt="a fox", **fields))  # type: ignore[arg-type]
            assert answer.status_code == 400, fields
            assert answer.json()["error"]["param"] == param
        wide = http.post("/videos", **multipart(prompt="a fox", size="1920x1080")).json()  # type: ignore[arg-type]
        assert wide["size"] == "1920x1080"
        clock.advance(3600)
        media = http.get(path(wide["id"], "/content"))  # the landscape media stands in for it
        assert (media.status_code, media.content[4:8]) == (200, b"ftyp")
