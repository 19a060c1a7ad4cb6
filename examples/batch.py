"""Make many videos at once; re-running resumes from the manifest and never pays twice."""

import os

from sora_videos import Sora
from sora_videos.emulator import Emulator, RealClock

if os.environ.get("OPENAI_API_KEY"):
    client = Sora()
else:  # an emulator that keeps its jobs beside the manifest, so a re-run finds them again
    os.makedirs("batch-out", exist_ok=True)
    emulator = Emulator(db_path="batch-out/emulator.sqlite3", clock=RealClock(speed=20))
    client = emulator.client()

prompts = [f"An origami crane, take {n}" for n in range(1, 7)] + ["A glitch [fail]"]

with client:
    results = client.videos.batch(
        prompts,
        concurrency=4,
        output_dir="batch-out",
        manifest="batch-out/manifest.jsonl",
        max_wait=600,
        on_result=lambda r: print(f"{r.status:9} {r.video_id} {r.job.prompt}"),
    )
    done = sum(r.status == "completed" for r in results)
    print(f"{done} of {len(results)} completed")
