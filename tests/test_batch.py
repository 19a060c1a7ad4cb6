"""A batch's decisions stepped by hand: how jobs start, what a poll round settles, windows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from sora_videos import BatchJob, BatchResult
from sora_videos._batch import WINDOW, BatchRun, Entry, RoundOutcome
from sora_videos._steps import Send

from .conftest import error_json, video_json
from .test_fleet import CONFIG, run


class Server:
    """Answers creates with new jobs and polls with the jobs' states; 429s on request."""

    def __init__(self) -> None:
        self.jobs: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.throttled = 0

    def answer(self, step: Send) -> httpx.Response:
        request = httpx.Request(step.request.method, step.request.url)
        path = httpx.URL(step.request.url).path
        self.requests.append(f"{step.request.method} {path}")
        if self.throttled:
            self.throttled -= 1
            headers = {"retry-after-ms": "2500"}
            return httpx.Response(429, request=request, headers=headers, json=error_json("slow"))
        if step.request.method == "POST":
            video_id = f"video_{len(self.jobs)}"
            self.jobs[video_id] = video_json(video_id, status="queued", completed_at=None)
            return httpx.Response(200, request=request, json=self.jobs[video_id])
        if path == "/v1/videos":
            page = {"object": "list", "data": list(self.jobs.values())[::-1], "has_more": False}
            return httpx.Response(200, request=request, json=page)
        return httpx.Response(200, request=request, json=self.jobs[path.rsplit("/", 1)[1]])


def step(flow: Any, server: Server) -> tuple[Any, list[float]]:
    sleeps: list[float] = []
    return run(flow, server, sleeps, []), sleeps  # type: ignore[arg-type]


def batch_run(tmp_path: Path, **settings: Any) -> BatchRun:
    options: dict[str, Any] = {
        "manifest": tmp_path / "m.jsonl",
        "output_dir": None,
        "max_wait": 60.0,
        "poll_interval": None,
        **settings,
    }
    return BatchRun(CONFIG, **options)


def created(batch: BatchRun, server: Server, *prompts: str) -> list[Entry]:
    (window,) = batch.windows(list(prompts))
    for entry in window:
        assert batch.start(entry) == "create"
        result, _ = step(batch.create_flow(entry), server)
        assert result is None  # now watched
    return window


def test_a_round_settles_what_finished_and_keeps_watching_the_rest(tmp_path: Path) -> None:
    server = Server()
    batch = batch_run(tmp_path)
    created(batch, server, "a", "b", "c")
    server.jobs["video_0"].update(status="completed", completed_at=2)
    server.jobs["video_1"].update(status="failed", error={"code": "x", "message": "no"})
    outcome, sleeps = step(batch.round_flow(), server)
    assert isinstance(outcome, RoundOutcome)
    assert sleeps == [1.0]  # a job just created is first checked one interval later
    assert server.requests[-1] == "GET /v1/videos"  # one listing for the three jobs
    assert sorted((r.index, r.status) for r in outcome.settled) == [(0, "completed"), (1, "failed")]
    assert batch.watching
    lines = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert [line["event"] for line in lines] == ["planned"] * 3 + ["created"] * 3 + ["settled"] * 2


def test_a_429_round_pauses_the_batch_and_loses_no_job(tmp_path: Path) -> None:
    server = Server()
    batch = batch_run(tmp_path)
    created(batch, server, "a", "b")
    server.throttled = 1
    outcome, _ = step(batch.round_flow(), server)
    assert outcome.settled == []
    assert batch.throttle.remaining() > 2.0  # every create and poll waits
    server.jobs["video_0"].update(status="completed")
    server.jobs["video_1"].update(status="completed")
    outcome, sleeps = step(batch.round_flow(), server)
    assert sleeps[0] > 2.0
    assert [r.status for r in outcome.settled] == ["completed", "completed"]


def test_a_job_past_its_max_wait_is_timed_out_with_its_last_state(tmp_path: Path) -> None:
    server = Server()
    batch = batch_run(tmp_path, max_wait=0.0)
    created(batch, server, "a")
    outcome, sleeps = step(batch.round_flow(), server)
    assert sleeps == [0.0]  # the deadline is now: check once more, then report
    (result,) = outcome.settled
    assert (result.status, result.video_id) == ("timed_out", "video_0")
    assert result.video is not None
    assert result.video.status == "queued"
    assert not batch.watching


def test_how_each_job_starts_on_a_rerun(tmp_path: Path) -> None:
    server = Server()
    first = batch_run(tmp_path)
    a, b, c = created(first, server, "a", "b", "c")
    first.settle(a, BatchResult(a.job, "completed"))
    first.settle(b, BatchResult(b.job, "timed_out"))
    (d,) = next(first.windows(["d"]))  # planned, never created
    again = batch_run(tmp_path, output_dir=tmp_path / "out")
    (window,) = again.windows(["d", "c", "b", "a", "new"])
    starts = [again.start(entry) for entry in window]
    assert starts[:4] == ["create", "watch", "watch", "download"]
    assert window[0].job.idempotency_key == d.record.key  # a lost create replays its key
    assert starts[4] == "create"
    assert window[4].job.idempotency_key not in {e.record.key for e in (a, b, c, d)}
    done = batch_run(tmp_path)  # no output_dir: a completed job needs nothing more
    (entries,) = done.windows(["a"])
    result = done.start(entries[0])
    assert isinstance(result, BatchResult)
    assert (result.status, result.video_id, result.path) == ("completed", "video_0", None)


def test_requests_are_read_a_window_at_a_time(tmp_path: Path) -> None:
    taken: list[int] = []

    def prompts() -> Iterator[str | BatchJob]:
        for i in range(WINDOW + 10):
            taken.append(i)
            yield BatchJob(f"clip {i}", seconds=4)

    batch = batch_run(tmp_path)
    windows = batch.windows(prompts())
    first = next(windows)
    assert len(taken) == len(first) == WINDOW
    assert len((tmp_path / "m.jsonl").read_text().splitlines()) == WINDOW
    second = next(windows)
    assert [e.index for e in second] == list(range(WINDOW, WINDOW + 10))


def test_an_unexpected_error_is_that_jobs_error_result(tmp_path: Path) -> None:
    batch = batch_run(tmp_path)
    ((entry,),) = batch.windows(["a"])
    result = batch.failed(entry, httpx.DecodingError("bad gzip"))
    assert result.status == "error"
    assert result.error is not None
    assert "DecodingError" in str(result.error)
    assert isinstance(result.error.__cause__, httpx.DecodingError)
