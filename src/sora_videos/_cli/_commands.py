"""One function per subcommand that talks to the API: arguments in, results to ``Output``.

A job costs money once created, so every path is checked before a job is created, and any
failure (or Ctrl-C) after that says which command picks the job up again.
"""

from __future__ import annotations

import errno
import os
import re
import shlex
from argparse import Namespace
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .._client import Sora
from .._exceptions import VideoFailedError
from .._models import Video
from .._types import VideoInput, VideoVariant
from ._connect import Server
from ._errors import Resumable, describe
from ._output import Output, Saved
from ._progress import download_bar, job_bar

__all__ = [
    "Target",
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


@dataclass(frozen=True)
class Target:
    """Where ``--output`` saves: a file, or a folder (existing, or written ending in ``/``)
    that gets ``<id>.mp4``."""

    path: Path
    is_folder: bool

    @classmethod
    def parse(cls, value: str) -> Target:
        """The target named by an ``--output`` value."""
        folder = value.endswith(("/", os.sep)) or Path(value).is_dir()
        return cls(Path(value), folder)

    def prepare(self) -> Target:
        """Create the missing folders and check they can be written, before any job exists.

        Raises:
            OSError: A folder cannot be created (a file is in the way) or written.
        """
        folder = self.path if self.is_folder else self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as error:
            in_the_way = "Not a folder (a file is in the way)"
            raise NotADirectoryError(errno.ENOTDIR, in_the_way, str(folder)) from error
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "Permission denied", str(folder))
        return self

    def file_for(self, video_id: str, variant: VideoVariant = "video") -> Path:
        """The file a video's media goes to (an odd id cannot lead out of the folder)."""
        if not self.is_folder:
            return self.path
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", video_id).lstrip(".") or "video"
        return self.path / f"{stem}.{EXTENSIONS[variant]}"


def video_input(value: str) -> VideoInput:
    """A video id (``video_...``) as a reference, anything else as a file to upload."""
    if value.startswith("video_") and not Path(value).exists():
        return {"id": value}
    return Path(value)


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _command(args: Namespace, *words: str) -> str:
    """A ``sora-videos`` command line to run later, on the same server."""
    server = Server.choose(getattr(args, "emulator", False), getattr(args, "base_url", None))
    return shlex.join(["sora-videos", *words, *server.options()])


@contextmanager
def _carry_on(hint: str) -> Generator[None, None, None]:
    """Failures and Ctrl-C inside the block come with the command that carries on."""
    try:
        yield
    except VideoFailedError:
        raise  # the job ended: there is nothing to pick up
    except KeyboardInterrupt as stopped:
        raise Resumable(stopped, hint) from stopped
    except Exception as error:
        if describe(error) is None:
            raise  # a bug stays a bug
        raise Resumable(error, hint) from error


def _follow_hint(args: Namespace, video_id: str, target: Target | None) -> str:
    words = ["wait", video_id] + ([] if target is None else ["-o", str(target.file_for(video_id))])
    return f"the job goes on; follow it with: {_command(args, *words)}"


def _poll(client: Sora, out: Output, video_id: str) -> Video:
    with job_bar(out.stderr, video_id) as on_progress:
        return client.videos.poll(video_id, on_progress=on_progress)


def _save(
    client: Sora, out: Output, args: Namespace, video_id: str, variant: VideoVariant, path: Path
) -> Saved:
    words = ["download", video_id, "-o", str(path)]
    words += [] if variant == "video" else ["--variant", variant]
    with _carry_on(f"download it with: {_command(args, *words)}"):
        content = client.videos.download_content(video_id, variant=variant)
        try:
            with download_bar(out.stderr, path.name) as on_progress:
                written = content.write_to_file(path, on_progress=on_progress)
        except OSError as error:  # name the file asked for, not the temporary one beside it
            raise OSError(error.errno, error.strerror, str(path)) from error
    return written, written.stat().st_size


def _target(args: Namespace) -> Target | None:
    """The checked ``--output`` target, before the job is created."""
    output = _optional(args.output)
    return None if output is None else Target.parse(output).prepare()


def _finish(
    client: Sora, out: Output, args: Namespace, video: Video, target: Target | None
) -> None:
    """After a job-creating call: show it, or wait for it (and download it) first."""
    with _carry_on(_follow_hint(args, video.id, target)):  # the job exists from here on
        out.notice(f"Started {video.id} ({video.status})")
        if not (args.wait or target):
            out.video(video)
            return
        video = _poll(client, out, video.id)
    path = None if target is None else target.file_for(video.id)
    saved = None if path is None else _save(client, out, args, video.id, "video", path)
    out.video(video, saved)


def create(client: Sora, out: Output, args: Namespace) -> None:
    """``create PROMPT``: start a job (and with ``--wait`` / ``--output``, see it through)."""
    target = _target(args)
    reference = _optional(args.input_reference)
    video = client.videos.create(
        prompt=str(args.prompt),
        model=_optional(args.model),
        seconds=_optional(args.seconds),
        size=_optional(args.size),
        input_reference=None if reference is None else Path(reference),
    )
    _finish(client, out, args, video, target)


def remix(client: Sora, out: Output, args: Namespace) -> None:
    """``remix VIDEO_ID PROMPT``."""
    target = _target(args)
    video = client.videos.remix(str(args.video_id), prompt=str(args.prompt))
    _finish(client, out, args, video, target)


def edit(client: Sora, out: Output, args: Namespace) -> None:
    """``edit VIDEO PROMPT``: VIDEO is an id or an MP4 file."""
    target = _target(args)
    video = client.videos.edit(prompt=str(args.prompt), video=video_input(str(args.video)))
    _finish(client, out, args, video, target)


def extend(client: Sora, out: Output, args: Namespace) -> None:
    """``extend VIDEO PROMPT --seconds N``."""
    target = _target(args)
    video = client.videos.extend(
        prompt=str(args.prompt), seconds=str(args.seconds), video=video_input(str(args.video))
    )
    _finish(client, out, args, video, target)


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
    output = _optional(args.output)
    target = Target(Path(), True) if output is None else Target.parse(output).prepare()
    path = target.file_for(video_id, variant)
    out.saved(video_id, variant, _save(client, out, args, video_id, variant, path))


def wait(client: Sora, out: Output, args: Namespace) -> None:
    """``wait VIDEO_ID [--output PATH]``: follow a job to the end (and download it)."""
    target, video_id = _target(args), str(args.video_id)
    with _carry_on(_follow_hint(args, video_id, target)):
        video = _poll(client, out, video_id)
    path = None if target is None else target.file_for(video.id)
    saved = None if path is None else _save(client, out, args, video.id, "video", path)
    out.video(video, saved)


def character_create(client: Sora, out: Output, args: Namespace) -> None:
    """``characters create NAME VIDEO_FILE``."""
    character = client.videos.create_character(name=str(args.name), video=Path(args.video))
    out.character(character)


def character_get(client: Sora, out: Output, args: Namespace) -> None:
    """``characters get CHARACTER_ID``."""
    out.character(client.videos.get_character(str(args.character_id)))
