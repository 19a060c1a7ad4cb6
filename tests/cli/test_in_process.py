"""``main([...])`` in this process: every branch of the command line, measured by coverage."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_videos import APIConnectionError, APIStatusError, Sora
from sora_videos._cli import _commands, _connect, _errors
from sora_videos.emulator import run_server

from .conftest import Run, free_port


def make_video(cli: Run, *args: str) -> dict[str, object]:
    done = cli("create", "A calico cat", *args, "--wait", "--json", "--emulator")
    assert done.code == 0, done.err
    video: dict[str, object] = done.json()
    return video


def test_create_wait_output_json_reports_the_file(cli: Run, tmp_path: Path) -> None:
    done = cli("create", "A calico cat", "--seconds", "8", "-o", "cat.mp4", "--json", "--emulator")
    assert done.code == 0, done.err
    video = done.json()
    assert video["status"] == "completed"
    assert video["seconds"] == "8"
    assert video["download"] == {"path": "cat.mp4", "bytes": (tmp_path / "cat.mp4").stat().st_size}
    assert "local emulator" in done.err


def test_create_without_wait_shows_the_queued_job(cli: Run) -> None:
    done = cli("--emulator", "create", "A calico cat", "--model", "sora-2-pro")
    assert done.code == 0
    assert "completed" not in done.out  # queued or in progress: it did not wait
    assert "sora-2-pro" in done.out
    assert "Started video_" in done.err


def test_a_failed_job_says_why(cli: Run) -> None:
    done = cli("create", "[fail:moderation_blocked] A cat", "--wait", "--emulator")
    assert done.code == 1
    assert "moderation_blocked" in done.err
    video_id = cli("list", "--json", "--emulator").json()["data"][0]["id"]
    shown = cli("get", video_id, "--emulator")
    assert "error" in shown.out
    assert "moderation_blocked" in shown.out


def test_list_empty_table_and_next_page_hint(cli: Run) -> None:
    assert cli("list", "--emulator").out.strip() == "No videos."
    first, second = make_video(cli), make_video(cli)
    page = cli("list", "--limit", "1", "--order", "asc", "--emulator")
    assert str(first["id"]) in page.out
    assert f"--after {first['id']}" in page.err
    rest = cli("list", "--after", str(first["id"]), "--order", "asc", "--json", "--emulator")
    assert [video["id"] for video in rest.json()["data"]] == [second["id"]]


@pytest.mark.parametrize(("variant", "suffix"), [("thumbnail", "webp"), ("spritesheet", "jpg")])
def test_download_variants_default_to_a_file_named_after_the_job(
    cli: Run, tmp_path: Path, variant: str, suffix: str
) -> None:
    video_id = str(make_video(cli)["id"])
    done = cli("download", video_id, "--variant", variant, "--emulator")
    assert done.code == 0
    assert f"Saved {video_id}.{suffix}" in done.out
    assert (tmp_path / f"{video_id}.{suffix}").stat().st_size > 0


def test_wait_then_download_and_delete(cli: Run, tmp_path: Path) -> None:
    video_id = cli("create", "A cat", "--json", "--emulator").json()["id"]
    waited = cli("wait", video_id, "--output", "w.mp4", "--emulator")
    assert "completed" in waited.out
    assert "w.mp4" in waited.out
    assert (tmp_path / "w.mp4").is_file()
    saved = cli("download", video_id, "--json", "--emulator").json()
    size = (tmp_path / f"{video_id}.mp4").stat().st_size
    assert saved == {"id": video_id, "variant": "video", "path": f"{video_id}.mp4", "bytes": size}
    assert cli("delete", video_id, "--emulator").out.strip() == f"Deleted {video_id}"
    assert cli("delete", video_id, "--json", "--emulator").code == 1
    other = str(make_video(cli)["id"])
    assert cli("delete", other, "--json", "--emulator").json()["deleted"] is True


def test_job_commands_on_a_completed_video(cli: Run, tmp_path: Path) -> None:
    video_id = str(make_video(cli)["id"])
    cli("download", video_id, "-o", "source.mp4", "--emulator")
    remix = cli("remix", video_id, "In watercolour", "--wait", "--json", "--emulator").json()
    assert (remix["status"], remix["remixed_from_video_id"]) == ("completed", video_id)
    edit = cli("edit", "source.mp4", "At night", "--json", "--emulator").json()
    assert edit["prompt"] == "At night"
    extend = cli("extend", video_id, "The cat bows", "--json", "--emulator").json()
    assert extend["seconds"] == "8"


def test_characters(cli: Run) -> None:
    video_id = str(make_video(cli)["id"])
    cli("download", video_id, "-o", "mochi.mp4", "--emulator")
    made = cli("characters", "create", "Mochi", "mochi.mp4", "--emulator")
    assert made.code == 0
    assert "Mochi" in made.out
    character_id = made.out.split()[1]
    shown = cli("characters", "get", character_id, "--json", "--emulator").json()
    assert shown["id"] == character_id


def test_the_environment_chooses_the_emulator_unless_a_base_url_is_given(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SORA_VIDEOS_EMULATOR", "1")
    assert "local emulator" in cli("list").err
    monkeypatch.setenv("SORA_VIDEOS_EMULATOR", "0")
    assert "no API key" in cli("list").err
    both = cli("list", "--emulator", "--base-url", "http://127.0.0.1:9/v1")
    assert both.code == 2
    assert "exclude each other" in both.err


def test_an_unknown_id_is_one_line_with_the_request_id(cli: Run) -> None:
    done = cli("get", "video_nope", "--emulator")
    assert done.code == 1
    assert done.err.splitlines()[-1].startswith("error: 404 Not Found [video_not_found]: ")
    assert "(request id: req_" in done.err


def test_connection_errors_name_the_server(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    sleeps: list[float] = []

    def recording_client(**options: Any) -> Sora:
        client = Sora(**options)
        client._engine.sleep = sleeps.append  # the retries' waits, recorded instead of slept
        return client

    monkeypatch.setattr(_connect, "Sora", recording_client)
    port = free_port()
    done = cli("get", "video_1", "--base-url", f"http://127.0.0.1:{port}/v1")
    assert done.code == 1
    assert f"error: no answer from http://127.0.0.1:{port}: " in done.err
    assert len(sleeps) == 2  # the client's retries


def test_plain_http_to_another_host_is_a_one_line_warning(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr(_commands, "get", lambda client, out, args: None)
    done = cli("get", "video_1", "--base-url", "http://192.0.2.1/v1")
    assert done.code == 0
    assert "warning: base_url 'http://192.0.2.1/v1' is plain http" in done.err


def test_ctrl_c_exits_130(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_commands, "get", interrupted)
    done = cli("get", "video_1", "--emulator")
    assert done.code == 130
    assert done.err.splitlines()[-1] == "error: interrupted"


def test_bugs_are_not_hidden(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(_commands, "get", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        cli("get", "video_1", "--emulator")


def test_usage_errors_exit_2_and_help_exits_0(cli: Run) -> None:
    assert cli("create").code == 2
    assert cli("--help").code == 0
    version = cli("--version")
    assert (version.code, version.out.split()[0]) == (0, "sora-videos")


def test_without_rich_it_says_how_to_install_it(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)
    done = cli("list")
    assert done.code == 1
    assert "the command line needs rich: pip install rich" in done.err


def test_emulator_subcommand_runs_the_server(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[object, ...]] = []

    def fake_run_server(
        host: str, port: int, *, db_path: str | None, speed: float, dialect: str
    ) -> None:
        calls.append((host, port, db_path, speed, dialect))

    monkeypatch.setattr("sora_videos.emulator.run_server", fake_run_server)
    port = free_port()  # the port is checked before the banner: a free one
    done = cli("emulator", "--port", str(port), "--db", "e.sqlite3", "--speed", "5", "--json")
    assert done.json() == {
        "base_url": f"http://127.0.0.1:{port}/v1",
        "db_path": "e.sqlite3",
        "speed": 5.0,
        "dialect": "openai",
    }
    assert calls == [("127.0.0.1", port, "e.sqlite3", 5.0, "openai")]
    azure = cli("emulator", "--port", str(port), "--dialect", "azure", "--json")
    assert azure.json()["base_url"] == f"http://127.0.0.1:{port}/openai/v1"
    assert calls[-1][-1] == "azure"
    assert cli("emulator", "--dialect", "nonesuch").code != 0
    shown = cli("emulator", "--host", "::1", "--port", str(port))
    assert f"http://[::1]:{port}/v1" in shown.err
    assert "in memory" in shown.err
    assert run_server is not fake_run_server


def test_emulator_subcommand_without_uvicorn(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    done = cli("emulator")
    assert done.code == 1
    assert "pip install 'sora-videos[server]'" in done.err


def test_python_dash_m_runs_main(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["sora-videos", "--version"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("sora_videos._cli", run_name="__main__")
    assert exited.value.code == 0


def test_describe_covers_odd_errors() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/v1/videos")
    odd = APIStatusError("teapot", response=httpx.Response(599, request=request), body=None)
    assert _errors.describe(odd) == ("599: teapot (request id: none given)", 1)
    assert _errors.describe(APIConnectionError("gone")) == ("gone", 1)
    assert _errors.describe(OSError("disk on fire")) == ("disk on fire", 1)
    assert _errors.describe(FileNotFoundError(2, "No such file", "x.mp4")) == (
        "No such file: x.mp4",
        1,
    )
    assert _errors.describe(TypeError("bug")) is None
