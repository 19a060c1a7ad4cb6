"""1,000 concurrent async ``retrieve`` calls against the emulator served on loopback from
another process: throughput, and any error (pool exhaustion included) with retries off so
that none is hidden.

Each round starts from a fresh client (a cold pool: every call may need a new connection).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import httpx2
import openai
from common import API_KEY, FloorVideo, Result

import sora_videos

FLOOR, SORA, OPENAI = "floor (httpx)", "sora_videos", "openai"
LIMITS = {"max_connections": 1000, "max_keepalive_connections": 100}


class Batch:
    """One client of one variant: a ``retrieve`` coroutine maker and a way to close it."""

    def __init__(self, variant: str, base_url: str) -> None:
        auth = {"Authorization": f"Bearer {API_KEY}"}
        self.close: Callable[[], Awaitable[None]]
        self.call: Callable[[str], Awaitable[Any]]
        if variant == FLOOR:
            limits = httpx.Limits(**LIMITS)
            floor = httpx.AsyncClient(base_url=base_url, headers=auth, limits=limits)

            async def get(video_id: str) -> FloorVideo:
                response = await floor.get(f"videos/{video_id}")
                response.raise_for_status()
                return FloorVideo.model_validate_json(response.content)

            self.call, self.close = get, floor.aclose
        elif variant == SORA:
            sora = sora_videos.AsyncSora(api_key=API_KEY, base_url=base_url, max_retries=0)
            self.call, self.close = sora.videos.retrieve, sora.close
        else:
            limits2 = httpx2.Limits(**LIMITS)
            http2 = httpx2.AsyncClient(base_url=base_url, limits=limits2)
            oai = openai.AsyncOpenAI(
                api_key=API_KEY, base_url=base_url, max_retries=0, http_client=http2
            )
            self.call, self.close = oai.videos.retrieve, oai.close


async def _round(variant: str, base_url: str, video_id: str, calls: int) -> tuple[float, int]:
    batch = Batch(variant, base_url)
    try:
        start = time.perf_counter()
        outcomes = await asyncio.gather(
            *(batch.call(video_id) for _ in range(calls)), return_exceptions=True
        )
        elapsed = time.perf_counter() - start
    finally:
        await batch.close()
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    return elapsed, len(errors)


def run(calls: int, repeats: int) -> tuple[Result, Result]:
    """Calls per second and errors per round, for each variant, in rotation."""
    from server import served

    speed = Result(f"{calls:,} concurrent retrieves, throughput", "calls/s")
    failures = Result(f"{calls:,} concurrent retrieves, errors", "errors")
    variants = [FLOOR, SORA, OPENAI]
    with served() as (base_url, video_id):
        for index in range(repeats):
            for variant in variants[index % 3 :] + variants[: index % 3]:
                elapsed, errors = asyncio.run(_round(variant, base_url, video_id, calls))
                speed.add(variant, calls / elapsed)
                failures.add(variant, errors)
    return speed, failures
