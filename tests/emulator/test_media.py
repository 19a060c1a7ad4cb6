"""The media decode as what they claim to be (checked with ffprobe, when it is installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from sora_videos.emulator import ManualClock

from .conftest import make_video

FFPROBE = shutil.which("ffprobe")
needs_ffprobe = pytest.mark.skipif(
    FFPROBE is None, reason="ffprobe not installed (apt-get install ffmpeg)"
)


def ffprobe(path: Path) -> dict[str, object]:
    assert FFPROBE is not None
    command = [
        FFPROBE,
        "-v",
        "error",
        "-show_entries",
        "format=duration:stream=width,height,codec_name",
        "-of",
        "json",
        str(path),
    ]
    output = subprocess.run(command, capture_output=True, check=True, text=True).stdout
    found = json.loads(output)
    stream = found["streams"][0]
    return {
        "codec": stream["codec_name"],
        "size": f"{stream['width']}x{stream['height']}",
        "seconds": float(found["format"]["duration"]),
    }


@needs_ffprobe
@pytest.mark.parametrize(
    ("size", "seconds", "extend"),
    [
        ("720x1280", "4", None),
        ("1792x1024", "12", None),
        ("1280x720", "8", "8"),
        ("1024x1792", "4", "16"),
    ],
)
def test_videos_have_the_jobs_size_and_length(
    http: httpx.Client,
    clock: ManualClock,
    tmp_path: Path,
    size: str,
    seconds: str,
    extend: str | None,
) -> None:
    video = make_video(http, clock, size=size, seconds=seconds)
    if extend is not None:
        body = {"video": {"id": video["id"]}, "prompt": "more", "seconds": extend}
        video = http.post("/videos/extensions", json=body).json()
        clock.advance(3600)
    path = tmp_path / "v.mp4"
    path.write_bytes(http.get(f"/videos/{video['id']}/content").content)
    assert ffprobe(path) == {"codec": "h264", "size": size, "seconds": float(video["seconds"])}


@needs_ffprobe
def test_padded_video_still_decodes(
    http: httpx.Client, clock: ManualClock, tmp_path: Path, emu: object
) -> None:
    from sora_videos.emulator import Emulator

    assert isinstance(emu, Emulator)
    emu.video_size_override = 3_000_000
    video = make_video(http, clock)
    path = tmp_path / "big.mp4"
    path.write_bytes(http.get(f"/videos/{video['id']}/content").content)
    assert path.stat().st_size == 3_000_000
    assert ffprobe(path)["seconds"] == 4.0


@needs_ffprobe
@pytest.mark.parametrize(("variant", "codec"), [("thumbnail", "webp"), ("spritesheet", "mjpeg")])
def test_previews_are_images(
    http: httpx.Client, clock: ManualClock, tmp_path: Path, variant: str, codec: str
) -> None:
    video = make_video(http, clock)
    path = tmp_path / variant
    path.write_bytes(
        http.get(f"/videos/{video['id']}/content", params={"variant": variant}).content
    )
    assert FFPROBE is not None
    command = [
        FFPROBE,
        "-v",
        "error",
        "-show_entries",
        "stream=codec_name",
        "-of",
        "csv=p=0",
        str(path),
    ]
    assert (
        subprocess.run(command, capture_output=True, check=True, text=True).stdout.strip() == codec
    )


def test_package_data_stays_small() -> None:
    from sora_videos import emulator

    assets = Path(emulator.__file__).parent / "_assets"
    assert sum(p.stat().st_size for p in assets.iterdir()) < 1_000_000
