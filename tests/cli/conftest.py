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
from collections.abc import Callable, Iterable
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


class Terminal:
    """``sora-videos ARGS`` (or a shell line) on a real terminal (a pty), read as a user sees it.

    Args:
        argv: The program and its arguments.
        cwd: Its working directory.
        env: Its environment.
    """

    def __init__(self, argv: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        import pty

        self.pid, self._fd = pty.fork()
        if self.pid == 0:  # the child: a session of its own on the terminal
            os.chdir(cwd)
            os.execvpe(argv[0], argv, {**env, "TERM": "xterm-256color", "COLUMNS": "200"})
        self.output = ""
        self.code: int | None = None

    def read_until(self, text: str, timeout: float = 30) -> str:
        """Everything shown so far, once ``text`` has appeared (fails after ``timeout``)."""
        import select
        import time

        deadline = time.monotonic() + timeout
        while text not in self.output:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{text!r} never appeared in {self.output!r}"
            if select.select([self._fd], [], [], remaining)[0] and not self._read():
                break
        assert text in self.output, f"{text!r} never appeared in {self.output!r}"
        return self.output

    def _read(self) -> bool:
        try:
            chunk = os.read(self._fd, 65536)
        except OSError:  # the child closed the terminal
            return False
        self.output += chunk.decode("utf-8", "replace")
        return bool(chunk)

    def signal(self, signum: int) -> None:
        """Send a signal to the program (as Ctrl-C or ``kill`` would)."""
        os.kill(self.pid, signum)

    def finish(self, timeout: float = 30) -> int:
        """Read to the end and return the exit status."""
        import select
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if select.select([self._fd], [], [], 0.1)[0] and not self._read():
                break  # the terminal closed: the program is ending
        while time.monotonic() < deadline:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                os.close(self._fd)
                self.code = os.waitstatus_to_exitcode(status)
                return self.code
            time.sleep(0.05)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self._fd)
        raise AssertionError(f"still running after {timeout} s: {self.output!r}")


def sora_argv(*args: str) -> list[str]:
    """The command line that runs ``sora-videos ARGS`` with this Python."""
    return [sys.executable, "-m", "sora_videos._cli", *args]


Answer = Callable[[str], "tuple[int, dict[str, str], bytes | Iterable[bytes]]"]
"""``path -> (status, headers, body)``: what a test server says to a GET (a body given as
chunks is sent chunk by chunk)."""


@pytest.fixture
def test_server() -> Any:
    """Serve ``answer`` over HTTP on loopback: ``with test_server(answer) as base_url:``."""
    import contextlib
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    @contextlib.contextmanager
    def serve(answer: Answer) -> Any:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = answer(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    for chunk in [body] if isinstance(body, bytes) else body:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/v1"
        finally:
            server.shutdown()
            server.server_close()

    return serve
