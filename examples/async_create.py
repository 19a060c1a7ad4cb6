"""The same job from async code: await it, and run several at once."""

import os

import anyio

from sora_videos import AsyncSora
from sora_videos.emulator import Emulator, RealClock


async def main() -> None:
    if os.environ.get("OPENAI_API_KEY"):
        client = AsyncSora()
    else:
        client = Emulator(clock=RealClock(speed=20)).async_client()
    async with client:
        prompts = ["A red kite over the sea", "A paper boat in the rain"]
        async with anyio.create_task_group() as group:
            for prompt in prompts:
                group.start_soon(make_one, client, prompt)


async def make_one(client: AsyncSora, prompt: str) -> None:
    video = await client.videos.create_and_poll(prompt=prompt, seconds=4)
    path = await client.videos.download(video.id, f"{video.id}.mp4")
    print(f"{prompt!r} -> {path}")


anyio.run(main)
