"""Uploads: turn what a user hands us into file parts, and stream them as multipart/form-data.

Not pure: describing a part stats its file (``FilePart.size``), and the stream opens and reads
files while the driver sends the body (from a worker thread in async mode). Nothing here reads
a file whole. A path is opened when the body is sent (again on a retry); a seekable file
object is rewound to where it started; anything else can be sent only once.
"""

from __future__ import annotations

import io
import mimetypes
import os
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import IO

import httpx

from ._types import FileContent, FileInput

__all__ = ["FilePart", "MultipartStream", "is_file_input", "to_file_part"]

CHUNK_SIZE = 256 * 1024


@dataclass(frozen=True)
class FilePart:
    """One file to upload, not yet read."""

    filename: str
    content_type: str
    source: bytes | IO[bytes] | os.PathLike[str]
    start: int = 0  # where a file object's content begins

    @property
    def size(self) -> int | None:
        """The number of bytes the part holds, if that can be known without reading it."""
        if isinstance(self.source, bytes):
            return len(self.source)
        if isinstance(self.source, os.PathLike):
            return os.stat(self.source).st_size
        try:
            return os.fstat(self.source.fileno()).st_size - self.start
        except (AttributeError, OSError, io.UnsupportedOperation):
            return None

    @property
    def replayable(self) -> bool:
        """Whether the part can be sent again (for a retry)."""
        if isinstance(self.source, (bytes, os.PathLike)):
            return True
        return self.start >= 0

    def chunks(self) -> Iterator[bytes]:
        """The part's bytes, in chunks, opening or rewinding the source first."""
        if isinstance(self.source, bytes):
            yield self.source
            return
        if isinstance(self.source, os.PathLike):
            with open(self.source, "rb") as file:
                yield from iter(lambda: file.read(CHUNK_SIZE), b"")
            return
        if self.start >= 0:
            self.source.seek(self.start)
        source = self.source
        yield from iter(lambda: source.read(CHUNK_SIZE), b"")


def is_file_input(value: object) -> bool:
    """Whether a parameter value is a file to upload (rather than a JSON reference object)."""
    return isinstance(value, (str, bytes, os.PathLike, tuple, io.IOBase)) or hasattr(value, "read")


def to_file_part(value: FileInput, *, field: str) -> FilePart:
    """Normalise any accepted file input into a ``FilePart``.

    Raises:
        TypeError: The value is not a path, bytes, binary file object or tuple.
        FileNotFoundError: A path that does not exist.
    """
    filename: str | None = None
    content_type: str | None = None
    content: FileContent
    if isinstance(value, tuple):
        filename, content = value[0], value[1]
        content_type = value[2] if len(value) == 3 else None
    else:
        content = value
    source = _source(content, field=field)
    if filename is None:
        filename = _filename(source, field)
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    start = _start(source)
    return FilePart(filename=filename, content_type=content_type, source=source, start=start)


def _source(content: FileContent, *, field: str) -> bytes | IO[bytes] | os.PathLike[str]:
    if isinstance(content, bytes):
        return content
    if isinstance(content, (str, os.PathLike)):
        path = os.fspath(content)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{field}: no such file: {path!r}")
        return _Path(path)
    if isinstance(content, io.TextIOBase) or not hasattr(content, "read"):
        raise TypeError(
            f"{field} must be a path, bytes, a binary file object or a (filename, content) "
            f"tuple, not {type(content).__name__}"
        )
    return content


def _filename(source: bytes | IO[bytes] | os.PathLike[str], field: str) -> str:
    if isinstance(source, os.PathLike):
        return os.path.basename(os.fspath(source))
    name = getattr(source, "name", None)
    return os.path.basename(name) if isinstance(name, str) else field


def _start(source: bytes | IO[bytes] | os.PathLike[str]) -> int:
    if isinstance(source, (bytes, os.PathLike)):
        return 0
    try:
        return source.tell() if source.seekable() else -1
    except (AttributeError, OSError, ValueError):
        return -1


class _Path(os.PathLike[str]):
    """A path we opened ourselves (as opposed to a file object the caller owns)."""

    def __init__(self, path: str) -> None:
        self._path = path

    def __fspath__(self) -> str:
        return self._path


class MultipartStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A multipart/form-data body that streams its files, for sync and async clients alike."""

    def __init__(self, fields: Mapping[str, str], files: Mapping[str, FilePart]) -> None:
        self.boundary = uuid.uuid4().hex
        self._fields = fields
        self._files = files

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value, boundary included."""
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def replayable(self) -> bool:
        """Whether the body can be sent again for a retry."""
        return all(part.replayable for part in self._files.values())

    def content_length(self) -> int | None:
        """The body's length, if every file's size is known."""
        total = 0
        for piece in self._pieces():
            size = len(piece) if isinstance(piece, bytes) else piece.size
            if size is None:
                return None
            total += size
        return total

    def _pieces(self) -> Iterator[bytes | FilePart]:
        for name, value in self._fields.items():
            yield self._header(name) + b"\r\n" + value.encode() + b"\r\n"
        for name, part in self._files.items():
            yield self._header(name, part) + b"\r\n"
            yield part
            yield b"\r\n"
        yield f"--{self.boundary}--\r\n".encode()

    def _header(self, name: str, part: FilePart | None = None) -> bytes:
        disposition = f'form-data; name="{_quote(name)}"'
        if part is None:
            return f"--{self.boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        return (
            f"--{self.boundary}\r\nContent-Disposition: {disposition}; "
            f'filename="{_quote(part.filename)}"\r\nContent-Type: {part.content_type}\r\n'
        ).encode()

    def __iter__(self) -> Iterator[bytes]:
        for piece in self._pieces():
            if isinstance(piece, bytes):
                yield piece
            else:
                yield from piece.chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # File reads run in a worker thread so a large upload never blocks the event loop.
        from anyio import to_thread  # here: a sync client never loads anyio

        chunks = iter(self)
        while True:
            chunk = await to_thread.run_sync(next, chunks, None)
            if chunk is None:
                return
            yield chunk


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
