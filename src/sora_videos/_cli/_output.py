"""Where results go: readable tables on stdout, or JSON only with ``--json``; notes on stderr.

Every string printed for people goes through ``safe_text``: ids, prompts, messages and paths
come from a server or a file, and their control characters are shown escaped. JSON escapes
them by itself.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .._models import Video, VideoCharacter, VideoDeleted
from ._safe import safe_text

__all__ = ["Output", "Saved"]

Saved = tuple[Path, int]
"""A file written by a download, and its size in bytes."""


def _time(timestamp: int | None) -> str:
    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _saved_json(saved: Saved) -> dict[str, object]:
    return {"path": str(saved[0]), "bytes": saved[1]}


def _status(video: Video) -> str:
    running = video.status in ("queued", "in_progress")
    return f"{video.status} {video.progress}%" if running else str(video.status)


def _video_table(videos: Sequence[Video]) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    id_width = max(len(video.id) for video in videos)
    for column, width in (("ID", id_width), ("STATUS", 9), ("VIDEO", 11)):
        table.add_column(column, no_wrap=True, min_width=width)
    table.add_column("CREATED", no_wrap=True, overflow="ellipsis")
    table.add_column("PROMPT", no_wrap=True, overflow="ellipsis")
    for video in videos:
        row = (video.id, _status(video), f"{video.seconds}s {video.size}")
        table.add_row(*map(safe_text, row), _time(video.created_at), safe_text(video.prompt or ""))
    return table


class Output:
    """Prints results for people (rich) or for programs (``--json``), progress to stderr.

    Args:
        json_mode: Print each result as one JSON document on stdout, and nothing else there.
    """

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode
        self.stdout = Console(highlight=False)
        if not self.stdout.is_terminal:
            self.stdout.width = 1000  # piped: full ids and prompts, never cut to 80 columns
        self.stderr = Console(stderr=True, highlight=False)

    def notice(self, message: str) -> None:
        """Say something to the person watching (stderr)."""
        self.stderr.print(safe_text(message, style="dim"), soft_wrap=True)

    def error(self, message: str) -> None:
        """Report a failure in one line (stderr)."""
        self.stderr.print(safe_text(f"error: {message}", style="bold red"), soft_wrap=True)

    def _json(self, payload: object) -> None:
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")

    def _fields(self, fields: Sequence[tuple[str, object]]) -> None:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        for name, value in fields:
            if value is not None and value != "":
                grid.add_row(name, safe_text(value))
        self.stdout.print(grid)

    def video(self, video: Video, saved: Saved | None = None) -> None:
        """Show a job; ``saved`` is the file its media was written to, if any."""
        if self.json_mode:
            payload = video.to_dict()
            if saved is not None:
                payload["download"] = _saved_json(saved)
            self._json(payload)
            return
        error = str(video.error) if video.error else None
        self._fields(
            [
                ("id", video.id),
                ("status", video.status),
                ("progress", f"{video.progress}%"),
                ("model", video.model),
                ("size", video.size),
                ("seconds", video.seconds),
                ("prompt", video.prompt),
                ("remixed from", video.remixed_from_video_id),
                ("error", error),
                ("created", _time(video.created_at)),
                ("completed", _time(video.completed_at)),
                ("expires", _time(video.expires_at)),
                ("saved to", f"{saved[0]} ({saved[1]:,} bytes)" if saved else None),
            ]
        )

    def videos(self, videos: Sequence[Video], *, has_more: bool, last_id: str | None) -> None:
        """Show one page of a listing as a table."""
        if self.json_mode:
            data = [video.to_dict() for video in videos]
            self._json({"object": "list", "data": data, "has_more": has_more, "last_id": last_id})
            return
        if not videos:
            self.stdout.print(Text("No videos."))
            return
        self.stdout.print(_video_table(videos))
        if has_more and last_id:
            self.notice(f"More videos follow: --after {last_id}")

    def deleted(self, deleted: VideoDeleted) -> None:
        """Confirm a deletion."""
        if self.json_mode:
            self._json(deleted.to_dict())
        else:
            self.stdout.print(safe_text(f"Deleted {deleted.id}"), soft_wrap=True)

    def saved(self, video_id: str, variant: str, saved: Saved) -> None:
        """Confirm a download."""
        if self.json_mode:
            self._json({"id": video_id, "variant": variant, **_saved_json(saved)})
        else:
            self.stdout.print(safe_text(f"Saved {saved[0]} ({saved[1]:,} bytes)"), soft_wrap=True)

    def character(self, character: VideoCharacter) -> None:
        """Show a character."""
        if self.json_mode:
            self._json(character.to_dict())
        else:
            fields: list[tuple[str, object]] = [("id", character.id), ("name", character.name)]
            self._fields([*fields, ("created", _time(character.created_at))])

    def server(self, info: Mapping[str, object], message: str) -> None:
        """Announce a server: JSON on stdout with ``--json``, else a line on stderr."""
        if self.json_mode:
            self._json(dict(info))
            sys.stdout.flush()
        else:
            self.stderr.print(safe_text(message), soft_wrap=True)  # one line, never wrapped
