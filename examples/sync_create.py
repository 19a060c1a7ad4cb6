"""Create a video, wait for it, and save it: the whole job in a few lines.

Runs on the built-in emulator unless OPENAI_API_KEY is set (then OPENAI_BASE_URL or the
default server is used).
"""

import os

from sora_videos import Sora
from sora_videos.emulator import Emulator, RealClock

client = (
    Sora() if os.environ.get("OPENAI_API_KEY") else Emulator(clock=RealClock(speed=20)).client()
)

with client:
    video = client.videos.create_and_poll(
        prompt="A calico cat playing a piano on stage",
        seconds=4,
        size="1280x720",
        on_progress=lambda v: print(f"{v.status} {v.progress}%"),
    )
    path = client.videos.download(video.id, "cat.mp4")
    print(f"saved {path} ({path.stat().st_size} bytes)")
