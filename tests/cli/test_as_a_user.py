"""``sora-videos`` run as a user runs it: separate processes, real files, exit statuses."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sora_videos.emulator import Emulator, RealClock

from .conftest import (
    Result,
    Run,
    Terminal,
    ffprobe,
    free_port,
    needs_ffprobe,
    run_subprocess,
    sora_argv,
    user_env,
)

pytestmark = pytest.mark.slow  # the command line run as a user runs it, in subprocesses

PROMPT = "A calico cat playing a piano on stage"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, str, Path]:
    """One emulator cache with a completed 4 s video, made by ``create --wait --output``."""
    home = tmp_path_factory.mktemp("user")
    env = user_env(home / "cache")

    def run(*args: str) -> Result:
        return run_subprocess(home, env, *args)

    done = run("create", PROMPT, "--seconds", "4", "--wait", "--output", "cat.mp4", "--emulator")
    assert done.code == 0, done.err
    video_id = next(line.split()[1] for line in done.out.splitlines() if line.startswith("id "))
    return run, video_id, home / "cat.mp4"


@needs_ffprobe
def test_create_wait_output_writes_a_playable_mp4_of_the_job(
    made: tuple[Run, str, Path],
) -> None:
    run, video_id, path = made
    assert ffprobe(path) == {"codec": "h264", "size": "720x1280", "seconds": 4.0}
    assert not list(path.parent.glob("*.part"))
    shown = run("get", video_id, "--emulator")
    assert shown.code == 0
    assert "completed" in shown.out
    assert PROMPT in shown.out


def test_emulator_mode_says_so_and_keeps_state_in_the_cache(tmp_path: Path, sora: Run) -> None:
    listed = sora("list", "--emulator")
    assert listed.code == 0
    assert "local emulator" in listed.err
    assert str(tmp_path / "cache" / "sora-videos" / "emulator.sqlite3") in listed.err
    assert (tmp_path / "cache" / "sora-videos" / "emulator.sqlite3").is_file()
    assert listed.out.strip() == "No videos."


@needs_ffprobe
def test_create_then_list_then_wait_then_download_as_separate_commands(
    tmp_path: Path, sora: Run
) -> None:
    created = sora("create", "A lighthouse at dusk", "--size", "1280x720", "--json", "--emulator")
    assert created.code == 0, created.err
    video = created.json()
    assert video["status"] == "queued"

    listed = sora("list", "--json", SORA_VIDEOS_EMULATOR="1")
    assert [v["id"] for v in listed.json()["data"]] == [video["id"]]
    table = sora("list", SORA_VIDEOS_EMULATOR="1")
    assert video["id"] in table.out
    assert "A lighthouse at dusk" in table.out

    assert sora("wait", video["id"], "--emulator").code == 0
    downloaded = sora("download", video["id"], "--json", "--emulator")
    assert downloaded.code == 0, downloaded.err
    saved = downloaded.json()
    assert saved["path"] == f"{video['id']}.mp4"
    assert (tmp_path / saved["path"]).stat().st_size == saved["bytes"]
    assert ffprobe(tmp_path / saved["path"])["size"] == "1280x720"


def test_remix_edit_extend_and_characters(made: tuple[Run, str, Path]) -> None:
    run, video_id, path = made
    remix = run("remix", video_id, "Now in watercolour", "--json", "--emulator").json()
    assert remix["remixed_from_video_id"] == video_id
    edit = run("edit", video_id, "Make it night", "--json", "--emulator").json()
    assert edit["status"] == "queued"
    uploaded = run("edit", str(path), "Add snow", "--json", "--emulator").json()
    assert uploaded["prompt"] == "Add snow"
    extend = run("extend", video_id, "The cat bows", "--seconds", "8", "--json", "--emulator")
    assert extend.json()["seconds"] == "12"

    character = run("characters", "create", "Mochi", str(path), "--json", "--emulator").json()
    assert character["name"] == "Mochi"
    shown = run("characters", "get", character["id"], "--emulator")
    assert shown.code == 0
    assert "Mochi" in shown.out


def test_delete_then_get_is_a_clear_404(made: tuple[Run, str, Path]) -> None:
    run, _, path = made
    video_id = run("edit", str(path), "Short-lived", "--wait", "--json", "--emulator").json()["id"]
    deleted = run("delete", video_id, "--json", "--emulator")
    assert deleted.json() == {"id": video_id, "object": "video.deleted", "deleted": True}
    gone = run("get", video_id, "--emulator")
    assert gone.code == 1
    assert "404" in gone.err


def test_an_api_error_is_one_line_with_the_request_id(sora: Run) -> None:
    missing = sora("get", "video_doesnotexist", "--emulator")
    assert missing.code == 1
    assert missing.out == ""
    lines = [line for line in missing.err.splitlines() if not line.startswith("Using")]
    assert len(lines) == 1
    assert lines[0].startswith("error: 404 Not Found")
    assert "request id: req_" in lines[0]
    assert "Traceback" not in missing.err


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["get", "video_x"], 1, "no API key"),
        (["get", "video_x", "--base-url", "http://127.0.0.1:{port}/v1"], 1, "no answer from"),
        (["edit", "missing.mp4", "a prompt", "--emulator"], 1, "no such file"),
        (["list", "--limit", "500", "--emulator"], 2, "limit must be between 0 and 100"),
        (["list", "--limit", "many"], 2, "invalid int value"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_failures_exit_non_zero_without_a_traceback(
    sora: Run, args: list[str], code: int, says: str
) -> None:
    args = [arg.format(port=free_port()) for arg in args]
    done = sora(*args, OPENAI_API_KEY="sk-test") if "--base-url" in args else sora(*args)
    assert done.code == code
    assert says in done.err
    assert "Traceback" not in done.err


@needs_ffprobe
def test_base_url_points_at_any_server(tmp_path: Path, sora: Run) -> None:
    with Emulator(clock=RealClock(speed=20)) as emu, emu.serve() as base_url:
        args = ["create", PROMPT, "--size", "1024x1792", "--wait", "-o", "out.mp4"]
        done = sora(*args, "--base-url", base_url, OPENAI_API_KEY="sk-test")
        assert done.code == 0, done.err
        assert "emulator" not in done.err
        assert [record.status for record in emu.requests.matching("POST", "/videos")] == [200]
    assert ffprobe(tmp_path / "out.mp4")["size"] == "1024x1792"


def test_emulator_subcommand_serves_until_stopped(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "sora_videos._cli", "emulator", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--speed", "10"],
        env=user_env(tmp_path / "cache"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        answer = _poll_until_up(f"http://127.0.0.1:{port}/v1/videos")
        assert answer.json()["data"] == []
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/v1" in err.decode()


def _poll_until_up(url: str) -> httpx.Response:
    deadline = time.monotonic() + 20
    while True:
        try:
            return httpx.get(url, headers={"Authorization": "Bearer sk-any"})
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_ctrl_c_exits_130_without_a_traceback(made: tuple[Run, str, Path]) -> None:
    run, video_id, path = made
    job = run("remix", video_id, "Slow motion", "--json", "--emulator").json()
    home = path.parent
    waiting = Terminal(
        sora_argv("wait", job["id"], "--emulator"), cwd=home, env=user_env(home / "cache")
    )
    waiting.read_until(job["id"])  # inside the command by now
    waiting.signal(signal.SIGINT)
    assert waiting.finish(timeout=10) == 130
    assert "interrupted" in waiting.output
    assert "Traceback" not in waiting.output


def test_emulator_on_a_busy_port_says_so_in_one_line(sora: Run) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = sora("emulator", "--port", str(port))
    assert done.code == 1
    assert (
        done.err.strip() == f"error: port {port} on 127.0.0.1 is in use: choose another with --port"
    )


def test_version_and_help(sora: Run) -> None:
    assert sora("--version").out.startswith("sora-videos ")
    helped = sora("--help")
    assert helped.code == 0
    commands = ("create", "remix", "edit", "extend", "list", "get", "delete", "download")
    for command in (*commands, "wait", "characters", "emulator"):
        assert command in helped.out
