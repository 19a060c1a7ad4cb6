"""Downloading a large video to a file from an emulator in another process: the client's
peak memory growth (``VmHWM`` after minus ``VmRSS`` before) and its throughput.

Each download runs in a fresh client process (this script with ``--child``), so that one
variant's memory cannot hide in another's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import API_KEY, Result, proc_status, reset_peak_rss

FLOOR = "floor (httpx iter_bytes)"
FLOOR_FSYNC = "floor (httpx iter_bytes, then fsync)"
FLOOR_ASYNC = "floor (httpx async aiter_bytes)"
SORA = "sora_videos download()"
SORA_CONTENT = "sora_videos write_to_file()"
SORA_ASYNC = "sora_videos async download()"
OPENAI = "openai write_to_file()"
VARIANTS = (FLOOR, FLOOR_FSYNC, FLOOR_ASYNC, SORA, SORA_CONTENT, SORA_ASYNC, OPENAI)


def _download(variant: str, base_url: str, video_id: str, path: Path) -> Callable[[], object]:
    """A zero-argument callable that downloads the video to ``path`` the variant's way."""
    if variant in (FLOOR, FLOOR_FSYNC):
        import httpx

        client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"})

        def floor() -> None:
            with (
                client.stream("GET", f"videos/{video_id}/content") as response,
                path.open("wb") as file,
            ):
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    file.write(chunk)
                if variant == FLOOR_FSYNC:  # on disk, as the SDK leaves every saved file
                    file.flush()
                    os.fsync(file.fileno())

        return floor
    if variant == FLOOR_ASYNC:
        import httpx

        async def floor_async() -> None:
            auth = {"Authorization": f"Bearer {API_KEY}"}
            async with httpx.AsyncClient(base_url=base_url, headers=auth) as client:
                url = f"videos/{video_id}/content"
                async with client.stream("GET", url) as response:
                    response.raise_for_status()
                    with path.open("wb") as file:  # blocking writes, as most people write it
                        async for chunk in response.aiter_bytes():
                            file.write(chunk)

        return lambda: asyncio.run(floor_async())
    if variant == OPENAI:
        import openai

        oai = openai.OpenAI(api_key=API_KEY, base_url=base_url)
        return lambda: oai.videos.download_content(video_id).write_to_file(path)
    import sora_videos

    if variant == SORA_ASYNC:
        client = sora_videos.AsyncSora(api_key=API_KEY, base_url=base_url)
        return lambda: asyncio.run(client.videos.download(video_id, path))
    sora = sora_videos.Sora(api_key=API_KEY, base_url=base_url)
    if variant == SORA_CONTENT:
        return lambda: sora.videos.download_content(video_id).write_to_file(path)
    return lambda: sora.videos.download(video_id, path)


def child(variant: str, base_url: str, video_id: str, size: int) -> None:
    """Download once in this process; print seconds and peak memory growth as JSON."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "video.mp4"
        download = _download(variant, base_url, video_id, path)
        reset_peak_rss()
        before = proc_status("VmRSS")
        start = time.perf_counter()
        download()
        seconds = time.perf_counter() - start
        growth = proc_status("VmHWM") - before
        if path.stat().st_size != size:
            raise AssertionError(f"{variant}: {path.stat().st_size} bytes, not {size}")
    print(json.dumps({"seconds": seconds, "growth": growth}))


def run(size: int, repeats: int, variants: tuple[str, ...] = VARIANTS) -> tuple[Result, Result]:
    """Throughput (MiB/s) and peak growth (MiB) per variant, ``repeats`` downloads each."""
    from server import served

    mib = size / 2**20
    speed = Result(f"download {mib:,.0f} MiB, throughput", "MiB/s")
    memory = Result(f"download {mib:,.0f} MiB, client memory growth", "MiB")
    with served(size) as (base_url, video_id):
        for index in range(repeats):
            for variant in variants[index % len(variants) :] + variants[: index % len(variants)]:
                command = [sys.executable, __file__, "--child", variant, base_url, video_id]
                output = subprocess.run(
                    [*command, str(size)], check=True, capture_output=True, text=True
                ).stdout
                measured = json.loads(output.splitlines()[-1])
                speed.add(variant, mib / measured["seconds"])
                memory.add(variant, measured["growth"] / 2**20)
    return speed, memory


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=4, metavar=("VARIANT", "BASE_URL", "VIDEO_ID", "SIZE"))
    arguments = parser.parse_args()
    variant_name, url, identifier, total = arguments.child
    os.environ.pop("OPENAI_API_KEY", None)
    child(variant_name, url, identifier, int(total))
