"""Fleet polling stepped by hand: which requests a round sends, and what it reports."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sora_videos import PollTimeoutError, Video
from sora_videos._fleet import Fleet, Round
from sora_videos._steps import Flow, Notify, Send, Sleep

from .conftest import client_config, error_json, video_json

T = TypeVar("T")
CONFIG = client_config(max_retries=0)


class Server:
    """Jobs by id, newest first in listings, answering the flow's requests."""

    def __init__(self, count: int, *, can_list: bool = True, listed: int | None = None) -> None:
        self.jobs = {
            f"video_{n}": video_json(f"video_{n}", status="in_progress", created_at=1000 + n)
            for n in range(count)
        }
        self.can_list = can_list
        self.listed = listed  # a proxy that lists only this many jobs
        self.requests: list[str] = []
        self.hint_ms = "1000"

    def answer(self, step: Send) -> httpx.Response:
        url = urlsplit(step.request.url)
        request = httpx.Request(step.request.method, step.request.url)
        self.requests.append(f"{step.request.method} {url.path}")
        headers = {"openai-poll-after-ms": self.hint_ms}
        if url.path == "/v1/videos":
            if not self.can_list:
                return httpx.Response(405, request=request, json=error_json("no"))
            return httpx.Response(200, request=request, headers=headers, json=self.page(step))
        video_id = url.path.rsplit("/", 1)[1]
        if video_id not in self.jobs:
            return httpx.Response(404, request=request, json=error_json("gone"))
        return httpx.Response(200, request=request, headers=headers, json=self.jobs[video_id])

    def page(self, step: Send) -> dict[str, Any]:
        params = {k: v[0] for k, v in parse_qs(urlsplit(step.request.url).query).items()}
        params.update({k: str(v) for k, v in step.request.params.items()})
        listing = sorted(self.jobs.values(), key=lambda j: -j["created_at"])[: self.listed]
        start = 0
        if "after" in params:
            start = [j["id"] for j in listing].index(params["after"]) + 1
        data = listing[start : start + int(params["limit"])]
        more = start + len(data) < len(listing)
        return {
            "object": "list",
            "data": data,
            "has_more": more,
            "last_id": data[-1]["id"] if data else None,
        }

    def finish(self, *ids: str, status: str = "completed", at: int = 2000) -> None:
        for video_id in ids:
            self.jobs[video_id].update(status=status, progress=100, completed_at=at)


def run(flow: Flow[T], server: Server, sleeps: list[float], notes: list[object]) -> T:
    """A pure driver: answers from the server, sleeps recorded, callbacks noted."""
    reply: object = None
    while True:
        try:
            step = flow.send(reply)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        reply = None
        if isinstance(step, Send):
            reply = server.answer(step)
        elif isinstance(step, Sleep):
            sleeps.append(step.seconds)
        elif isinstance(step, Notify):
            notes.append(step.value)


def check(fleet: Fleet, server: Server, **kw: Any) -> tuple[Round, list[float], list[object]]:
    sleeps: list[float] = []
    notes: list[object] = []
    result = run(fleet.check(CONFIG, {}, **kw), server, sleeps, notes)
    return result, sleeps, notes


def test_one_listing_request_checks_many_jobs() -> None:
    server = Server(50)
    fleet = Fleet(server.jobs, max_wait=None, poll_interval=None)
    result, sleeps, _ = check(fleet, server)
    assert server.requests == ["GET /v1/videos"]
    assert sleeps == []  # the first round goes at once
    assert len(result.running) == 50
    assert result.finished == []


def test_paging_stops_once_every_watched_job_is_seen() -> None:
    server = Server(450)
    watched = [f"video_{n}" for n in (449, 420, 300)]  # within the newest 200
    fleet = Fleet(watched, max_wait=None, poll_interval=None)
    check(fleet, server)
    assert server.requests == ["GET /v1/videos", "GET /v1/videos"]


def test_paging_stops_at_pages_older_than_the_oldest_watched_job() -> None:
    server = Server(450)
    fleet = Fleet(max_wait=None, poll_interval=None)
    for n in (449, 400):
        fleet.add(Video.model_validate(server.jobs[f"video_{n}"]))
    del server.jobs["video_400"]  # deleted meanwhile: no listing will ever show it
    result, _, _ = check(fleet, server)
    # One page covers everything newer than video_400; the missing job is retrieved alone.
    assert server.requests == ["GET /v1/videos", "GET /v1/videos/video_400"]
    assert list(result.errors) == ["video_400"]
    assert fleet.pending == ["video_449"]


def test_jobs_a_partial_listing_misses_are_retrieved_one_by_one() -> None:
    server = Server(10, listed=4)
    fleet = Fleet(server.jobs, max_wait=None, poll_interval=None)
    result, _, _ = check(fleet, server)
    assert server.requests[0] == "GET /v1/videos"
    assert sorted(server.requests[1:]) == sorted(f"GET /v1/videos/video_{n}" for n in range(6))
    assert len(result.running) == 10


def test_a_server_without_listing_is_asked_per_job_and_never_listed_again() -> None:
    server = Server(3, can_list=False)
    fleet = Fleet(server.jobs, max_wait=None, poll_interval=None)
    check(fleet, server)
    check(fleet, server)
    lists = [r for r in server.requests if r == "GET /v1/videos"]
    assert lists == ["GET /v1/videos"]
    assert len(server.requests) == 1 + 3 + 3


def test_a_listing_that_never_shows_the_jobs_is_given_up() -> None:
    server = Server(3, listed=0)
    fleet = Fleet(server.jobs, max_wait=None, poll_interval=None)
    for _ in range(4):
        check(fleet, server)
    assert server.requests.count("GET /v1/videos") == 2


def test_a_single_job_is_retrieved_not_listed() -> None:
    server = Server(5)
    fleet = Fleet(["video_2"], max_wait=None, poll_interval=None)
    check(fleet, server)
    assert server.requests == ["GET /v1/videos/video_2"]


def test_settled_jobs_are_reported_in_finishing_order_and_no_longer_watched() -> None:
    server = Server(4)
    fleet = Fleet(server.jobs, max_wait=None, poll_interval=None)
    check(fleet, server)
    server.finish("video_3", at=2005)
    server.finish("video_1", at=2001)
    server.finish("video_0", status="failed", at=2003)
    result, sleeps, _ = check(fleet, server)
    assert [v.id for v in result.finished] == ["video_1", "video_0", "video_3"]
    assert fleet.pending == ["video_2"]
    assert sleeps == [1.0]  # the server's hint, before the second round


@pytest.mark.parametrize("word", ["succeeded", "cancelled", "canceled", "expired"])
def test_other_servers_final_words_settle_a_job(word: str) -> None:
    server = Server(2)
    server.finish("video_1", status=word)
    result, _, _ = check(Fleet(server.jobs, max_wait=None, poll_interval=None), server)
    assert [v.id for v in result.finished] == ["video_1"]


def test_progress_is_reported_only_when_a_job_changes() -> None:
    server = Server(2)
    fleet = Fleet(server.jobs, max_wait=None, poll_interval=None)
    _, _, first = check(fleet, server, on_progress=print)
    _, _, same = check(fleet, server, on_progress=print)
    server.jobs["video_1"]["progress"] = 40
    _, _, moved = check(fleet, server, on_progress=print)
    assert len(first) == 2
    assert same == []
    assert [v.id for v in moved if isinstance(v, Video)] == ["video_1"]


def test_the_wait_honours_poll_interval_and_is_cut_at_the_deadline() -> None:
    now = [0.0]

    def clock() -> float:
        return now[0]

    server = Server(2)
    fleet = Fleet(server.jobs, max_wait=2.5, poll_interval=2.0, clock=clock)
    check(fleet, server)
    now[0] = 2.0
    _, sleeps, _ = check(fleet, server)
    assert sleeps == [0.5]  # 2 s asked, 0.5 s left before the deadline
    now[0] = 2.5
    with pytest.raises(PollTimeoutError) as caught:
        check(fleet, server)
    assert sorted(v.id for v in caught.value.videos) == ["video_0", "video_1"]
    assert caught.value.video.status == "in_progress"
    assert "and 1 more" in str(caught.value)
