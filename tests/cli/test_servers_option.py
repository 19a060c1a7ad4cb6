"""``--server`` and ``--azure-endpoint``: the command line talks to any kind of server."""

from __future__ import annotations

import pytest

from sora_videos.emulator import Emulator

from .conftest import Run


def test_the_emulator_answers_as_the_chosen_server(cli: Run) -> None:
    done = cli("--emulator", "--server", "vllm-omni", "create", "A cat", "--wait", "--json")
    assert done.code == 0, done.err
    video = done.json()
    assert (video["status"], str(video["id"])[:10]) == ("completed", "video_gen_")


def test_an_operation_the_server_lacks_is_named_before_any_request(cli: Run) -> None:
    done = cli("--emulator", "--server", "sglang", "remix", "video_1", "at night")
    assert done.code != 0
    assert "the sglang server does not offer remix" in done.err


def test_an_unknown_server_lists_the_known_ones(cli: Run) -> None:
    done = cli("--emulator", "--server", "vllm", "list")
    assert done.code != 0
    assert "choose one of: openai, azure, litellm, vllm-omni, sglang, tensorrt-llm" in done.err


def test_azure_by_its_endpoint_and_key(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-key")
    with Emulator(dialect="azure", api_keys=["azure-key"]) as emu, emu.serve() as base_url:
        endpoint = base_url.removesuffix("/openai/v1")
        done = cli("--azure-endpoint", endpoint, "create", "A cat", "--json")
        assert done.code == 0, done.err
        listed = cli("list", "--json", "--server", "azure", "--base-url", base_url)
        assert listed.code == 0, listed.err
    assert [v["id"] for v in listed.json()["data"]] == [done.json()["id"]]
    assert [r.headers.get("authorization") for r in emu.requests] == [None, None]
