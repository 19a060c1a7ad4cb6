"""The emulator's own promises under attack: a private database, bounded request bodies."""

from __future__ import annotations

import json
import os
import select
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from sora_videos.emulator import BASE_URL, Emulator, ManualClock

from .conftest import AUTH

MiB = 1024 * 1024


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    old = os.umask(0)  # even a permissive umask does not open it up
    try:
        with (
            Emulator(db_path=db) as emu,
            httpx.Client(transport=emu.transport(), base_url=BASE_URL, headers=AUTH) as http,
        ):
            http.post("/videos", json={"prompt": "a private prompt"})
    finally:
        os.umask(old)
    assert mode(db) == 0o600


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    with Emulator(db_path=db):
        pass
    db.chmod(0o644)
    with Emulator(db_path=db):
        assert mode(db) == 0o600


def test_a_large_json_body_is_413_in_process(clock: ManualClock) -> None:
    with (
        Emulator(clock=clock) as emu,
        httpx.Client(transport=emu.transport(), base_url=BASE_URL, headers=AUTH) as http,
    ):
        answer = http.post("/videos", json={"prompt": "x" * (5 * MiB)})
        assert answer.status_code == 413
        assert answer.json()["error"]["code"] == "request_too_large"
        assert emu.jobs == []


@pytest.fixture
def served(clock: ManualClock) -> Iterator[tuple[str, int]]:
    emu = Emulator(clock=clock)
    with emu, emu.serve() as base_url:
        parts = urlsplit(base_url)
        yield str(parts.hostname), int(parts.port or 80)


def read_answer(sock: socket.socket) -> tuple[int, dict[str, object]]:
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body[body.index(b"{") :])


def test_a_600_mb_json_body_declared_up_front_is_refused_unread(
    served: tuple[str, int],
) -> None:
    with socket.create_connection(served, timeout=10) as sock:
        head = (
            "POST /v1/videos HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer k\r\n"
            f"Content-Type: application/json\r\nContent-Length: {600 * 1000 * 1000}\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"prompt": "')
        status, body = read_answer(sock)
    assert status == 413
    assert body["error"]["code"] == "request_too_large"  # type: ignore[index]


def test_a_streamed_json_body_is_cut_off_past_the_limit(served: tuple[str, int]) -> None:
    """600 MB announced chunk by chunk: the answer comes after a few MiB, not after 600 MB."""
    chunk = b"x" * MiB
    sent = 0
    with socket.create_connection(served, timeout=10) as sock:
        head = (
            "POST /v1/videos HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer k\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.sendall(head.encode())
        while sent < 600 * MiB:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except OSError:
                break  # the server closed the connection after answering
            sent += len(chunk)
        status, body = read_answer(sock)
    assert status == 413
    assert body["error"]["type"] == "invalid_request_error"  # type: ignore[index]
    assert sent <= 64 * MiB
