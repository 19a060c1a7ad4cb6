"""``poll`` of a job that completes on its N-th status check: how many requests each client
sends (N is the least possible), on a mock transport that counts them."""

from __future__ import annotations

import json

import httpx
import httpx2
import openai
from common import API_KEY, BASE_URL, VIDEO_ID, Result, video_json

import sora_videos

SORA, OPENAI = "sora_videos", "openai"


class Job:
    """Answers ``queued``/``in_progress`` until the N-th request, then ``completed``."""

    def __init__(self, polls: int) -> None:
        self.polls = polls
        self.requests = 0

    def answer(self, request: httpx.Request) -> httpx.Response:
        body, headers = self._next()
        return httpx.Response(200, content=body, headers=headers)

    def answer2(self, request: httpx2.Request) -> httpx2.Response:
        body, headers = self._next()
        return httpx2.Response(200, content=body, headers=headers)

    def _next(self) -> tuple[bytes, dict[str, str]]:
        self.requests += 1
        body = video_json()
        if self.requests < self.polls:
            body.update(status="in_progress", progress=self.requests, completed_at=None)
        headers = {"content-type": "application/json", "openai-poll-after-ms": "1"}
        return json.dumps(body).encode(), headers


def requests_made(variant: str, polls: int) -> int:
    """How many requests ``variant``'s poll sends for a job that needs ``polls`` checks."""
    job = Job(polls)
    if variant == SORA:
        transport = httpx.MockTransport(job.answer)
        with sora_videos.Sora(
            api_key=API_KEY, base_url=BASE_URL, http_client=httpx.Client(transport=transport)
        ) as sora:
            sora.videos.poll(VIDEO_ID)
    else:
        transport2 = httpx2.MockTransport(job.answer2)
        with openai.OpenAI(
            api_key=API_KEY, base_url=BASE_URL, http_client=httpx2.Client(transport=transport2)
        ) as oai:
            oai.videos.poll(VIDEO_ID)
    return job.requests


def run(counts: tuple[int, ...] = (1, 5, 20)) -> Result:
    """Requests sent per variant and N (the target is exactly N)."""
    result = Result("poll, requests for a job needing N checks", "requests")
    for polls in counts:
        for variant in (SORA, OPENAI):
            result.add(f"{variant}, N={polls}", requests_made(variant, polls))
    return result
