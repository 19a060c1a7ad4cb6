"""The file work of downloads, as the drivers perform it: temporary files, writes, renames.

Blocking calls: the async driver runs each in a worker thread (its copy is in
``_files_async.py``).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

import httpx

from ._steps import Copy

__all__ = [
    "Appender",
    "StaleParts",
    "copy",
    "create_temp",
    "remove",
    "replace",
    "truncate",
]

WRITE_BATCH = 2 * 1024 * 1024
WRITEBACK_EVERY = 8 * 1024 * 1024
"""Bytes appended before the system is asked to start writing them to disk."""
STALE_AFTER = 24 * 3600.0
"""A partial file untouched this long (seconds) was left by a download that died."""


def create_temp(target: Path, stale: StaleParts | None = None) -> Path:
    """An empty ``.<name>.<random>.part`` file beside ``target``, with the mode the user's
    umask gives new files; stale partial files of ``target`` are removed first (found in
    ``stale``'s scan of the folder when given, else by a scan now)."""
    remove_stale(target, stale)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp's 0600 is not what the user asked for
    finally:
        os.close(fd)
    return Path(temp)


def _umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it back
    os.umask(mask)
    return mask


_PARTIAL = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.part")  # create_temp's names: .<target>.<8>.part


class StaleParts:
    """The partial files (``create_temp``'s naming) in one folder, found with one scan and
    handed out per target. A batch that writes thousands of files into its folder scans it
    once, not once per file (which made a 100,000-file batch quadratic)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._found: dict[str, list[Path]] | None = None

    def take(self, target: Path) -> list[Path]:
        """The partial files of ``target`` the scan found (each handed out once)."""
        with self._lock:
            if self._found is None:
                self._found = _partial_files(self.folder)
            return self._found.pop(target.name, [])


def _partial_files(folder: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if (match := _PARTIAL.fullmatch(entry.name)) and entry.is_file(follow_symlinks=False):
                found.setdefault(match.group(1), []).append(Path(entry.path))
    return found


def remove_stale(target: Path, stale: StaleParts | None = None) -> None:
    """Delete ``target``'s partial files (this module's naming only) older than a day: a
    killed process leaves them; a live download touches its own at every write."""
    if stale is not None and stale.folder == target.parent:
        candidates = stale.take(target)
    else:
        candidates = _partial_files(target.parent).get(target.name, [])
    too_old = time.time() - STALE_AFTER
    for path in candidates:
        with contextlib.suppress(OSError):
            found = path.lstat()
            if stat.S_ISREG(found.st_mode) and found.st_mtime < too_old:
                path.unlink()


def truncate(path: Path) -> None:
    """Empty the file."""
    with path.open("r+b") as file:
        file.truncate(0)


def replace(source: Path, target: Path) -> None:
    """Flush ``source`` to disk, rename it over ``target`` (keeping the mode of a file it
    replaces), then flush the folder: the new file survives a power cut whole or not at all."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(source, stat.S_IMODE(os.stat(target).st_mode))
    with source.open("rb") as file:
        os.fsync(file.fileno())
    os.replace(source, target)
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder cannot be opened on Windows: the rename is what there is
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def remove(path: Path) -> None:
    """Delete the file if it is there."""
    path.unlink(missing_ok=True)


class Appender:
    """Appends to a partial file and has the system start writing each ``WRITEBACK_EVERY``
    bytes to disk as soon as they are appended, without waiting for it.

    Every saved file is flushed to disk before it is renamed into place (``replace``). Left
    to itself, the system writes a large download out only then, so that flush waits for all
    of it: a 1 GiB download from a local server ran at 910 MiB/s, about the pace of a loop
    that writes everything and then flushes once. Started as the bytes arrive, the writing
    overlaps the download and the final flush finds little left to do: 1,113 MiB/s (see
    docs/performance.md).

    On Linux, ``posix_fadvise(POSIX_FADV_DONTNEED)`` on the range just written starts its
    writeback (and drops none of it from the cache: the pages are still dirty then).
    Elsewhere, or where the call fails, the bytes are written out at the final flush as before.
    """

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self._start = file.tell()  # a resumed download appends after what is there
        self._pending = 0

    def write(self, data: bytes) -> int:
        """Append ``data``; the number of bytes written."""
        written = self.file.write(data)
        self._pending += written
        if self._pending >= WRITEBACK_EVERY:
            self._write_back()
        return written

    def _write_back(self) -> None:
        self.file.flush()
        end = self._start + self._pending
        if _FADVISE is not None:
            with contextlib.suppress(OSError):
                _FADVISE(self.file.fileno(), self._start, self._pending, _DONTNEED)
        self._start, self._pending = end, 0


_FADVISE = getattr(os, "posix_fadvise", None) if sys.platform == "linux" else None
_DONTNEED: int = getattr(os, "POSIX_FADV_DONTNEED", 4)


def copy(step: Copy) -> tuple[int, httpx.TransportError | None]:
    """Perform a ``Copy`` with a sync response: every byte received is written."""
    written = 0
    try:
        with step.path.open("ab") as file:
            appender = Appender(file)
            for chunk in step.response.iter_bytes():
                appender.write(chunk)
                written += len(chunk)
                if step.on_progress is not None:
                    step.on_progress(step.offset + written, step.total)
    except httpx.TransportError as exc:
        return written, exc
    finally:
        step.response.close()
    return written, None
