"""Servers the conformance tests start on loopback: Prism (a mock made from the description)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

__all__ = ["PRISM", "PrismUnavailable", "prism_mock"]

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
START_TIMEOUT = 60.0


class PrismUnavailable(Exception):
    """Prism (or Node) is not installed; the message says how to get it."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_listening(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            # Any answer will do (Prism answers 401 to a request without a key): it is up.
            httpx.get(url + "videos", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    output = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"Prism did not start (exit code {process.poll()}):\n{output}")


@contextmanager
def prism_mock(spec: Path) -> Iterator[str]:
    """Serve a mock of ``spec`` with Prism on a free loopback port while the block runs.

    Yields:
        The mock's base URL, ``http://127.0.0.1:PORT/`` (Prism serves the paths at the root).

    Raises:
        PrismUnavailable: ``node_modules/.bin/prism`` or ``node`` is missing.
        RuntimeError: Prism did not start.
    """
    if not PRISM.exists():
        raise PrismUnavailable(f"Prism is not installed at {PRISM}: run `npm ci` in {ROOT}")
    if shutil.which("node") is None:
        raise PrismUnavailable("Prism needs Node.js >= 18.20 on PATH, then `npm ci`")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    # Static answers (no --dynamic): the schemas' examples and defaults, the same every run.
    command = [str(PRISM), "mock", str(spec), "-h", "127.0.0.1", "-p", str(port), "--dynamic=false"]
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "prism.log"
        with log.open("wb") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
            try:
                _wait_until_listening(process, url, log)
                yield url
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
