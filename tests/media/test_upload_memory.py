"""A 200 MB upload streams: the client's memory barely moves (measured in fresh processes).

The server is the emulator in another process, which spools large bodies to a temporary file
and reads the upload's MP4 header from a mapping of it, so neither side holds the file. A
control run that passes the same file as ``bytes`` shows the measurement does see a file held
whole.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sora_videos.emulator import Emulator, ManualClock

pytestmark = pytest.mark.slow  # memory: 200 MB uploads measured in fresh processes

SIZE = 200 * 1024 * 1024

SERVER = (
    "import sys; from sora_videos.emulator import run_server; "
    "run_server(port=int(sys.argv[1]), log_level='warning')"
)

CLIENT = textwrap.dedent(
    """
    import json, resource, sys
    import anyio
    from sora_videos import AsyncSora, Sora

    base_url, path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    video = open(path, "rb").read() if mode == "bytes" else path

    def peak_kib():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    if mode == "async":
        async def main():
            async with AsyncSora(api_key="k", base_url=base_url) as client:
                before = peak_kib()
                return before, await client.videos.edit(prompt="p", video=video)
        before, result = anyio.run(main)
    else:
        with Sora(api_key="k", base_url=base_url) as client:
            before = peak_kib() if mode != "bytes" else 0
            result = client.videos.edit(prompt="p", video=video)
    print(json.dumps({"growth_kib": peak_kib() - before, "seconds": result.seconds,
                      "size": result.size}))
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base_url}/videos", headers={"Authorization": "Bearer k"}, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base_url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def big_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 4-second 1280x720 MP4 padded to 200 MB (made by the in-process emulator)."""
    clock = ManualClock()
    path = tmp_path_factory.mktemp("upload") / "source.mp4"
    with Emulator(clock=clock, video_size_override=SIZE) as emu, emu.client() as sora:
        video = sora.videos.create(prompt="source", size="1280x720", seconds=4)
        clock.advance(600)
        sora.videos.download(video.id, path)
    assert path.stat().st_size == SIZE
    return path


def upload(base_url: str, path: Path, mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, base_url, str(path), mode],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_200_mb_upload_grows_neither_client_nor_server_by_more_than_a_few_mb(
    server: tuple[str, int], big_mp4: Path, mode: str
) -> None:
    base_url, server_pid = server
    server_before = peak_rss_kib(server_pid)
    figures = upload(base_url, big_mp4, mode)
    # The server read the upload's header: the new job has the source's size and length.
    assert (figures["size"], figures["seconds"]) == ("1280x720", "4")
    assert isinstance(figures["growth_kib"], int)
    assert figures["growth_kib"] < 8 * 1024
    assert peak_rss_kib(server_pid) - server_before < 32 * 1024


def test_the_measurement_sees_a_file_held_whole(server: tuple[str, int], big_mp4: Path) -> None:
    figures = upload(server[0], big_mp4, "bytes")
    assert isinstance(figures["growth_kib"], int)
    assert figures["growth_kib"] > SIZE // 1024
