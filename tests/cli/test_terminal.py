"""``sora-videos`` on a real terminal (a pty): what a person sees, escapes included."""

from __future__ import annotations

import json
import re
import shlex
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Terminal, sora_argv, user_env

pytestmark = pytest.mark.slow  # the command line in subprocesses, on a real terminal (a pty)

HOSTILE_ID = "video_\x1b]0;pwned\x07"
HOSTILE_PROMPT = "\x1b[2J\x1b[Ha cat\u202e"


def hostile(path: str) -> tuple[int, dict[str, str], bytes]:
    """A server whose strings carry terminal escapes: a title change, a clear screen."""
    if path.endswith(("/videos/video_1", "/videos/video_3")):
        video_id = "video_1" if path.endswith("video_1") else HOSTILE_ID
        video = {"id": video_id, "object": "video", "status": "completed", "progress": 100}
        body = json.dumps({**video, "prompt": HOSTILE_PROMPT, "created_at": 1}).encode()
        return 200, {"content-type": "application/json"}, body
    error = {"error": {"message": "no such video \x1b[2J", "type": "invalid_request_error"}}
    return 404, {"content-type": "application/json"}, json.dumps(error).encode()


def test_server_strings_are_shown_escaped(tmp_path: Path, test_server: Any) -> None:
    env = user_env(tmp_path / "cache", OPENAI_API_KEY="sk-test")
    with test_server(hostile) as base_url:
        shown = Terminal(sora_argv("get", "video_1", "--base-url", base_url), cwd=tmp_path, env=env)
        assert shown.finish() == 0
        missing = Terminal(
            sora_argv("get", "video_2", "--base-url", base_url), cwd=tmp_path, env=env
        )
        assert missing.finish() == 1
        refused = Terminal(
            sora_argv("get", "video_3", "--base-url", base_url), cwd=tmp_path, env=env
        )
        assert refused.finish() == 1  # an id with control characters is no usable id
    for output in (shown.output, missing.output, refused.output):
        assert "\x1b]0;" not in output
        assert "\x1b[2J" not in output
        assert "\u202e" not in output
    assert "unusable id from the server" in refused.output
    assert r"\x1b[2J\x1b[Ha cat\u202e" in shown.output
    assert r"no such video \x1b[2J" in missing.output


def test_prompts_from_a_file_are_shown_escaped(tmp_path: Path) -> None:
    (tmp_path / "prompts.txt").write_text("a cat \x1b[2J\x1b]0;pwned\x07\n", encoding="utf-8")
    run = Terminal(
        sora_argv("batch", "prompts.txt", "--emulator"), cwd=tmp_path, env=_env(tmp_path)
    )
    assert run.finish() == 0, run.output
    assert r"a cat \x1b[2J\x1b]0;pwned\x07" in run.output
    assert "\x1b[2J" not in run.output
    assert "\x1b]0;" not in run.output


def _env(home: Path) -> dict[str, str]:
    return user_env(home / "cache")


def test_the_emulator_notice_is_shown_once_per_terminal_session(tmp_path: Path) -> None:
    line = " ; ".join(shlex.join(sora_argv("list", "--emulator")) for _ in range(3))
    shell = Terminal(["/bin/sh", "-c", line], cwd=tmp_path, env=_env(tmp_path))
    assert shell.finish() == 0
    assert shell.output.count("No videos.") == 3
    assert shell.output.count("Using the local emulator") == 1
    again = Terminal(["/bin/sh", "-c", line], cwd=tmp_path, env=_env(tmp_path))
    again.finish()
    assert again.output.count("Using the local emulator") == 1  # a new session: said again


def frames(output: str) -> list[str]:
    """The lines a terminal showed, one per redraw, without colours or cursor moves."""
    uncoloured = re.sub(r"\x1b\[[0-9;]*m", "", output)
    return [line.strip() for line in re.split(r"\x1b\[[0-9;?]*[A-Za-z]|[\r\n]", uncoloured) if line]


def test_a_failed_job_stops_spinning_and_is_marked(tmp_path: Path) -> None:
    argv = sora_argv("create", "[fail] a cat", "--wait", "--emulator")
    run = Terminal(argv, cwd=tmp_path, env=_env(tmp_path))
    assert run.finish() == 1
    progress = [line for line in frames(run.output) if re.match(r"\S video_\w+ \w+ ", line)]
    assert progress[-1].startswith("✗ ")
    assert " failed " in progress[-1]


def test_a_small_download_shows_its_speed(tmp_path: Path) -> None:
    argv = sora_argv("create", "a cat", "-o", "cat.mp4", "--emulator")
    run = Terminal(argv, cwd=tmp_path, env=_env(tmp_path))
    assert run.finish() == 0, run.output
    transfer = [line for line in frames(run.output) if line.startswith("cat.mp4 ")]
    assert re.search(r"[0-9.]+ [kMG]?B/s$", transfer[-1]), transfer[-1]


def test_ctrl_c_while_waiting_says_how_to_carry_on(tmp_path: Path) -> None:
    env = _env(tmp_path)
    run = Terminal(
        sora_argv("create", "a cat", "--seconds", "12", "-o", "cat.mp4", "--emulator"),
        cwd=tmp_path,
        env=env,
    )
    shown = run.read_until("video_", timeout=60)
    video_id = re.findall(r"video_[0-9a-f]+", shown)[0]
    run.signal(signal.SIGINT)
    assert run.finish() == 130
    assert "error: interrupted" in run.output
    assert f"sora-videos wait {video_id} -o cat.mp4 --emulator" in run.output
    assert "Traceback" not in run.output


def slow_media(path: str) -> tuple[int, dict[str, str], Iterator[bytes]]:
    """A server that sends a 1 MB video a kilobyte every 50 ms (20 s in all)."""

    def trickle() -> Iterator[bytes]:
        for _ in range(1000):
            yield b"\0" * 1000
            time.sleep(0.05)

    headers = {"content-type": "video/mp4", "content-length": "1000000"}
    return 200, headers, trickle()


def test_sigterm_during_a_download_leaves_no_partial_file(tmp_path: Path, test_server: Any) -> None:
    env = user_env(tmp_path / "cache", OPENAI_API_KEY="sk-test")
    with test_server(slow_media) as base_url:
        argv = sora_argv("download", "video_1", "-o", "out/cat.mp4", "--base-url", base_url)
        run = Terminal(argv, cwd=tmp_path, env=env)
        deadline = time.monotonic() + 30
        while not list((tmp_path / "out").glob("*.part")):
            assert time.monotonic() < deadline, run.output
            time.sleep(0.05)
        run.signal(signal.SIGTERM)
        assert run.finish(timeout=10) == 143
    assert list((tmp_path / "out").iterdir()) == []
    assert "error: terminated" in run.output
    assert f"sora-videos download video_1 -o out/cat.mp4 --base-url {base_url}" in run.output
