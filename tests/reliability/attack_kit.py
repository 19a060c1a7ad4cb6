"""What the attack tests share: clients on the hostile server, media answers, a tiny honest API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest

from sora_videos import AsyncSora, Sora

from .hostile import Answer, HostileServer, Request, json_answer, video_json

__all__ = ["KEY", "MP4", "MiniAPI", "async_sora", "media", "ranged", "sora", "xfail"]

KEY = "sk-proj-ATTACK-7c1d2e3f4a5b9d"
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


def xfail(item: int, reason: str) -> pytest.MarkDecorator:
    """Marks a test of a hole still open: it must fail today, and pass once fixed."""
    return pytest.mark.xfail(strict=True, reason=f"issue 11 #{item}: {reason}")


def sora(server: HostileServer, **settings: Any) -> Sora:
    """A sync client of ``server``, with no retries unless asked."""
    return Sora(**{"api_key": KEY, "base_url": server.base_url, "max_retries": 0, **settings})


def async_sora(server: HostileServer, **settings: Any) -> AsyncSora:
    """An async client of ``server``, with no retries unless asked."""
    return AsyncSora(**{"api_key": KEY, "base_url": server.base_url, "max_retries": 0, **settings})


def media(body: bytes = MP4, *, content_type: str = "video/mp4", **more: Any) -> Answer:
    """A media answer."""
    return Answer(200, [("Content-Type", content_type)], body, **more)


def ranged(
    versions: list[tuple[bytes, str | None]], cut_at: float | None = None
) -> Callable[[Request], Answer]:
    """Serves media honouring ``Range``: the n-th request gets ``versions[n]`` (the last one
    repeats), with its ``ETag``; ``cut_at`` cuts every answer at that fraction of the file."""
    served: list[int] = []

    def answer(request: Request) -> Answer:
        body, etag = versions[min(len(served), len(versions) - 1)]
        served.append(1)
        headers = [("Content-Type", "video/mp4")] + ([("ETag", etag)] if etag else [])
        start = int((request.header("range") or "bytes=0-")[6:].rstrip("-"))
        cut = None if cut_at is None else max(int(len(body) * cut_at) - start, 1)
        if start == 0:
            return Answer(200, headers, body, cut_after=cut)
        headers.append(("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}"))
        return Answer(206, headers, body[start:], cut_after=cut)

    return answer


class MiniAPI:
    """An honest API for batches: creates honour ``Idempotency-Key``, every job is completed
    at once, each video's media is ``b"mp4:" + id``. ``ids`` picks the id of a prompt's job;
    ``hooks`` lets a test look at (or answer) a request first."""

    def __init__(self, ids: Callable[[str], str | None] = lambda prompt: None) -> None:
        self.jobs: dict[str, str] = {}
        """Idempotency key -> video id: one entry per paid job."""
        self.keys: list[str] = []
        """The key of every create received, in order."""
        self.ids = ids
        self.hooks: list[Callable[[Request], Answer | None]] = []

    def __call__(self, request: Request) -> Answer:
        for hook in self.hooks:
            answer = hook(request)
            if answer is not None:
                return answer
        parts = request.path.split("/")[3:]  # after /v1/videos
        if request.method == "POST" and not parts:
            return self.create(request)
        if not parts:  # a listing: every job, newest first, on one page
            jobs = [video_json(video_id) for video_id in reversed(self.jobs.values())]
            return json_answer({"object": "list", "data": jobs, "has_more": False})
        if parts and parts[-1] == "content":
            return media(b"mp4:" + unquote(parts[0]).encode())
        return json_answer(video_json(unquote(parts[0])))

    def create(self, request: Request) -> Answer:
        """A create: the job of this key, made on first sight."""
        key = request.header("idempotency-key") or ""
        self.keys.append(key)
        prompt = json.loads(request.body)["prompt"]
        if key not in self.jobs:
            chosen = self.ids(prompt)
            self.jobs[key] = f"video_{len(self.jobs) + 1}" if chosen is None else chosen
        return json_answer(video_json(self.jobs[key], "queued", prompt=prompt))
