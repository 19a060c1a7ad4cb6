"""``list`` auto-paging over many videos (100 per page) on an in-process mock transport: time
per item against the floor and ``openai``, and whether memory grows with the count."""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable

import httpx
import httpx2
import openai
from common import API_KEY, BASE_URL, JSON_HEADERS, FloorVideoList, Result, rounds, video_json

import sora_videos

FLOOR, SORA, OPENAI = "floor (httpx)", "sora_videos", "openai"
PAGE_SIZE = 100


def pages(count: int) -> dict[str | None, bytes]:
    """Every page's body, keyed by the ``after`` cursor that fetches it."""
    ids = [f"video_{index:06d}" for index in range(count)]
    bodies: dict[str | None, bytes] = {}
    for start in range(0, count, PAGE_SIZE):
        chunk = ids[start : start + PAGE_SIZE]
        body = {
            "object": "list",
            "data": [video_json(video_id) for video_id in chunk],
            "first_id": chunk[0],
            "last_id": chunk[-1],
            "has_more": start + PAGE_SIZE < count,
        }
        bodies[ids[start - 1] if start else None] = json.dumps(body).encode()
    return bodies


def _walkers(count: int) -> dict[str, Callable[[], int]]:
    bodies = pages(count)

    def answer(request: httpx.Request) -> httpx.Response:
        body = bodies[request.url.params.get("after")]
        return httpx.Response(200, content=body, headers=JSON_HEADERS)

    def answer2(request: httpx2.Request) -> httpx2.Response:
        body = bodies[request.url.params.get("after")]
        return httpx2.Response(200, content=body, headers=JSON_HEADERS)

    auth = {"Authorization": f"Bearer {API_KEY}"}
    floor = httpx.Client(transport=httpx.MockTransport(answer), base_url=BASE_URL, headers=auth)
    sora = sora_videos.Sora(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    )
    oai = openai.OpenAI(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx2.Client(transport=httpx2.MockTransport(answer2)),
    )

    def walk_floor() -> int:
        seen, after = 0, None
        while True:
            params: dict[str, str | int] = {"limit": PAGE_SIZE}
            if after is not None:
                params["after"] = after
            page = FloorVideoList.model_validate_json(floor.get("videos", params=params).content)
            for _video in page.data:
                seen += 1
            if not page.has_more or not page.data:
                return seen
            after = page.last_id or page.data[-1].id

    def walk_sora() -> int:
        return sum(1 for _video in sora.videos.list(limit=PAGE_SIZE))

    def walk_openai() -> int:
        return sum(1 for _video in oai.videos.list(limit=PAGE_SIZE))

    return {FLOOR: walk_floor, SORA: walk_sora, OPENAI: walk_openai}


def _timed(walk: Callable[[], int], count: int) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        seen = walk()
        elapsed = time.perf_counter() - start
        if seen != count:
            raise AssertionError(f"walked {seen} videos, not {count}")
        return elapsed

    return run


def run_time(count: int, repeats: int) -> Result:
    """Milliseconds to walk ``count`` videos, per variant."""
    walkers = _walkers(count)
    for walk in walkers.values():
        walk()  # warm up
    timed = {name: _timed(walk, count) for name, walk in walkers.items()}
    result = Result(f"list, {count:,} videos", "ms")
    return rounds(timed, repeats, result, scale=1e3)


def peak_bytes(walk: Callable[[], int]) -> int:
    """The most memory Python held at once (tracemalloc) while ``walk`` ran."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        walk()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_memory(counts: tuple[int, ...]) -> Result:
    """Peak traced KiB while walking each count of videos (flat means independent of it)."""
    result = Result("list, peak memory", "KiB")
    for count in counts:
        walkers = _walkers(count)
        for name, walk in walkers.items():
            walk()
            result.add(f"{name} @ {count:,}", peak_bytes(walk) / 1024)
    return result
