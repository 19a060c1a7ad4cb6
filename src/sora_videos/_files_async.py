"""The async driver's copy of a download's body into its file: writes in a worker thread
while the next batch arrives. Loaded by the async engine when it first copies (it needs anyio,
which a sync client never loads)."""

from __future__ import annotations

import inspect

import anyio
import anyio.to_thread
import httpx
from anyio.streams.memory import MemoryObjectSendStream

from ._files import WRITE_BATCH, Appender
from ._steps import Copy

__all__ = ["async_copy"]


async def async_copy(step: Copy) -> tuple[int, httpx.TransportError | None]:
    """Perform a ``Copy`` with an async response.

    Batches of about 2 MiB go to a worker thread for writing while the next batch is being
    received, so the disk never blocks the event loop and the network never waits for the
    disk. What arrived before a cut is still written, so a resume starts exactly there.
    """
    send, receive = anyio.create_memory_object_stream[list[bytes]](1)
    failures: list[Exception] = []
    written = 0
    file = await anyio.to_thread.run_sync(step.path.open, "ab")
    appender = Appender(file)

    async def write_batches() -> None:
        nonlocal written
        async with receive:
            async for batch in receive:
                try:
                    # One write per batch: many small writes from a worker thread would pass
                    # the GIL back and forth with the event loop (measured: 0.86x vs 1.1x).
                    written += await anyio.to_thread.run_sync(appender.write, b"".join(batch))
                    await _report(step, step.offset + written)
                except Exception as exc:  # stop reading too; raised below
                    failures.append(exc)
                    return

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(write_batches)
            async with send:
                try:
                    await _read_batches(step.response, send)
                except (
                    httpx.TransportError,
                    httpx.DecodingError,
                    anyio.BrokenResourceError,
                ) as exc:
                    failures.append(exc)  # raised below, out of the task group
    finally:
        await step.response.aclose()
        await anyio.to_thread.run_sync(file.close)
    errors = [e for e in failures if not isinstance(e, anyio.BrokenResourceError)]
    cut = next((e for e in errors if isinstance(e, httpx.TransportError)), None)
    if errors and cut is None:
        raise errors[0]
    return written, cut


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


async def _report(step: Copy, done: int) -> None:
    if step.on_progress is not None:
        result = step.on_progress(done, step.total)
        if inspect.isawaitable(result):
            await result
