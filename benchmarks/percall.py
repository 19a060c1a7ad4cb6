"""Per-call overhead of ``retrieve``: the SDK, the hand-written floor (httpx and httpx2) and
``openai``, each on an in-process mock transport answering the same bytes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import httpx2
import openai
from common import (
    API_KEY,
    BASE_URL,
    JSON_HEADERS,
    VIDEO_BODY,
    VIDEO_ID,
    FloorVideo,
    Result,
    per_call,
    rounds,
)

import sora_videos

FLOOR, FLOOR2, SORA, OPENAI = "floor (httpx)", "floor (httpx2)", "sora_videos", "openai"


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=VIDEO_BODY, headers=JSON_HEADERS)


def _answer2(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, content=VIDEO_BODY, headers=JSON_HEADERS)


def _floor_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEY}"}


def sync_calls() -> dict[str, Callable[[], object]]:
    """One ``retrieve`` per variant, as a zero-argument callable."""
    floor = httpx.Client(
        transport=httpx.MockTransport(_answer), base_url=BASE_URL, headers=_floor_headers()
    )
    floor2 = httpx2.Client(
        transport=httpx2.MockTransport(_answer2), base_url=BASE_URL, headers=_floor_headers()
    )
    sora = sora_videos.Sora(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx.Client(transport=httpx.MockTransport(_answer)),
    )
    oai = openai.OpenAI(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx2.Client(transport=httpx2.MockTransport(_answer2)),
    )
    path = f"videos/{VIDEO_ID}"
    return {
        FLOOR: lambda: FloorVideo.model_validate_json(floor.get(path).content),
        FLOOR2: lambda: FloorVideo.model_validate_json(floor2.get(path).content),
        SORA: lambda: sora.videos.retrieve(VIDEO_ID),
        OPENAI: lambda: oai.videos.retrieve(VIDEO_ID),
    }


def async_calls() -> dict[str, Callable[[], Awaitable[Any]]]:
    """The async twins of ``sync_calls`` (to be built inside a running loop)."""
    floor = httpx.AsyncClient(
        transport=httpx.MockTransport(_answer), base_url=BASE_URL, headers=_floor_headers()
    )
    floor2 = httpx2.AsyncClient(
        transport=httpx2.MockTransport(_answer2), base_url=BASE_URL, headers=_floor_headers()
    )
    sora = sora_videos.AsyncSora(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(_answer)),
    )
    oai = openai.AsyncOpenAI(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(_answer2)),
    )
    path = f"videos/{VIDEO_ID}"

    async def floor_call() -> FloorVideo:
        return FloorVideo.model_validate_json((await floor.get(path)).content)

    async def floor2_call() -> FloorVideo:
        return FloorVideo.model_validate_json((await floor2.get(path)).content)

    return {
        FLOOR: floor_call,
        FLOOR2: floor2_call,
        SORA: lambda: sora.videos.retrieve(VIDEO_ID),
        OPENAI: lambda: oai.videos.retrieve(VIDEO_ID),
    }


def run_sync(calls: int, repeats: int) -> Result:
    """Microseconds per sync ``retrieve``."""
    variants = sync_calls()
    for call in variants.values():
        per_call(call, calls // 10 + 1)  # warm up caches, lazy imports, pools
    timed = {name: (lambda c=call: per_call(c, calls)) for name, call in variants.items()}
    return rounds(timed, repeats, Result("retrieve, sync", "µs/call"), scale=1e6)


async def _per_call_async(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - start) / calls


def run_async(calls: int, repeats: int) -> Result:
    """Microseconds per async ``retrieve`` (asyncio)."""

    async def main() -> Result:
        variants = async_calls()
        for call in variants.values():
            await _per_call_async(call, calls // 10 + 1)
        result = Result("retrieve, async", "µs/call")
        names = list(variants)
        for index in range(repeats):
            for name in names[index % len(names) :] + names[: index % len(names)]:
                result.add(name, await _per_call_async(variants[name], calls) * 1e6)
        return result

    return asyncio.run(main())
