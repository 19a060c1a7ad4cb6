"""The download flow, stepped by hand: every request, file step and wait is visible.

No transport and no file system: the test plays the driver, answering each step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_videos import APIConnectionError, IncompleteDownloadError
from sora_videos import _operations as ops
from sora_videos._config import ClientConfig
from sora_videos._download import download_flow
from sora_videos._steps import (
    Copy,
    CreateTemp,
    Flow,
    Read,
    Remove,
    Replace,
    Send,
    Sleep,
    Truncate,
)

from .conftest import client_config

TARGET = Path("/videos/cat.mp4")
TEMP = Path("/videos/.cat.mp4.x.part")
SIZE = 10


def config(max_retries: int = 2) -> ClientConfig:
    return client_config(max_retries=max_retries)


def start(max_retries: int = 2) -> tuple[Flow[Path], Send]:
    """A download flow past its temporary file, at its first request."""
    spec = ops.content("video_1", variant="video")
    flow = download_flow(config(max_retries), spec, {}, TARGET)
    assert next(flow) == CreateTemp(TARGET)
    step = flow.send(TEMP)
    assert isinstance(step, Send)
    return flow, step


def a_send(step: Any) -> Send:
    assert isinstance(step, Send)
    return step


def whole(step: Send) -> httpx.Response:
    request = httpx.Request(step.request.method, step.request.url)
    return httpx.Response(200, headers={"content-length": str(SIZE)}, request=request)


def ranged(step: Send, first: int) -> httpx.Response:
    request = httpx.Request(step.request.method, step.request.url)
    headers = {"content-range": f"bytes {first}-{SIZE - 1}/{SIZE}"}
    return httpx.Response(206, headers=headers, request=request)


def cut() -> httpx.ReadError:
    return httpx.ReadError("connection reset")


def copied(flow: Flow[Path], step: Any, *, offset: int, written: int, error: Any = None) -> Any:
    """Check the step is a ``Copy`` into the temporary file at ``offset``; report ``written``."""
    assert isinstance(step, Copy)
    assert (step.path, step.offset, step.total) == (TEMP, offset, SIZE)
    return flow.send((written, error))


def finish(flow: Flow[Path], step: Any) -> Path:
    assert step == Replace(TEMP, TARGET)
    with pytest.raises(StopIteration) as done:
        flow.send(None)
    return done.value.value  # type: ignore[no-any-return]


def test_a_whole_body_is_copied_then_renamed_into_place() -> None:
    flow, send = start()
    assert "Range" not in send.request.headers
    step = copied(flow, flow.send(whole(send)), offset=0, written=SIZE)
    assert finish(flow, step) == TARGET


def test_a_cut_resumes_with_a_range_request_from_the_bytes_written() -> None:
    flow, send = start()
    step = copied(flow, flow.send(whole(send)), offset=0, written=4, error=cut())
    assert isinstance(step, Sleep)
    send = a_send(flow.send(None))
    assert send.request.headers["Range"] == "bytes=4-"
    step = copied(flow, flow.send(ranged(send, 4)), offset=4, written=6)
    assert finish(flow, step) == TARGET


def test_a_server_that_ignores_range_gets_a_clean_restart() -> None:
    flow, send = start()
    step = copied(flow, flow.send(whole(send)), offset=0, written=4, error=cut())
    send = a_send(flow.send(None))  # after the wait
    assert send.request.headers["Range"] == "bytes=4-"
    step = flow.send(whole(send))  # 200: the whole body again, from the first byte
    assert step == Truncate(TEMP)
    step = copied(flow, flow.send(None), offset=0, written=SIZE)
    assert finish(flow, step) == TARGET


def test_resumes_and_retries_share_one_budget() -> None:
    # max_retries=2: 3 requests in all, then the download fails and the temp file goes.
    flow, send = start(max_retries=2)
    sends = [send]
    step: Any = flow.send(whole(send))
    offset = 0
    for written in (4, 2):
        step = copied(flow, step, offset=offset, written=written, error=cut())
        offset += written
        assert isinstance(step, Sleep)
        send = a_send(flow.send(None))
        sends.append(send)
        step = flow.send(ranged(send, offset))
    step = copied(flow, step, offset=offset, written=1, error=cut())
    assert step == Remove(TEMP)
    with pytest.raises(IncompleteDownloadError) as raised:
        flow.send(None)
    assert (raised.value.expected, raised.value.received) == (SIZE, 7)
    assert len(sends) == 3


def test_a_retried_error_answer_spends_the_same_budget() -> None:
    flow, send = start(max_retries=1)
    request = httpx.Request("GET", send.request.url)
    step = flow.send(httpx.Response(503, stream=httpx.ByteStream(b""), request=request))
    assert isinstance(step, Read)  # the error's body
    step = flow.send("complete")
    assert isinstance(step, Sleep)  # the one retry
    send = a_send(flow.send(None))
    step = copied(flow, flow.send(whole(send)), offset=0, written=4, error=cut())
    assert step == Remove(TEMP)  # no budget left to resume
    with pytest.raises(IncompleteDownloadError):
        flow.send(None)


@pytest.mark.parametrize("written", [SIZE - 1, SIZE + 3])
def test_the_file_is_renamed_only_when_the_byte_count_matches(written: int) -> None:
    flow, send = start(max_retries=0)
    step = copied(flow, flow.send(whole(send)), offset=0, written=written)
    assert step == Remove(TEMP)  # never Replace
    with pytest.raises(IncompleteDownloadError) as raised:
        flow.send(None)
    assert (raised.value.expected, raised.value.received) == (SIZE, written)


def test_a_cut_with_no_announced_size_is_a_connection_error_and_no_file() -> None:
    flow, send = start()
    request = httpx.Request("GET", send.request.url)
    step = flow.send(httpx.Response(200, request=request))  # no Content-Length
    assert isinstance(step, Copy)
    assert step.total is None
    step = flow.send((3, cut()))
    assert step == Remove(TEMP)
    with pytest.raises(APIConnectionError):
        flow.send(None)
