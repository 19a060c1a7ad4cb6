"""The hostile campaign: calls, sync and async, against a server that lies on a raw socket.

Each row is one attack (a false encoding, a bomb, a trickle, a cursor cycle, a zero poll hint,
a changed ETag, a wrong media type...) served by ``hostile.py`` over ``127.0.0.1``, and the
counts that say whether the SDK kept its promises: every failure an SDK error of the expected
class (non-SDK errors: 0), no more requests than the attack allows, bounded memory (peak traced
by ``tracemalloc`` over the whole row) and bounded time, no file left by a failed call.

Used by ``test_hostile_campaign.py`` (which asserts the invariants) and by
``scripts/fault_campaign.py`` (which prints the table in ``docs/reliability.md``).
"""

from __future__ import annotations

import functools
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from sora_videos import (
    APIResponseValidationError,
    APITimeoutError,
    AsyncSora,
    InternalServerError,
    PaginationError,
    PollTimeoutError,
    Sora,
    SoraError,
)

from .attack_kit import KEY, MP4, media, ranged
from .hostile import Answer, HostileServer, Request, gzip_bomb, gzip_bytes, json_answer, video_json

__all__ = ["ATTACKS", "CALLS", "Attack", "AttackRow", "format_attacks", "run_attack"]

CALLS = 5
"""Calls per mode (sync and async) in each row."""
MIB = 1024 * 1024
V2 = MP4[::-1]
Handler = Callable[[Request], Answer]


@dataclass(frozen=True)
class Attack:
    """One row: what the server does, the call, and what the call must end with."""

    name: str
    call: str
    """``retrieve``, ``list``, ``poll``, ``download`` or ``read``."""
    handler: Callable[[], Handler]
    """A fresh handler for each call (some attacks keep state, e.g. a first cut)."""
    error: type[SoraError] | None
    """The error every call must raise; ``None``: every call must succeed."""
    max_requests: int = 1
    expect: bytes | None = None
    """The bytes a successful download must have saved."""
    settings: tuple[tuple[str, Any], ...] = ()


def _false_encoding(body: bytes, kind: str) -> Handler:
    headers = [("Content-Type", kind), ("Content-Encoding", "gzip")]
    return lambda request: Answer(200, headers, body)


@functools.cache
def _bomb_body() -> bytes:
    return gzip_bomb(48 * MIB, prefix=b'{"id": "v", "status": "queued", "pad": "')


@functools.cache
def _page_body() -> bytes:
    return b"<html>" + b"x" * (32 * MIB)


def _bomb() -> Handler:
    bomb = _bomb_body()
    headers = [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
    return lambda request: Answer(200, headers, bomb)


def _huge_error() -> Handler:
    page = _page_body()
    return lambda request: Answer(503, [("Content-Type", "text/html")], page)


def _trickle() -> Handler:
    body = b'{"id":"v","status":"queued"}'
    return lambda request: Answer(200, [("Content-Type", "application/json")], body, trickle=0.05)


def _cursor_cycle() -> Handler:
    pages = {"": ("v1", "A"), "A": ("v2", "B"), "B": ("v3", "A")}

    def answer(request: Request) -> Answer:
        item, cursor = pages[request.query.get("after", "")]
        page = {"object": "list", "data": [video_json(item)], "last_id": cursor, "has_more": True}
        return json_answer(page)

    return answer


def _zero_hint() -> Handler:
    body = video_json("v", "in_progress", progress=5)
    return lambda request: json_answer(body, headers={"openai-poll-after-ms": "0"})


def _changed_etag() -> Handler:
    first = ranged([(MP4, '"v1"')], cut_at=0.5)
    rest = ranged([(V2, '"v2"')])  # ignores If-Range, as some servers do
    served: list[int] = []

    def answer(request: Request) -> Answer:
        served.append(1)
        return first(request) if len(served) == 1 else rest(request)

    return answer


def _compressed_media() -> Handler:
    packed = gzip_bytes(MP4)
    headers = [("Content-Type", "video/mp4"), ("Content-Encoding", "gzip")]
    return lambda request: Answer(200, headers, packed)


ATTACKS: tuple[Attack, ...] = (
    Attack(
        "false gzip on JSON",
        "retrieve",
        lambda: _false_encoding(b'{"id": "v"}', "application/json"),
        APIResponseValidationError,
    ),
    Attack(
        "false gzip on media",
        "download",
        lambda: _false_encoding(MP4, "video/mp4"),
        APIResponseValidationError,
    ),
    Attack("gzip bomb, 48 MiB decoded", "retrieve", _bomb, APIResponseValidationError),
    Attack("503 with a 32 MiB page", "download", _huge_error, InternalServerError),
    Attack(
        "trickle, 1 byte / 50 ms, timeout=0.5",
        "retrieve",
        _trickle,
        APITimeoutError,
        settings=(("timeout", 0.5),),
    ),
    Attack("cursor cycle A, B, A", "list", _cursor_cycle, PaginationError, max_requests=3),
    Attack("poll hint 0 ms, max_wait=0.5", "poll", _zero_hint, PollTimeoutError, max_requests=6),
    Attack(
        "ETag changed on resume",
        "download",
        _changed_etag,
        None,
        max_requests=3,
        expect=V2,
        settings=(("max_retries", 2),),
    ),
    Attack(
        "200 text/html on /content",
        "download",
        lambda: lambda request: media(b"<html>Sign in</html>", content_type="text/html"),
        APIResponseValidationError,
    ),
    Attack("media compressed anyway", "download", _compressed_media, None, expect=MP4),
)


@dataclass
class AttackRow:
    """The counts of one attack over its sync and async calls."""

    attack: Attack
    calls: int
    ok: int
    sdk_errors: int
    other_errors: list[BaseException]
    """Errors that are not the expected SDK error (must be none)."""
    max_requests: int
    files_left: int
    peak_mib: float
    seconds: float


def run_attack(attack: Attack, calls: int, workdir: Path) -> AttackRow:
    """Run ``calls`` sync then ``calls`` async calls of the attack; return its counts."""
    outcomes: list[tuple[BaseException | None, int]] = []
    handlers = [attack.handler() for _ in range(2 * calls)]  # the server's bodies, untraced
    started = time.perf_counter()
    tracemalloc.start()
    try:
        for i, handler in enumerate(handlers):
            mode = "s" if i < calls else "a"
            outcomes.append(_one(attack, handler, workdir / f"{mode}{i}", sync=i < calls))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    errors = [error for error, _ in outcomes if error is not None]
    expected = attack.error
    return AttackRow(
        attack,
        calls=len(outcomes),
        ok=len(outcomes) - len(errors),
        sdk_errors=sum(1 for e in errors if expected is not None and type(e) is expected),
        other_errors=[e for e in errors if expected is None or type(e) is not expected],
        max_requests=max(requests for _, requests in outcomes),
        files_left=_files_left(attack, workdir),
        peak_mib=peak / MIB,
        seconds=time.perf_counter() - started,
    )


def _one(
    attack: Attack, handler: Handler, folder: Path, *, sync: bool
) -> tuple[BaseException | None, int]:
    folder.mkdir(parents=True)
    settings: dict[str, Any] = {"api_key": KEY, "max_retries": 0, **dict(attack.settings)}
    with HostileServer(lifetime=30.0) as server:
        server.handler = handler
        settings["base_url"] = server.base_url
        try:
            if sync:
                with Sora(**settings) as client:
                    _sync_call(attack.call, client, folder)
            else:
                anyio.run(_async_call, attack.call, settings, folder)
        except Exception as exc:  # counted and checked against the expected class
            return exc, len(server.requests)
        return None, len(server.requests)


def _sync_call(call: str, client: Sora, folder: Path) -> None:
    if call == "retrieve":
        client.videos.retrieve("v")
    elif call == "list":
        for _ in client.videos.list():
            pass
    elif call == "poll":
        client.videos.poll("v", max_wait=0.5)
    else:
        client.videos.download("v", folder / "v.mp4")


async def _async_call(call: str, settings: dict[str, Any], folder: Path) -> None:
    async with AsyncSora(**settings) as client:
        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "retrieve": lambda: client.videos.retrieve("v"),
            "list": lambda: _walk(client),
            "poll": lambda: client.videos.poll("v", max_wait=0.5),
            "download": lambda: client.videos.download("v", folder / "v.mp4"),
        }
        await calls[call]()


async def _walk(client: AsyncSora) -> None:
    async for _ in client.videos.list():
        pass


def _files_left(attack: Attack, workdir: Path) -> int:
    """Partial files, files saved by failed calls, and saved files with the wrong bytes."""
    left = 0
    for path in workdir.rglob("*"):
        if path.is_dir():
            continue
        if (
            path.name.endswith(".part")
            or attack.error is not None
            or (attack.expect is not None and path.read_bytes() != attack.expect)
        ):
            left += 1
    return left


HEADER = (
    "| Attack | Call | Calls (sync + async) | OK | SDK errors | Non-SDK errors "
    "| Most requests a call | Files left or wrong | Peak memory | Wall time |"
)


def format_attacks(rows: list[AttackRow]) -> str:
    """The rows as a Markdown table."""
    lines = [HEADER, "|" + "---|" * HEADER.count(" | ") + "---|"]
    for row in rows:
        a = row.attack
        error = f" `{a.error.__name__}`" if a.error is not None else ""
        lines.append(
            f"| {a.name} | `{a.call}` | {row.calls} | {row.ok} | {row.sdk_errors}{error} "
            f"| {len(row.other_errors)} | {row.max_requests} | {row.files_left} "
            f"| {row.peak_mib:.1f} MiB | {row.seconds:.1f} s |"
        )
    return "\n".join(lines)
