"""The send and poll flows, stepped by hand: every request and every wait is visible."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from sora_videos import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    PollTimeoutError,
    RateLimitError,
    Video,
    VideoFailedError,
)
from sora_videos import _operations as ops
from sora_videos._poll import poll_delay, poll_flow
from sora_videos._send import send_flow
from sora_videos._steps import Flow, Notify, Read, Send, Sleep, Step

from .conftest import client_config, error_json, video_json

CONFIG = client_config()


def answer(step: Step, status: int = 200, **kwargs: Any) -> httpx.Response:
    assert isinstance(step, Send)
    request = httpx.Request(step.request.method, step.request.url)
    return httpx.Response(status, request=request, **kwargs)


def create_spec() -> Any:
    return ops.create(
        prompt="cat",
        model=None,
        seconds=None,
        size=None,
        input_reference=None,
        idempotency_key=None,
    )


def test_a_success_takes_one_request_and_no_wait() -> None:
    flow = send_flow(CONFIG, ops.retrieve("video_1"), {})
    step = next(flow)
    assert isinstance(step, Send)
    with pytest.raises(StopIteration) as done:
        flow.send(answer(step, json=video_json()))
    assert done.value.value.status_code == 200


def test_retries_keep_the_same_idempotency_key_and_wait_between_attempts() -> None:
    flow = send_flow(CONFIG, create_spec(), {})
    first = next(flow)
    assert isinstance(first, Send)
    key = first.request.headers["Idempotency-Key"]
    wait = flow.send(answer(first, 503))
    assert isinstance(wait, Sleep)
    assert 0.375 <= wait.seconds <= 0.5
    second = flow.send(None)
    assert isinstance(second, Send)
    assert second.request.headers["Idempotency-Key"] == key
    wait = flow.throw(httpx.ConnectError("refused"))
    assert isinstance(wait, Sleep)
    assert 0.75 <= wait.seconds <= 1.0
    third = flow.send(None)
    with pytest.raises(InternalServerError) as raised:
        flow.send(answer(third, 500, json=error_json("boom")))
    assert raised.value.idempotency_key == key
    assert raised.value.message == "boom"


def test_retry_after_is_the_wait_when_the_server_gives_one() -> None:
    flow = send_flow(CONFIG, ops.retrieve("v"), {})
    step = next(flow)
    wait = flow.send(answer(step, 429, headers={"retry-after-ms": "250"}))
    assert wait == Sleep(0.25)


def test_a_long_retry_after_raises_at_once_with_the_wait() -> None:
    flow = send_flow(CONFIG, ops.retrieve("v"), {})
    step = next(flow)
    with pytest.raises(RateLimitError) as raised:
        flow.send(answer(step, 429, headers={"retry-after": "120"}, json=error_json("slow down")))
    assert raised.value.retry_after == 120.0
    assert raised.value.status_code == 429


def test_a_timeout_after_the_budget_is_an_api_timeout_error() -> None:
    config = CONFIG.with_changes(max_retries=0)
    flow = send_flow(config, ops.retrieve("v"), {})
    next(flow)
    with pytest.raises(APITimeoutError, match="timed out"):
        flow.throw(httpx.ReadTimeout("slow"))


def test_a_refused_connection_after_the_budget_is_an_api_connection_error() -> None:
    flow = send_flow(CONFIG.with_changes(max_retries=0), create_spec(), {})
    first = next(flow)
    assert isinstance(first, Send)
    with pytest.raises(APIConnectionError) as raised:
        flow.throw(httpx.ConnectError("refused"))
    assert raised.value.idempotency_key == first.request.headers["Idempotency-Key"]


def test_a_streamed_error_body_is_read_before_it_is_parsed() -> None:
    flow = send_flow(CONFIG, ops.content("v", variant="video"), {})
    step = next(flow)
    assert isinstance(step, Send)
    assert step.stream
    body = json.dumps(error_json("expired", code="video_expired")).encode()
    response = httpx.Response(
        404, stream=httpx.ByteStream(body), request=httpx.Request("GET", step.request.url)
    )
    read = flow.send(response)
    assert isinstance(read, Read)
    assert read.limit <= CONFIG.max_body_size  # an error's body is read within the cap
    response.read()  # what the driver does
    check = flow.send("complete")  # a refused download: the job's state tells why
    assert isinstance(check, Send)
    assert (check.request.method, check.request.url) == ("GET", "http://api.test/v1/videos/v")
    with pytest.raises(Exception, match="expired") as raised:
        flow.send(answer(check, json=video_json("v")))  # completed: the 404 stands
    assert getattr(raised.value, "code", None) == "video_expired"


def step_through(
    flow: Flow[Video], bodies: list[dict[str, Any]], hint_ms: str = "2000"
) -> tuple[list[Any], float, Video | Exception]:
    """Answer each poll with the next body, move a fake clock on each wait, run callbacks.

    Returns the steps taken, the clock at the end, and the result or the error raised."""
    steps: list[Any] = []
    reply: object = None
    clock = CLOCK
    try:
        while True:
            step = flow.send(reply)
            steps.append(step)
            reply = None
            if isinstance(step, Send):
                reply = httpx.Response(
                    200,
                    json=bodies.pop(0) if len(bodies) > 1 else bodies[0],
                    headers={"openai-poll-after-ms": hint_ms},
                    request=httpx.Request("GET", "http://api.test/v1/videos/video_1"),
                )
            elif isinstance(step, Sleep):
                clock[0] += step.seconds
            elif isinstance(step, Notify):
                step.callback(step.value)
    except StopIteration as done:
        return steps, clock[0], done.value
    except Exception as error:
        return steps, clock[0], error


CLOCK = [0.0]


def start_poll(**kwargs: Any) -> Flow[Video]:
    CLOCK[0] = 0.0
    arguments: dict[str, Any] = {"max_wait": 60.0, "poll_interval": None, "on_progress": None}
    arguments.update(kwargs)
    return poll_flow(CONFIG, ops.retrieve("video_1"), {}, clock=lambda: CLOCK[0], **arguments)


def test_poll_makes_exactly_one_request_per_state_and_waits_what_the_server_says() -> None:
    states = [
        video_json(status="queued", progress=0),
        video_json(status="in_progress", progress=40),
        video_json(status="completed", progress=100),
    ]
    steps, _, result = step_through(start_poll(), states, hint_ms="2500")
    assert isinstance(result, Video)
    assert result.status == "completed"
    assert [type(s).__name__ for s in steps] == ["Send", "Sleep", "Send", "Sleep", "Send"]
    assert [s.seconds for s in steps if isinstance(s, Sleep)] == [2.5, 2.5]


def test_poll_interval_is_a_floor_under_the_server_hint() -> None:
    states = [video_json(status="queued", progress=0), video_json(status="completed")]
    steps, _, _ = step_through(start_poll(poll_interval=3.0), states, hint_ms="500")
    assert [s.seconds for s in steps if isinstance(s, Sleep)] == [3.0]


def test_poll_reports_each_change_once() -> None:
    seen: list[int] = []
    states = [
        video_json(status="in_progress", progress=10),
        video_json(status="in_progress", progress=10),
        video_json(status="in_progress", progress=70),
        video_json(status="completed", progress=100),
    ]
    step_through(start_poll(on_progress=lambda v: seen.append(v.progress)), states)
    assert seen == [10, 70, 100]


def test_a_failed_job_raises_with_the_video_and_its_error() -> None:
    failed = video_json(status="failed", error={"code": "moderation", "message": "blocked"})
    _, _, error = step_through(start_poll(), [failed])
    assert isinstance(error, VideoFailedError)
    assert "moderation: blocked" in str(error)
    assert error.video.error is not None
    assert error.video.error.code == "moderation"


def test_the_deadline_raises_with_the_last_state_after_a_final_poll() -> None:
    running = video_json(status="in_progress", progress=50)
    steps, clock, error = step_through(start_poll(max_wait=5.0), [running])
    assert isinstance(error, PollTimeoutError)
    assert error.video.progress == 50
    # Polls at 0, 2, 4 and at the deadline (5): never past it, never a wasted wait.
    assert sum(isinstance(s, Send) for s in steps) == 4
    assert clock == 5.0


@pytest.mark.parametrize(
    ("headers", "interval", "expected"),
    [
        ({"openai-poll-after-ms": "1500"}, None, 1.5),
        ({}, None, 1.0),
        ({"openai-poll-after-ms": "100"}, 2.0, 2.0),
        ({"openai-poll-after-ms": "5000"}, 2.0, 5.0),
        ({"openai-poll-after-ms": "soon"}, None, 1.0),
    ],
)
def test_poll_delay(headers: dict[str, str], interval: float | None, expected: float) -> None:
    assert poll_delay(headers, interval) == expected
