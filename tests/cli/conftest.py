"""Running ``sora-videos`` as a user would (a subprocess) or in-process (for coverage).

Both keep the emulator's SQLite state in a temporary ``XDG_CACHE_HOME`` and clear the
``OPENAI_*`` variables, so nothing leaks in from the machine running the tests.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sora_videos._cli import _connect, main

FFPROBE = shutil.which("ffprobe")
needs_ffprobe = pytest.mark.skipif(
    FFPROBE is None, reason="ffprobe not installed (apt-get install ffmpeg)"
)
CLEARED = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SORA_VIDEOS_EMULATOR", "OPENAI_ORG_ID")


@dataclass
class Result:
    """What a run of the command line left: exit status, stdout, stderr."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout as JSON (fails the test if anything else is there)."""
        return json.loads(self.out)


Run = Callable[..., Result]


def user_env(cache: Path, **extra: str) -> dict[str, str]:
    """The environment of a user with a fresh cache and no API settings."""
    env = {name: value for name, value in os.environ.items() if name not in CLEARED}
    return {**env, "XDG_CACHE_HOME": str(cache), **extra}


def run_subprocess(cwd: Path, env: dict[str, str], *args: str, timeout: float = 60) -> Result:
    """``python -m sora_videos._cli ARGS`` in ``cwd``."""
    done = subprocess.run(
        [sys.executable, "-m", "sora_videos._cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def sora(tmp_path: Path) -> Run:
    """Run the command line in a subprocess, with its own cache and working directory."""
    env = user_env(tmp_path / "cache")

    def run(*args: str, **extra_env: str) -> Result:
        return run_subprocess(tmp_path, {**env, **extra_env}, *args)

    return run


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``main([...])`` in this process, with emulated jobs done in a fraction of a second."""
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(_connect, "EMULATOR_PHASES", (0.01, 0.05))
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def ffprobe(path: Path) -> dict[str, object]:
    """The codec, size and duration ffprobe decodes from a video file."""
    assert FFPROBE is not None
    command = [FFPROBE, "-v", "error", "-show_entries"]
    command += ["format=duration:stream=width,height,codec_name", "-of", "json", str(path)]
    found = json.loads(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
    stream = found["streams"][0]
    return {
        "codec": stream["codec_name"],
        "size": f"{stream['width']}x{stream['height']}",
        "seconds": float(found["format"]["duration"]),
    }


def free_port() -> int:
    """A loopback port nobody listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
