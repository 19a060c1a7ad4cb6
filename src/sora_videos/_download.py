"""Downloading to a file: stream, check, resume with ``Range`` after a cut, then rename.

``download_flow`` is sans-I/O like every flow: it yields ``Copy`` (stream a body into the
partial file) and learns of a cut connection by the transport error thrown into it.
"""

from __future__ import annotations

import inspect
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
from anyio.streams.memory import MemoryObjectSendStream

from ._config import ClientConfig
from ._exceptions import IncompleteDownloadError
from ._flow import Flow, Read, Sleep, send_flow
from ._request import RequestSpec
from ._response import connection_error
from ._retry import backoff
from ._types import RequestOptions

__all__ = [
    "Copy",
    "PartialFile",
    "ProgressCallback",
    "async_copy",
    "byte_count",
    "copy",
    "download_flow",
    "resume_point",
]

WRITE_BATCH = 2 * 1024 * 1024

ProgressCallback = Callable[[int, "int | None"], Any]
"""``on_progress(bytes_done, bytes_total)``; ``bytes_total`` is ``None`` when unknown."""

_CONTENT_RANGE = re.compile(r"bytes ([0-9]+)-([0-9]+)/([0-9]+|\*)")


class PartialFile:
    """A temporary file beside the target, renamed over it only once complete."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.target = Path(path)
        fd, temp = tempfile.mkstemp(
            dir=self.target.parent, prefix=f".{self.target.name}.", suffix=".part"
        )
        self.temp = Path(temp)
        self._file = os.fdopen(fd, "wb")
        self.written = 0

    def write(self, chunk: bytes) -> None:
        """Append a chunk."""
        self._file.write(chunk)
        self.written += len(chunk)

    def restart(self) -> None:
        """Drop what was written (the server sent the whole body again)."""
        self._file.seek(0)
        self._file.truncate()
        self.written = 0

    def commit(self, expected: int | None) -> Path:
        """Check the byte count and move the file into place.

        Raises:
            IncompleteDownloadError: The count differs from ``expected``.
        """
        self._file.close()
        if expected is not None and self.written != expected:
            raise IncompleteDownloadError(expected=expected, received=self.written)
        os.replace(self.temp, self.target)
        return self.target

    def discard(self) -> None:
        """Remove the temporary file, if still there; the target is untouched."""
        self._file.close()
        self.temp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Copy:
    """Stream ``response``'s body into ``sink``, calling ``on_progress(done, total)``."""

    response: httpx.Response
    sink: PartialFile
    total: int | None
    on_progress: ProgressCallback | None


def resume_point(response: httpx.Response, offset: int) -> tuple[bool, int | None]:
    """Read a (possibly ranged) answer: whether it continues at ``offset``, and the full size.

    A ``200`` is the whole body from the start (a server that ignores ``Range``); a ``206``
    continues only if its ``Content-Range`` starts exactly at ``offset``.
    """
    if response.status_code != 206:
        return offset == 0, byte_count(response.headers.get("content-length"))
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
    if match is None or int(match.group(1)) != offset:
        return False, None
    return True, byte_count(match.group(3))


def byte_count(value: str | None) -> int | None:
    """A header's count of bytes, or ``None`` unless it is plain ASCII digits (``"²"`` passes
    ``str.isdigit()`` but not ``int()``)."""
    if value is None or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def download_flow(
    config: ClientConfig,
    spec: RequestSpec,
    options: RequestOptions,
    sink: PartialFile,
    *,
    response: httpx.Response | None = None,
    on_progress: ProgressCallback | None = None,
) -> Flow[Path]:
    """Download into ``sink`` and commit it, resuming after cuts within ``max_retries``.

    Args:
        response: An answer already received (from ``download_content``), used first.

    Raises:
        IncompleteDownloadError: The body stayed short after every resume.
        APIConnectionError: The connection was cut and the size was never announced.
    """
    resumes = 0
    while True:
        if response is None:
            response = yield from send_flow(config, _from(spec, sink.written), options)
        continues, total = resume_point(response, sink.written)
        if not continues:
            sink.restart()
            if response.status_code == 206:  # a range we cannot use: ask for all of it
                yield Read(response)
                response, resumes = None, resumes + 1
                if resumes > config.max_retries:
                    raise IncompleteDownloadError(expected=total or 0, received=0)
                continue
        try:
            yield Copy(response, sink, total, on_progress)
        except httpx.TransportError as exc:
            if total is None:
                raise connection_error(exc, response.request, None) from exc
        if total is None or sink.written >= total or resumes >= config.max_retries:
            return sink.commit(total)
        resumes += 1
        response = None
        yield Sleep(backoff(resumes - 1))


def _from(spec: RequestSpec, offset: int) -> RequestSpec:
    if not offset:
        return spec
    return replace(spec, headers={**(spec.headers or {}), "Range": f"bytes={offset}-"})


def copy(step: Copy) -> None:
    """Perform a ``Copy`` with a sync response: every byte received is written."""
    try:
        for chunk in step.response.iter_bytes():
            step.sink.write(chunk)
            if step.on_progress is not None:
                step.on_progress(step.sink.written, step.total)
    finally:
        step.response.close()


async def async_copy(step: Copy) -> None:
    """Perform a ``Copy`` with an async response.

    Batches of about 2 MiB go to a worker thread for writing while the next batch is being
    received, so the disk never blocks the event loop and the network never waits for the
    disk. What arrived before a cut is still written, so a resume starts exactly there.
    """
    send, receive = anyio.create_memory_object_stream[list[bytes]](1)
    failures: list[Exception] = []

    async def write_batches() -> None:
        async with receive:
            async for batch in receive:
                try:
                    # One write per batch: many small writes from a worker thread would pass
                    # the GIL back and forth with the event loop (measured: 0.86x vs 1.1x).
                    await anyio.to_thread.run_sync(step.sink.write, b"".join(batch))
                    await _report(step)
                except Exception as exc:  # stop reading too; raised below
                    failures.append(exc)
                    return

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(write_batches)
            async with send:
                try:
                    await _read_batches(step.response, send)
                except (httpx.TransportError, anyio.BrokenResourceError) as exc:
                    failures.append(exc)
    finally:
        await step.response.aclose()
    errors = [e for e in failures if not isinstance(e, anyio.BrokenResourceError)]
    if errors:
        raise errors[0]


async def _read_batches(
    response: httpx.Response, send: MemoryObjectSendStream[list[bytes]]
) -> None:
    batch: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            batch.append(chunk)
            size += len(chunk)
            if size >= WRITE_BATCH:
                await send.send(batch)
                batch, size = [], 0
    except httpx.TransportError:
        if batch:
            await send.send(batch)
        raise
    if batch:
        await send.send(batch)


async def _report(step: Copy) -> None:
    if step.on_progress is not None:
        result = step.on_progress(step.sink.written, step.total)
        if inspect.isawaitable(result):
            await result
