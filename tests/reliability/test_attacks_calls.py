"""Attacks on calls that take several requests or some time, over real sockets: paging,
polling, deadlines, the retry budget, an async client's lifetime, idempotency keys.

Each was a hole (issue #11) and failed before its fix.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import pytest

from sora_videos import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncSora,
    InternalServerError,
    PaginationError,
    PollTimeoutError,
    RequestOptions,
    Sora,
    SoraError,
)

from .attack_kit import MP4, async_sora, ranged, sora
from .hostile import Answer, HostileServer, Request, json_answer, video_json

# --- 8: cursor cycles ----------------------------------------------------------------------


def cycling_pages(request: Request) -> Answer:
    """Pages whose cursors go A, B, A, B... forever."""
    item, cursor = {"": ("v1", "A"), "A": ("v2", "B"), "B": ("v3", "A")}[
        request.query.get("after", "")
    ]
    return json_answer(
        {"object": "list", "data": [video_json(item)], "last_id": cursor, "has_more": True}
    )


def test_a_cursor_cycle_ends_the_listing(hostile: HostileServer) -> None:
    hostile.handler = cycling_pages
    seen: list[str] = []

    def walk(client: Sora) -> None:
        for video in client.videos.list():
            seen.append(video.id)
            assert len(seen) < 20, "the listing went round the cycle"

    with sora(hostile) as client, pytest.raises(PaginationError, match="cursor"):
        walk(client)
    assert seen == ["v1", "v2", "v3"]
    assert len(hostile.requests) == 3


@pytest.mark.anyio
async def test_a_cursor_cycle_ends_the_listing_async(hostile: HostileServer) -> None:
    hostile.handler = cycling_pages
    seen: list[str] = []

    async def walk(client: AsyncSora) -> None:
        async for video in client.videos.list():
            seen.append(video.id)
            assert len(seen) < 20, "the listing went round the cycle"

    async with async_sora(hostile) as client:
        with pytest.raises(PaginationError, match="cursor"):
            await walk(client)
    assert seen == ["v1", "v2", "v3"]
    assert len(hostile.requests) == 3


# --- 9: a floor under the poll wait --------------------------------------------------------


def in_progress(poll_after_ms: str) -> Callable[[Request], Answer]:
    return lambda request: json_answer(
        video_json("v", "in_progress", progress=5), headers={"openai-poll-after-ms": poll_after_ms}
    )


@pytest.mark.parametrize("hint", ["0", "-5", "1"])
def test_a_zero_poll_hint_does_not_flood_the_server(hostile: HostileServer, hint: str) -> None:
    hostile.handler = in_progress(hint)
    with sora(hostile) as client, pytest.raises(PollTimeoutError):
        client.videos.poll("v", max_wait=1.0)
    assert len(hostile.requests) <= 11  # a floor of at least 0.1 s


@pytest.mark.anyio
async def test_a_zero_poll_hint_does_not_flood_the_server_async(hostile: HostileServer) -> None:
    hostile.handler = in_progress("0")
    async with async_sora(hostile) as client:
        with pytest.raises(PollTimeoutError):
            await client.videos.poll("v", max_wait=1.0)
    assert len(hostile.requests) <= 11


def test_a_larger_poll_hint_is_still_honoured(hostile: HostileServer) -> None:
    """Guard for the #9 fix: the floor does not shorten a server's longer hint."""
    hostile.handler = in_progress("1500")
    with sora(hostile) as client, pytest.raises(PollTimeoutError):
        client.videos.poll("v", max_wait=1.0)
    assert len(hostile.requests) <= 2


# --- 10: time bounded: timeout and max_wait are deadlines ----------------------------------

SLOW_JSON = b'{"id":"v","status":"queued"}'  # trickled over about 3 s
SLOW_POLL = b'{"id":"v","status":"in_progress"}'  # about 2.6 s


def trickled(body: bytes = SLOW_JSON, every: float = 0.1) -> Answer:
    return Answer(200, [("Content-Type", "application/json")], body, trickle=every)


@pytest.mark.parametrize("where", ["call", "client"])
def test_timeout_is_a_deadline_for_the_whole_request(hostile: HostileServer, where: str) -> None:
    hostile.handler = lambda request: trickled()
    per_call: RequestOptions = {"timeout": 1} if where == "call" else {}
    started = time.monotonic()
    with (
        sora(hostile, **({"timeout": 1} if where == "client" else {})) as client,
        pytest.raises(APITimeoutError),
    ):
        client.videos.retrieve("v", **per_call)
    assert time.monotonic() - started < 2.0


@pytest.mark.anyio
@pytest.mark.parametrize("head", [False, True], ids=["body", "headers too"])
async def test_timeout_is_a_deadline_for_the_whole_request_async(
    hostile: HostileServer, head: bool
) -> None:
    # Trickled, the status line and headers alone take about 6 s (docs/reliability.md says
    # the sync client bounds that phase per read only).
    slow = Answer(200, [("Content-Type", "application/json")], SLOW_JSON, 0.1, trickle_head=head)
    hostile.handler = lambda request: slow
    started = time.monotonic()
    async with async_sora(hostile) as client:
        with pytest.raises(APITimeoutError):
            await client.videos.retrieve("v", timeout=1)
    assert time.monotonic() - started < 2.0


def slow_or_fast(request: Request) -> Answer:
    """``/videos/slow…`` trickled over about 3 s; any other id answered at once."""
    video_id = request.path.rsplit("/", 1)[-1]
    return trickled() if video_id.startswith("slow") else json_answer(video_json(video_id))


@pytest.mark.anyio
async def test_a_short_deadline_is_kept_beside_longer_ones_in_flight(
    hostile: HostileServer,
) -> None:
    hostile.handler = slow_or_fast
    outcome: dict[str, str] = {}
    took: dict[str, float] = {}

    async def call(client: AsyncSora, video_id: str, timeout: float) -> None:
        started = time.monotonic()
        try:
            outcome[video_id] = (await client.videos.retrieve(video_id, timeout=timeout)).status
        except APITimeoutError:
            outcome[video_id] = "timed out"
        took[video_id] = time.monotonic() - started

    async with async_sora(hostile) as client, anyio.create_task_group() as group:
        group.start_soon(call, client, "slow-long", 30)  # the first deadline is 30 s away
        await anyio.sleep(0.05)
        group.start_soon(call, client, "slow-short", 1)  # then one 1 s away
        for index in range(5):
            group.start_soon(call, client, f"fast-{index}", 30)
    assert outcome == {
        "slow-long": "queued",
        "slow-short": "timed out",
        **{f"fast-{index}": "completed" for index in range(5)},
    }
    assert 0.9 < took["slow-short"] < 2.0


@pytest.mark.anyio
async def test_a_call_the_caller_cancels_is_a_cancellation_not_a_timeout(
    hostile: HostileServer,
) -> None:
    hostile.handler = slow_or_fast
    async with async_sora(hostile) as client:
        with anyio.move_on_after(0.3) as scope:
            await client.videos.retrieve("slow", timeout=30)
        assert scope.cancelled_caught
        # The client goes on working, and no cut of the cancelled call is left to fire.
        await anyio.sleep(0.1)
        assert (await client.videos.retrieve("fast", timeout=30)).id == "fast"


@pytest.mark.parametrize("how", ["wait_for", "timeout"])
def test_an_asyncio_timeout_of_the_callers_own_stays_theirs(
    hostile: HostileServer, how: str
) -> None:
    hostile.handler = slow_or_fast

    async def within(seconds: float, call: Awaitable[object]) -> object:
        if how == "wait_for":
            return await asyncio.wait_for(call, seconds)
        if sys.version_info >= (3, 11):
            async with asyncio.timeout(seconds):
                return await call
        pytest.skip("asyncio.timeout needs Python 3.11")

    async def main() -> None:
        async with async_sora(hostile) as client:
            with pytest.raises(asyncio.TimeoutError) as raised:  # TimeoutError from 3.11 on
                await within(0.3, client.videos.retrieve("slow", timeout=30))
            assert not isinstance(raised.value, APITimeoutError)

    asyncio.run(main())


@pytest.mark.anyio
async def test_max_wait_cuts_the_poll_in_flight(hostile: HostileServer) -> None:
    hostile.script(in_progress("100"))
    hostile.handler = lambda request: trickled(SLOW_POLL, every=0.08)
    started = time.monotonic()
    async with async_sora(hostile) as client:
        with pytest.raises(PollTimeoutError) as raised:
            await client.videos.poll("v", max_wait=1.0)
    assert time.monotonic() - started < 1.8
    assert raised.value.video.status == "in_progress"


def test_max_wait_cuts_the_poll_in_flight_sync(hostile: HostileServer) -> None:
    hostile.script(in_progress("100"))
    hostile.handler = lambda request: trickled(SLOW_POLL, every=0.08)
    started = time.monotonic()
    with sora(hostile) as client, pytest.raises(PollTimeoutError):
        client.videos.poll("v", max_wait=1.0)
    assert time.monotonic() - started < 1.8


def busy_for_long() -> Answer:
    return json_answer({"error": {"message": "busy"}}, 503, {"retry-after": "5"})


def test_max_wait_is_not_outlasted_by_a_retry_wait(hostile: HostileServer) -> None:
    hostile.script(in_progress("100"))
    hostile.handler = lambda request: busy_for_long()
    started = time.monotonic()
    with sora(hostile, max_retries=2) as client, pytest.raises(PollTimeoutError) as raised:
        client.videos.poll("v", max_wait=1.0)
    assert time.monotonic() - started < 1.8
    assert raised.value.video.status == "in_progress"


@pytest.mark.anyio
async def test_max_wait_is_not_outlasted_by_a_retry_wait_async(hostile: HostileServer) -> None:
    hostile.script(in_progress("100"))
    hostile.handler = lambda request: busy_for_long()
    started = time.monotonic()
    async with async_sora(hostile, max_retries=2) as client:
        with pytest.raises(PollTimeoutError):
            await client.videos.poll("v", max_wait=1.0)
    assert time.monotonic() - started < 1.8


# --- 11: one retry budget per operation ----------------------------------------------------


def failing_then_cut() -> Callable[[Request], Answer]:
    """503s and cut downloads, alternately, for ever."""
    media_answer = ranged([(MP4, '"v1"')], cut_at=0.3)
    served: list[int] = []

    def answer(request: Request) -> Answer:
        served.append(1)
        if len(served) % 2:
            return json_answer({"error": {"message": "busy"}}, 503, {"retry-after-ms": "0"})
        return media_answer(request)

    return answer


def test_one_retry_budget_for_a_download(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.handler = failing_then_cut()
    with sora(hostile, max_retries=2) as client, pytest.raises(APIError):
        client.videos.download("v", tmp_path / "v.mp4")
    assert len(hostile.requests) <= 3
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
async def test_one_retry_budget_for_a_download_async(
    hostile: HostileServer, tmp_path: Path
) -> None:
    hostile.handler = failing_then_cut()
    async with async_sora(hostile, max_retries=2) as client:
        with pytest.raises(APIError):
            await client.videos.download("v", tmp_path / "v.mp4")
    assert len(hostile.requests) <= 3


# --- 12: async client lifetime -------------------------------------------------------------


def test_an_async_client_used_from_two_event_loops(hostile: HostileServer) -> None:
    hostile.handler = lambda request: json_answer(video_json("v"))
    client = async_sora(hostile)
    assert asyncio.run(client.videos.retrieve("v")).id == "v"
    try:
        second = asyncio.run(client.videos.retrieve("v"))
    except SoraError:  # refusing clearly is acceptable; a bare RuntimeError is not
        return
    assert second.id == "v"


@pytest.mark.anyio
async def test_close_with_a_request_in_flight(hostile: HostileServer) -> None:
    slow = json_answer(video_json("v"))
    hostile.handler = lambda request: Answer(200, slow.headers, slow.body, delay=1.0)
    client = async_sora(hostile, max_retries=2)
    errors: list[BaseException] = []

    async def retrieve() -> None:
        try:
            await client.videos.retrieve("v")
        except Exception as err:
            errors.append(err)

    async with anyio.create_task_group() as group:
        group.start_soon(retrieve)
        await anyio.sleep(0.3)
        await client.close()
    assert len(errors) == 1
    assert isinstance(errors[0], APIConnectionError)


@pytest.mark.anyio
async def test_a_request_after_close(hostile: HostileServer) -> None:
    hostile.handler = lambda request: json_answer(video_json("v"))
    client = async_sora(hostile)
    await client.close()
    with pytest.raises(APIConnectionError, match="closed"):
        await client.videos.retrieve("v")


# --- 23: one idempotency key per request, the one on the wire ------------------------------


@pytest.mark.parametrize("spelling", ["Idempotency-Key", "idempotency-key", "IDEMPOTENCY-KEY"])
def test_an_idempotency_key_in_extra_headers_is_the_one(
    hostile: HostileServer, spelling: str
) -> None:
    hostile.handler = lambda request: json_answer({"error": {"message": "busy"}}, 500)
    with sora(hostile, max_retries=1) as client, pytest.raises(InternalServerError) as raised:
        client.videos.create(prompt="a fox", extra_headers={spelling: "key-from-caller"}, timeout=5)
    assert [r.all("idempotency-key") for r in hostile.requests] == [["key-from-caller"]] * 2
    assert raised.value.idempotency_key == "key-from-caller"


@pytest.mark.anyio
async def test_the_error_names_the_key_on_the_wire(hostile: HostileServer) -> None:
    hostile.handler = lambda request: json_answer({"error": {"message": "busy"}}, 500)
    async with async_sora(hostile) as client:
        with pytest.raises(InternalServerError) as raised:
            await client.videos.create(
                prompt="a fox",
                idempotency_key="from-argument",
                extra_headers={"idempotency-key": "x"},
            )
    (sent,) = hostile.requests[0].all("idempotency-key")
    assert raised.value.idempotency_key == sent
