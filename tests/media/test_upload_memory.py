"""A 200 MB upload streams: the client's memory barely moves (measured in fresh processes).

The server is a separate process that spools each request body to disk in 1 MiB pieces, so
only the client's own buffering is measured. A control run that passes the same file as
``bytes`` shows the measurement does see a file held whole.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

SIZE = 200 * 1024 * 1024

SPOOLING_SERVER = textwrap.dedent(
    """
    import json, sys, tempfile, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Spool(BaseHTTPRequestHandler):
        def do_POST(self):
            remaining = int(self.headers["Content-Length"])
            received = 0
            with tempfile.TemporaryFile() as spool:
                while remaining:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    spool.write(chunk)
                    remaining -= len(chunk)
                    received += len(chunk)
            body = json.dumps({"id": "video_up", "object": "video", "status": "queued",
                               "prompt": str(received)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Spool)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """
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
                result = await client.videos.edit(prompt="p", video=video)
                return before, result
        before, result = anyio.run(main)
    else:
        with Sora(api_key="k", base_url=base_url) as client:
            client.videos.retrieve  # warm the import paths
            before = peak_kib() if mode != "bytes" else 0
            result = client.videos.edit(prompt="p", video=video)
    print(json.dumps({"growth_kib": peak_kib() - before, "received": int(result.prompt)}))
    """
)


@pytest.fixture(scope="module")
def spooling_server() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SPOOLING_SERVER], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upload") / "source.mp4"
    with path.open("wb") as file:
        file.truncate(SIZE)
    return path


def upload(base_url: str, path: Path, mode: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, base_url, str(path), mode],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_200_mb_upload_grows_the_client_by_a_few_mb_at_most(
    spooling_server: str, big_file: Path, mode: str
) -> None:
    figures = upload(spooling_server, big_file, mode)
    assert figures["received"] > SIZE  # the whole file (plus multipart framing) arrived
    assert figures["growth_kib"] < 8 * 1024


def test_the_measurement_sees_a_file_held_whole(spooling_server: str, big_file: Path) -> None:
    figures = upload(spooling_server, big_file, "bytes")
    assert figures["growth_kib"] > SIZE // 1024
