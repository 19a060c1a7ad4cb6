"""The command line's grammar (argparse): every subcommand, its arguments and its help."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Protocol

from .._version import __version__
from . import _commands as commands

__all__ = ["build_parser"]

# The emulator's dialects (sora_videos.emulator.DIALECTS), written out so that building the
# parser does not import the emulator; a test keeps the two in step.
EMULATOR_DIALECTS = ("openai", "azure", "litellm", "vllm-omni", "sglang", "tensorrt-llm")


class Subcommands(Protocol):
    """What this module uses of ``add_subparsers()``'s result."""

    def add_parser(
        self, name: str, *, parents: Sequence[argparse.ArgumentParser] = ..., help: str | None = ...
    ) -> argparse.ArgumentParser: ...


EPILOG = (
    "Server: --base-url or OPENAI_BASE_URL (default https://api.openai.com/v1), key in "
    "OPENAI_API_KEY. --emulator (or SORA_VIDEOS_EMULATOR=1) uses the local emulator instead: "
    "no key, no network, state in $XDG_CACHE_HOME/sora-videos/emulator.sqlite3."
)


def _common(*, servers: bool = True) -> argparse.ArgumentParser:
    # SUPPRESS: options given before the subcommand are not reset by the subcommand's parser.
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("common options")
    group.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON on stdout"
    )
    if not servers:
        return parent
    group.add_argument(
        "--base-url", default=argparse.SUPPRESS, metavar="URL", help="the API server's URL"
    )
    group.add_argument(
        "--server",
        default=argparse.SUPPRESS,
        metavar="NAME",
        help="the kind of server: openai, azure, litellm, vllm-omni, sglang, tensorrt-llm "
        "(default SORA_VIDEOS_SERVER, else openai)",
    )
    group.add_argument(
        "--azure-endpoint",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="Azure: the resource's URL (default AZURE_OPENAI_ENDPOINT; key in "
        "AZURE_OPENAI_API_KEY); implies --server azure",
    )
    group.add_argument(
        "--emulator",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the local emulator (no key, no network)",
    )
    return parent


def _job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true", help="follow the job until it completes")
    parser.add_argument(
        "--output", "-o", metavar="PATH", help="download the MP4 here once done (implies --wait)"
    )


def _video_commands(sub: Subcommands) -> None:
    common = [_common()]
    create = sub.add_parser("create", parents=common, help="start a video job")
    create.add_argument("prompt", help="what the video shows")
    create.add_argument("--seconds", help="length: 4, 8 or 12")
    create.add_argument("--size", help="WIDTHxHEIGHT, e.g. 720x1280 or 1280x720")
    create.add_argument("--model", help="e.g. sora-2 or sora-2-pro")
    create.add_argument("--input-reference", metavar="IMAGE", help="an image to start from")
    _job_options(create)
    create.set_defaults(command=commands.create)

    remix = sub.add_parser("remix", parents=common, help="remix a completed video")
    remix.add_argument("video_id")
    remix.add_argument("prompt", help="how the remix differs")
    _job_options(remix)
    remix.set_defaults(command=commands.remix)

    edit = sub.add_parser("edit", parents=common, help="edit a video (an id or an MP4 file)")
    edit.add_argument("video", help="a video id (video_...) or an MP4 file to upload")
    edit.add_argument("prompt", help="how to edit it")
    _job_options(edit)
    edit.set_defaults(command=commands.edit)

    extend = sub.add_parser("extend", parents=common, help="continue a video")
    extend.add_argument("video", help="a video id (video_...) or an MP4 file to upload")
    extend.add_argument("prompt", help="what happens next")
    extend.add_argument("--seconds", default="4", help="length of the new part (default 4)")
    _job_options(extend)
    extend.set_defaults(command=commands.extend)


def _query_commands(sub: Subcommands) -> None:
    common = [_common()]
    listing = sub.add_parser("list", parents=common, help="list videos, newest first")
    listing.add_argument("--limit", type=int, default=20, help="how many (0-100, default 20)")
    listing.add_argument("--order", choices=("asc", "desc"), help="by creation time")
    listing.add_argument("--after", metavar="VIDEO_ID", help="start after this video")
    listing.set_defaults(command=commands.list_videos)

    for name, command, text in (
        ("get", commands.get, "show a video job"),
        ("delete", commands.delete, "delete a completed or failed video"),
    ):
        parser = sub.add_parser(name, parents=common, help=text)
        parser.add_argument("video_id")
        parser.set_defaults(command=command)

    download = sub.add_parser("download", parents=common, help="download a completed video")
    download.add_argument("video_id")
    download.add_argument("--output", "-o", metavar="PATH", help="default: VIDEO_ID.mp4")
    download.add_argument(
        "--variant", choices=("video", "thumbnail", "spritesheet"), default="video"
    )
    download.set_defaults(command=commands.download)

    wait = sub.add_parser("wait", parents=common, help="follow a job until it completes")
    wait.add_argument("video_id")
    wait.add_argument("--output", "-o", metavar="PATH", help="then download the MP4 here")
    wait.set_defaults(command=commands.wait)


def _character_commands(sub: Subcommands) -> None:
    common = [_common()]
    characters = sub.add_parser("characters", help="create or show characters")
    actions = characters.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", parents=common, help="make a character from an MP4")
    create.add_argument("name", help="display name")
    create.add_argument("video", help="an MP4 file to upload")
    create.set_defaults(command=commands.character_create)
    get = actions.add_parser("get", parents=common, help="show a character")
    get.add_argument("character_id")
    get.set_defaults(command=commands.character_get)


def _batch_command(sub: Subcommands) -> None:
    batch = sub.add_parser("batch", parents=[_common()], help="make many videos at once")
    batch.add_argument("prompts_file", metavar="PROMPTS_FILE", help="one prompt per line")
    batch.add_argument("--concurrency", type=int, default=4, help="requests at once (default 4)")
    batch.add_argument(
        "--max-pending", type=int, default=16, help="jobs on the server at once (default 16)"
    )
    batch.add_argument("--output-dir", metavar="DIR", help="download each video here")
    batch.add_argument(
        "--manifest",
        metavar="PATH",
        help="record of the jobs (default DIR/manifest.jsonl, else PROMPTS_FILE.manifest.jsonl)",
    )
    batch.add_argument("--seconds", help="length of each video: 4, 8 or 12")
    batch.add_argument("--size", help="WIDTHxHEIGHT")
    batch.add_argument("--model", help="e.g. sora-2")
    batch.add_argument(
        "--max-wait", type=float, default=1800.0, help="seconds per job (default 1800)"
    )
    batch.set_defaults(batch=True)


def _emulator_command(sub: Subcommands) -> None:
    emulator = sub.add_parser(
        "emulator", parents=[_common(servers=False)], help="serve the local emulator over HTTP"
    )
    emulator.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    emulator.add_argument("--port", type=int, default=8089, help="default 8089")
    emulator.add_argument("--db", metavar="PATH", help="keep jobs in this SQLite file")
    emulator.add_argument(
        "--speed", type=float, default=1.0, help="jobs finish this many times faster"
    )
    emulator.add_argument(
        "--dialect",
        choices=EMULATOR_DIALECTS,
        default="openai",
        help="answer as this server does (default openai)",
    )
    emulator.set_defaults(serve=True)


def build_parser() -> argparse.ArgumentParser:
    """The ``sora-videos`` parser; each subcommand sets ``command`` (or ``serve``)."""
    parser = argparse.ArgumentParser(
        prog="sora-videos",
        description="Create, follow and download videos with the Videos API (Sora).",
        epilog=EPILOG,
        parents=[_common()],
    )
    parser.add_argument("--version", action="version", version=f"sora-videos {__version__}")
    sub = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
    _video_commands(sub)
    _query_commands(sub)
    _character_commands(sub)
    _batch_command(sub)
    _emulator_command(sub)
    return parser
