"""Serve the emulator over loopback from its own process, with one completed job.

    python benchmarks/server.py [--video-size BYTES]

Prints ``<base_url> <video_id>`` on one line once listening, and serves until its standard
input closes, so the benchmark that started it controls its life.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from subprocess import PIPE, Popen

from sora_videos.emulator import Emulator, ManualClock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--video-size", type=int, default=None)
    size = parser.parse_args().video_size
    clock = ManualClock()
    with Emulator(clock=clock, video_size_override=size) as emulator:
        with emulator.client() as sora:
            video = sora.videos.create(prompt="a benchmark", seconds=4)
        clock.advance(60)  # completed; its media stays downloadable for an hour of this clock
        with emulator.serve() as base_url:
            print(base_url, video.id, flush=True)
            sys.stdin.read()


@contextlib.contextmanager
def served(video_size: int | None = None) -> Iterator[tuple[str, str]]:
    """Run this script in a subprocess while the block runs; yields ``(base_url, video_id)``."""
    command = [sys.executable, __file__]
    if video_size is not None:
        command += ["--video-size", str(video_size)]
    with Popen(command, stdin=PIPE, stdout=PIPE, text=True) as process:
        stdin, stdout = process.stdin, process.stdout
        if stdin is None or stdout is None:
            raise RuntimeError("the server's pipes are missing")
        try:
            base_url, video_id = stdout.readline().split()
            yield base_url, video_id
        finally:
            stdin.close()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
