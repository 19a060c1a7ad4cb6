"""Server profiles: presets, name resolution, status words, operations, auth and field names."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

import sora_videos
from sora_videos import SoraError, UnknownServerError, UnsupportedOperationError, servers
from sora_videos.servers import (
    ALL_OPERATIONS,
    AZURE,
    LITELLM,
    OPENAI,
    SGLANG,
    TENSORRT_LLM,
    VLLM_OMNI,
    ServerProfile,
    auth_headers,
    interpret_status,
    rename_fields,
    require_operation,
    resolve_server,
)


def test_all_is_sorted_and_complete() -> None:
    exported = servers.__all__
    assert exported == sorted(exported, key=lambda name: (not name.isupper(), name))
    assert all(hasattr(servers, name) for name in exported)


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("openai", OPENAI),
        ("azure", AZURE),
        ("litellm", LITELLM),
        ("vllm-omni", VLLM_OMNI),
        ("vllm_omni", VLLM_OMNI),
        ("vLLM-Omni", VLLM_OMNI),
        (" SGLANG ", SGLANG),
        ("tensorrt_llm", TENSORRT_LLM),
        ("TensorRT-LLM", TENSORRT_LLM),
    ],
)
def test_names_resolve_whatever_the_case_and_separator(name: str, profile: ServerProfile) -> None:
    assert resolve_server(name) is profile


def test_a_profile_resolves_to_itself_and_none_to_the_default() -> None:
    mine = dataclasses.replace(VLLM_OMNI, name="mine")
    assert resolve_server(mine) is mine
    assert resolve_server(None) is OPENAI


def test_an_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownServerError) as raised:
        resolve_server("vllm")
    message = str(raised.value)
    assert "'vllm'" in message
    for name in ("openai", "azure", "litellm", "vllm-omni", "sglang", "tensorrt-llm"):
        assert name in message
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, SoraError)


def test_the_default_profile_is_the_publishers_api() -> None:
    assert OPENAI.auth == "bearer"
    assert OPENAI.base_path == "/v1"
    assert OPENAI.create_encoding == "json"
    assert OPENAI.operations == ALL_OPERATIONS
    assert dict(OPENAI.field_renames) == {}
    assert dict(OPENAI.default_query) == {}


def test_presets_say_how_each_server_differs() -> None:
    jobs = {"create", "list", "retrieve", "delete", "content"}
    assert (AZURE.auth, AZURE.base_path) == ("api-key", "/openai/v1")
    assert AZURE.operations == jobs | {"remix"}
    assert LITELLM.operations == ALL_OPERATIONS - {"delete"}
    assert VLLM_OMNI.create_encoding == "multipart"
    assert VLLM_OMNI.auth == "optional"
    assert VLLM_OMNI.operations == jobs
    assert SGLANG.operations == jobs
    assert dict(TENSORRT_LLM.field_renames) == {}
    assert TENSORRT_LLM.operations == jobs


@pytest.mark.parametrize("word", ["completed", "succeeded", "COMPLETED", "Succeeded"])
def test_completed_words(word: str) -> None:
    assert interpret_status(word) == "completed"


@pytest.mark.parametrize("word", ["failed", "cancelled", "canceled", "expired"])
def test_final_failure_words(word: str) -> None:
    assert interpret_status(word) == "failed"


@pytest.mark.parametrize(
    "word",
    [
        "queued",
        "pending",
        "processing",
        "running",
        "preprocessing",
        "in_progress",
        "generating",
        "postprocessing",
        "something-new",
        "",
        None,
    ],
)
def test_every_other_word_means_keep_waiting(word: str | None) -> None:
    assert interpret_status(word) == "waiting"


@pytest.mark.parametrize("profile", list(servers.PRESETS.values()))
def test_every_preset_knows_the_other_servers_words(profile: ServerProfile) -> None:
    assert interpret_status("succeeded", profile) == "completed"
    assert interpret_status("cancelled", profile) == "failed"
    assert interpret_status("processing", profile) == "waiting"


def test_a_derived_profile_can_add_status_words() -> None:
    mine = dataclasses.replace(
        OPENAI, name="mine", completed_statuses=OPENAI.completed_statuses | {"done"}
    )
    assert interpret_status("done", mine) == "completed"
    assert interpret_status("done", OPENAI) == "waiting"
    shouting = dataclasses.replace(OPENAI, name="shouting", failed_statuses={"ABORTED"})
    assert interpret_status("aborted", shouting) == "failed"
    assert interpret_status("Aborted", shouting) == "failed"


def test_replace_builds_a_new_profile_and_leaves_the_preset_alone() -> None:
    mine = dataclasses.replace(
        VLLM_OMNI, name="omni-gateway", auth="bearer", operations={"create", "retrieve"}
    )
    assert mine.auth == "bearer"
    assert mine.operations == frozenset({"create", "retrieve"})
    assert mine.create_encoding == "multipart"
    assert VLLM_OMNI.auth == "optional"
    assert resolve_server("vllm-omni") is VLLM_OMNI


def test_profiles_are_immutable_even_when_built_from_plain_dicts() -> None:
    renames = {"input_reference": "image"}
    mine = ServerProfile(name="mine", field_renames=renames, default_query={"v": "1"})
    renames["prompt"] = "text"
    assert dict(mine.field_renames) == {"input_reference": "image"}
    with pytest.raises(TypeError):
        mine.field_renames["prompt"] = "text"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        mine.name = "other"  # type: ignore[misc]
    same = ServerProfile(
        name="mine", field_renames={"input_reference": "image"}, default_query={"v": "1"}
    )
    assert {mine: 1}[same] == 1


def test_an_unknown_operation_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown operations \\['remixx'\\]"):
        ServerProfile(name="mine", operations={"create", "remixx"})  # type: ignore[arg-type]


def test_an_operation_the_server_lacks_raises_before_any_request() -> None:
    require_operation(LITELLM, "remix")
    with pytest.raises(UnsupportedOperationError) as raised:
        require_operation(VLLM_OMNI, "remix")
    error = raised.value
    assert (error.server, error.operation) == ("vllm-omni", "remix")
    assert "vllm-omni" in str(error)
    assert "remix" in str(error)
    assert isinstance(error, SoraError)
    assert sora_videos.UnsupportedOperationError is UnsupportedOperationError


def test_unsupported_operation_errors_survive_pickling() -> None:
    error = pickle.loads(
        pickle.dumps(UnsupportedOperationError(server="litellm", operation="delete"))
    )
    assert (error.server, error.operation) == ("litellm", "delete")
    assert str(error) == str(UnsupportedOperationError(server="litellm", operation="delete"))


def test_auth_headers_follow_the_profile() -> None:
    assert auth_headers(OPENAI, "sk-1") == {"Authorization": "Bearer sk-1"}
    assert auth_headers(AZURE, "azure-key") == {"api-key": "azure-key"}
    assert auth_headers(VLLM_OMNI, "k") == {"Authorization": "Bearer k"}
    assert auth_headers(VLLM_OMNI, None) == {}
    with pytest.raises(SoraError, match="no API key for the azure server"):
        auth_headers(AZURE, None)


def test_reference_fields_take_each_servers_name() -> None:
    image = {"image_url": "https://example.com/cat.png"}
    upload = ("cat.png", b"\x89PNG")
    fields = {"prompt": "p", "input_reference": image}
    assert rename_fields(OPENAI, fields) == fields
    assert rename_fields(VLLM_OMNI, fields) == {"prompt": "p", "image_reference": image}
    assert rename_fields(VLLM_OMNI, {"input_reference": upload}) == {"input_reference": upload}
    assert rename_fields(TENSORRT_LLM, {"input_reference": upload}) == {"input_reference": upload}
    renamed = dataclasses.replace(
        TENSORRT_LLM, field_renames={"input_reference": "image_reference"}
    )
    assert rename_fields(renamed, {"input_reference": upload}) == {"image_reference": upload}
    assert rename_fields(renamed, fields) == {"prompt": "p", "image_reference": image}


@pytest.mark.parametrize(
    ("profile", "endpoint", "base_url"),
    [
        (AZURE, "https://r.openai.azure.com", "https://r.openai.azure.com/openai/v1/"),
        (AZURE, "https://r.openai.azure.com/", "https://r.openai.azure.com/openai/v1/"),
        (VLLM_OMNI, "http://127.0.0.1:8091", "http://127.0.0.1:8091/v1/"),
    ],
)
def test_base_url_from_a_servers_root(profile: ServerProfile, endpoint: str, base_url: str) -> None:
    assert servers.base_url_for(profile, endpoint) == base_url


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (405, {"detail": "Method Not Allowed"}),
        (405, {"error": {"message": "method not allowed"}}),
        (404, {"detail": "Not Found"}),
        (404, "404 page not found"),
        (404, "<html><body>Not Found</body></html>"),
        (404, ""),
    ],
)
def test_answers_that_mean_the_route_is_missing(status: int, body: object) -> None:
    assert servers.route_missing(status, body)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"error": {"message": "Video video_1 not found", "code": 404}}),
        (404, {"detail": "Video not found"}),
        (404, {"detail": "Generation is still in-progress"}),
        (404, {"message": "Video not found"}),
        (404, [1]),
        (400, "Not Found"),
        (500, {"detail": "Not Found"}),
    ],
)
def test_answers_about_a_missing_video_are_not_a_missing_route(status: int, body: object) -> None:
    assert not servers.route_missing(status, body)
