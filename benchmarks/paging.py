"""``list`` auto-paging over many videos (100 per page) on an in-process mock transport: time
against the floor and ``openai``, and whether memory grows with the count.

Memory is the most that is alive at once (tracemalloc, after a collection at every page):
httpx responses are reference cycles, so without a collection the peak also counts bodies
that are garbage but wait for the cyclic collector, whose pace depends on the whole heap.
"""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator

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


def walkers(count: int) -> dict[str, Callable[[], Iterable[object]]]:
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

    def walk_floor() -> Iterator[object]:
        after = None
        while True:
            params: dict[str, str | int] = {"limit": PAGE_SIZE}
            if after is not None:
                params["after"] = after
            page = FloorVideoList.model_validate_json(floor.get("videos", params=params).content)
            yield from page.data
            if not page.has_more or not page.data:
                return
            after = page.last_id or page.data[-1].id

    return {
        FLOOR: walk_floor,
        SORA: lambda: sora.videos.list(limit=PAGE_SIZE),
        OPENAI: lambda: oai.videos.list(limit=PAGE_SIZE),
    }


def _timed(walk: Callable[[], Iterable[object]], count: int) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        seen = 0
        for _video in walk():
            seen += 1
        elapsed = time.perf_counter() - start
        if seen != count:
            raise AssertionError(f"walked {seen} videos, not {count}")
        return elapsed

    return run


def run_time(count: int, repeats: int) -> Result:
    """Milliseconds to walk ``count`` videos, per variant."""
    variants = walkers(count)
    for walk in variants.values():
        _timed(walk, count)()  # warm up
    timed = {name: _timed(walk, count) for name, walk in variants.items()}
    result = Result(f"list, {count:,} videos", "ms")
    return rounds(timed, repeats, result, scale=1e3)


def live_bytes(walk: Callable[[], Iterable[object]]) -> int:
    """The most memory alive at a page boundary (tracemalloc, after a collection)."""
    for _video in walk():  # warm up caches, so that only what the walk keeps is counted
        pass
    gc.collect()
    tracemalloc.start()
    try:
        most = 0
        for seen, _video in enumerate(walk()):
            if seen % PAGE_SIZE == 0:
                gc.collect()
                most = max(most, tracemalloc.get_traced_memory()[0])
        return most
    finally:
        tracemalloc.stop()


def run_memory(counts: tuple[int, ...]) -> Result:
    """Most KiB alive while walking each count of videos (flat means independent of it)."""
    result = Result("list, most memory alive", "KiB")
    for count in counts:
        for name, walk in walkers(count).items():
            result.add(f"{name} @ {count:,}", live_bytes(walk) / 1024)
    return result
