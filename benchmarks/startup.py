"""The whole-process cost of importing a client library and building a client: wall time
of a fresh interpreter, and its peak RSS as the process itself sees it at the end
(``VmHWM``; ``ru_maxrss`` would count pages shared with the parent at ``fork``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from common import Result

BARE = "python (nothing)"
FLOOR, SORA, OPENAI = "floor (httpx + pydantic)", "sora_videos", "openai"

PROGRAMS = {
    BARE: "pass",
    FLOOR: (
        "import httpx, pydantic\n"
        "class Video(pydantic.BaseModel):\n"
        "    id: str\n"
        "    status: str\n"
        "httpx.Client()\n"
    ),
    SORA: "import sora_videos\nsora_videos.Sora(api_key='sk-bench')\n",
    OPENAI: "import openai\nopenai.OpenAI(api_key='sk-bench')\n",
}


PEAK = "\nprint(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n"


def measure(program: str) -> tuple[float, int]:
    """Wall seconds and peak RSS bytes of ``python -c program``, interpreter start included."""
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("OPENAI_API_KEY", None)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", program + PEAK],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    return elapsed, int(done.stdout.split()[-1]) * 1024


def run(repeats: int) -> tuple[Result, Result]:
    """Milliseconds and MiB per variant, each process started ``repeats`` times, in rotation."""
    wall = Result("import + client, wall", "ms")
    memory = Result("import + client, peak RSS", "MiB")
    for name in PROGRAMS:  # warm the file cache and bytecode caches
        measure(PROGRAMS[name])
    names = list(PROGRAMS)
    for index in range(repeats):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            seconds, peak = measure(PROGRAMS[name])
            wall.add(name, seconds * 1e3)
            memory.add(name, peak / 2**20)
    return wall, memory
