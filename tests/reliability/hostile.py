"""A programmable hostile HTTP/1.1 server on a real loopback socket, for attack tests.

Each test scripts raw answers: any status line and headers (a false ``Content-Encoding``, a
wrong ``Content-Length``), bodies trickled a byte at a time, connections cut mid-body, one
answer per request from a queue or from a callable that sees the parsed request. Every request
received is recorded, headers as sent (repeated names included), so that tests can assert
what went on the wire.

The server runs in threads of the test process, on ``127.0.0.1`` and an ephemeral port, and
stops by itself after ``lifetime`` seconds even if a test forgets to stop it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, TypeAlias

__all__ = [
    "Answer",
    "HostileServer",
    "Request",
    "gzip_bomb",
    "gzip_bytes",
    "json_answer",
    "video_json",
]

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Request:
    """A request as the server received it."""

    method: str
    target: str
    """The request target as sent, query included (``/v1/videos?after=a``)."""
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def path(self) -> str:
        """The target without its query."""
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (last one wins)."""
        _, _, query = self.target.partition("?")
        pairs = (part.partition("=") for part in query.split("&") if part)
        return {name: value for name, _, value in pairs}

    def all(self, name: str) -> list[str]:
        """Every value of a header, in order (a header sent twice gives two)."""
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def header(self, name: str) -> str | None:
        """A header's value, or ``None``; a header sent twice gives its values joined."""
        values = self.all(name)
        return ", ".join(values) if values else None


@dataclass
class Answer:
    """What the server sends back, byte for byte.

    Attributes:
        status: The status code on the status line.
        headers: Headers as sent; ``Content-Length`` is added unless given (or ``chunked``).
        body: The body, sent as is (compress it yourself for a ``Content-Encoding``).
        trickle: Seconds to wait before each byte of the body.
        trickle_head: Trickle the status line and headers too.
        cut_after: Close the connection after this many bytes of the body.
        delay: Seconds to wait before sending anything.
    """

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list[tuple[str, str]])
    body: bytes = b""
    trickle: float = 0.0
    trickle_head: bool = False
    cut_after: int | None = None
    delay: float = 0.0

    def head(self) -> bytes:
        """The status line and headers."""
        names = {name.lower() for name, _ in self.headers}
        headers = list(self.headers)
        if "content-length" not in names and "transfer-encoding" not in names:
            headers.append(("Content-Length", str(len(self.body))))
        lines = [f"HTTP/1.1 {self.status} Whatever"] + [f"{n}: {v}" for n, v in headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


Script: TypeAlias = "Answer | Callable[[Request], Answer]"


class HostileServer:
    """Answers each request with the next scripted answer, else with ``handler``.

    Use as a context manager, or ``start()`` / ``stop()``; ``base_url`` ends in ``/v1``.
    """

    def __init__(self, *, lifetime: float = 30.0) -> None:
        self.requests: list[Request] = []
        self.handler: Callable[[Request], Answer] = lambda request: Answer(404, body=b"{}")
        self._queue: list[Script] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._deadline = time.monotonic() + lifetime
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="hostile-server", daemon=True)

    @property
    def base_url(self) -> str:
        """The API's base URL on this server."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1"

    def script(self, *answers: Script) -> None:
        """Queue answers (or callables making them), used once each, in order."""
        with self._lock:
            self._queue.extend(answers)

    def to(self, method: str, path_end: str = "") -> list[Request]:
        """The requests received with this method whose path ends with ``path_end``."""
        return [r for r in self.requests if r.method == method and r.path.endswith(path_end)]

    def start(self) -> HostileServer:
        """Start serving in a thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection."""
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            for connection in self._connections:
                _close(connection)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        with self._listener:
            while not self._stop.is_set() and time.monotonic() < self._deadline:
                try:
                    connection, _ = self._listener.accept()
                except TimeoutError:
                    continue
                with self._lock:
                    self._connections.append(connection)
                threading.Thread(target=self._talk, args=(connection,), daemon=True).start()

    def _talk(self, connection: socket.socket) -> None:
        connection.settimeout(max(self._deadline - time.monotonic(), 0.1))
        reader = connection.makefile("rb")
        try:
            while not self._stop.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                    script = self._queue.pop(0) if self._queue else self.handler
                answer = script if isinstance(script, Answer) else script(request)
                if not self._send(connection, answer):
                    return
        except OSError:
            return
        finally:
            _close(connection)

    def _send(self, connection: socket.socket, answer: Answer) -> bool:
        """Send an answer; whether the connection stays open for another request."""
        if answer.delay and self._stop.wait(answer.delay):
            return False
        end = len(answer.body) if answer.cut_after is None else answer.cut_after
        body = memoryview(answer.body)[:end]
        if answer.trickle_head:
            if not self._trickle(connection, memoryview(answer.head()), answer.trickle):
                return False
        else:
            connection.sendall(answer.head())
        if not answer.trickle:
            connection.sendall(body)
        elif not self._trickle(connection, body, answer.trickle):
            return False
        return answer.cut_after is None

    def _trickle(self, connection: socket.socket, data: memoryview, pause: float) -> bool:
        """Send a byte at a time, ``pause`` seconds before each; whether it was all sent."""
        for index in range(len(data)):
            if self._stop.wait(pause):
                return False
            connection.sendall(data[index : index + 1])
        return True


def _read_request(reader: BinaryIO) -> Request | None:
    readline = reader.readline
    line = readline(65537)
    if not line.strip():
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: list[tuple[str, str]] = []
    while (raw := readline(65537)) not in (b"\r\n", b"\n", b""):
        name, _, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    request = Request(method, target, tuple(headers), b"")
    if (request.header("transfer-encoding") or "").lower() == "chunked":
        body = bytearray()
        while size := int(readline(65537).split(b";")[0], 16):
            body += reader.read(size)
            readline(65537)
        readline(65537)
        return Request(method, target, tuple(headers), bytes(body))
    length = int(request.header("content-length") or 0)
    return Request(method, target, tuple(headers), reader.read(length) if length else b"")


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


def json_answer(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    """A JSON answer."""
    extra = list((headers or {}).items())
    return Answer(status, [("Content-Type", "application/json"), *extra], json.dumps(body).encode())


def video_json(
    video_id: str = "video_1", status: str = "completed", **more: object
) -> dict[str, object]:
    """A video object as the API sends it."""
    return {"id": video_id, "object": "video", "status": status, "progress": 100, **more}


def gzip_bytes(data: bytes, *, wbits: int = 31) -> bytes:
    """``data`` gzip-compressed (``wbits=15`` for zlib ``deflate``)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def gzip_bomb(decoded_size: int, *, prefix: bytes = b"", wbits: int = 31) -> bytes:
    """A small gzip stream that decodes to ``prefix`` then zeros, ``decoded_size`` bytes in all,
    built in memory one MiB at a time (never holding the decoded size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    parts = [packer.compress(prefix)]
    zeros = b"0" * CHUNK
    left = decoded_size - len(prefix)
    while left > 0:
        parts.append(packer.compress(zeros[: min(left, CHUNK)]))
        left -= CHUNK
    parts.append(packer.flush())
    return b"".join(parts)
