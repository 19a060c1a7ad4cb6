"""List videos: iterate and every page is fetched as needed; or walk page by page."""

import os

from sora_videos import Sora
from sora_videos.emulator import Emulator, ManualClock

if os.environ.get("OPENAI_API_KEY"):
    client = Sora()
else:  # an emulator with a few jobs in it
    client = Emulator(clock=ManualClock()).client()
    for i in range(7):
        client.videos.create(prompt=f"clip {i}")

with client:
    for video in client.videos.list(limit=3):  # 3 per request, every video
        print(video.id, video.status, video.prompt)

    page = client.videos.list(limit=3, order="asc")
    for number, current in enumerate(page.iter_pages(), start=1):
        print(f"page {number}: {[v.id for v in current.data]}")
