"""Wait for a job you created earlier, by id, with a deadline; a failure is a typed error."""

import os

from sora_videos import PollTimeoutError, Sora, VideoFailedError
from sora_videos.emulator import Emulator, RealClock

client = (
    Sora() if os.environ.get("OPENAI_API_KEY") else Emulator(clock=RealClock(speed=20)).client()
)

with client:
    job = client.videos.create(prompt="A lighthouse at dusk", seconds=4)
    print("created", job.id)  # keep this id: it is all you need to resume later
    try:
        video = client.videos.poll(job.id, max_wait=120, on_progress=lambda v: print(v.progress))
        print("completed", video.id)
    except VideoFailedError as err:
        print("failed:", err.video.error)
    except PollTimeoutError as err:
        print("still running, poll again later:", err.video.id)
