"""Downloads: one call to a file (resumes after a cut), or stream the bytes yourself."""

import os

from sora_videos import Sora
from sora_videos.emulator import Emulator, RealClock

client = (
    Sora() if os.environ.get("OPENAI_API_KEY") else Emulator(clock=RealClock(speed=20)).client()
)

with client:
    video = client.videos.create_and_poll(prompt="Waves on a pebble beach", seconds=4)

    path = client.videos.download(
        video.id, "waves.mp4", on_progress=lambda done, total: print(f"{done}/{total} bytes")
    )
    print("saved", path)

    paths = client.videos.download_all(video.id, "waves-assets")  # video, thumbnail, spritesheet
    print({variant: str(p) for variant, p in paths.items()})

    with client.videos.download_content(video.id, variant="thumbnail") as content:
        print(content.content_type, content.content_length)
        size = sum(len(chunk) for chunk in content.iter_bytes())
        print("streamed", size, "bytes")
