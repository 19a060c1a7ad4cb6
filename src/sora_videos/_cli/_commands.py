"""One function per subcommand that talks to the API: arguments in, results to ``Output``."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from .._client import Sora
from .._models import Video
from .._types import VideoInput, VideoVariant
from ._output import Output, Saved
from ._progress import download_bar, job_bar

__all__ = [
    "character_create",
    "character_get",
    "create",
    "delete",
    "download",
    "edit",
    "extend",
    "get",
    "list_videos",
    "remix",
    "wait",
]

EXTENSIONS = {"video": "mp4", "thumbnail": "webp", "spritesheet": "jpg"}


def video_input(value: str) -> VideoInput:
    """A video id (``video_...``) as a reference, anything else as a file to upload."""
    if value.startswith("video_") and not Path(value).exists():
        return {"id": value}
    return Path(value)


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _poll(client: Sora, out: Output, video_id: str) -> Video:
    with job_bar(out.stderr, video_id) as on_progress:
        return client.videos.poll(video_id, on_progress=on_progress)


def _save(client: Sora, out: Output, video_id: str, variant: VideoVariant, path: Path) -> Saved:
    content = client.videos.download_content(video_id, variant=variant)
    with download_bar(out.stderr, f"{path.name}") as on_progress:
        written = content.write_to_file(path, on_progress=on_progress)
    return written, written.stat().st_size


def _finish(client: Sora, out: Output, video: Video, args: Namespace) -> None:
    """After a job-creating call: show it, or wait for it (and download it) first."""
    out.notice(f"Started {video.id} ({video.status})")
    output = _optional(args.output)
    if not (args.wait or output):
        out.video(video)
        return
    video = _poll(client, out, video.id)
    saved = None if output is None else _save(client, out, video.id, "video", Path(output))
    out.video(video, saved)


def create(client: Sora, out: Output, args: Namespace) -> None:
    """``create PROMPT``: start a job (and with ``--wait`` / ``--output``, see it through)."""
    reference = _optional(args.input_reference)
    video = client.videos.create(
        prompt=str(args.prompt),
        model=_optional(args.model),
        seconds=_optional(args.seconds),
        size=_optional(args.size),
        input_reference=None if reference is None else Path(reference),
    )
    _finish(client, out, video, args)


def remix(client: Sora, out: Output, args: Namespace) -> None:
    """``remix VIDEO_ID PROMPT``."""
    video = client.videos.remix(str(args.video_id), prompt=str(args.prompt))
    _finish(client, out, video, args)


def edit(client: Sora, out: Output, args: Namespace) -> None:
    """``edit VIDEO PROMPT``: VIDEO is an id or an MP4 file."""
    video = client.videos.edit(prompt=str(args.prompt), video=video_input(str(args.video)))
    _finish(client, out, video, args)


def extend(client: Sora, out: Output, args: Namespace) -> None:
    """``extend VIDEO PROMPT --seconds N``."""
    video = client.videos.extend(
        prompt=str(args.prompt), seconds=str(args.seconds), video=video_input(str(args.video))
    )
    _finish(client, out, video, args)


def list_videos(client: Sora, out: Output, args: Namespace) -> None:
    """``list``: one page of videos, newest first."""
    page = client.videos.list(
        after=_optional(args.after), limit=args.limit, order=_optional(args.order)
    )
    out.videos(page.data, has_more=page.has_more, last_id=page.last_id)


def get(client: Sora, out: Output, args: Namespace) -> None:
    """``get VIDEO_ID``."""
    out.video(client.videos.retrieve(str(args.video_id)))


def delete(client: Sora, out: Output, args: Namespace) -> None:
    """``delete VIDEO_ID``."""
    out.deleted(client.videos.delete(str(args.video_id)))


def download(client: Sora, out: Output, args: Namespace) -> None:
    """``download VIDEO_ID [--output PATH] [--variant ...]``."""
    video_id, variant = str(args.video_id), args.variant
    path = Path(_optional(args.output) or f"{video_id}.{EXTENSIONS[variant]}")
    out.saved(video_id, variant, _save(client, out, video_id, variant, path))


def wait(client: Sora, out: Output, args: Namespace) -> None:
    """``wait VIDEO_ID [--output PATH]``: follow a job to the end (and download it)."""
    video = _poll(client, out, str(args.video_id))
    output = _optional(args.output)
    saved = None if output is None else _save(client, out, video.id, "video", Path(output))
    out.video(video, saved)


def character_create(client: Sora, out: Output, args: Namespace) -> None:
    """``characters create NAME VIDEO_FILE``."""
    character = client.videos.create_character(name=str(args.name), video=Path(args.video))
    out.character(character)


def character_get(client: Sora, out: Output, args: Namespace) -> None:
    """``characters get CHARACTER_ID``."""
    out.character(client.videos.get_character(str(args.character_id)))
