"""Running one workflow against an emulated server, with a sync or an async client.

Each workflow is written once as an ``async`` function over ``settle``d calls: with a sync
client every call returns its result, with an async client it returns an awaitable. The test
runs it with ``anyio.run`` (asyncio or trio), so the same assertions hold for ``Sora`` and
``AsyncSora``. Waits (polls, retries) advance the emulator's manual clock instead of sleeping.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

import anyio
import anyio.lowlevel

from sora_videos import AsyncSora, Sora
from sora_videos.emulator import Emulator, ManualClock, Timing

Mode = Literal["sync", "asyncio", "trio"]
MODES: tuple[Mode, ...] = ("sync", "asyncio", "trio")
T = TypeVar("T")

# Slow enough that a retried 409 never outlives a phase, fast with a manual clock.
TIMING = Timing(queued=30.0, rendering=30.0)


async def settle(value: Awaitable[T] | T) -> T:
    """A sync call's result, or an async call's awaited."""
    if inspect.isawaitable(value):
        return await value
    return value


async def collect(listing: Any) -> list[Any]:
    """Every item of a listing: a sync page (iterable) or an async paginator."""
    if hasattr(listing, "__aiter__"):
        return [item async for item in listing]
    return list(listing)


def fake_sleeps(client: Sora | AsyncSora, clock: ManualClock) -> None:
    """Make the client's waits move the emulator's clock instead of sleeping."""
    if isinstance(client, Sora):
        client._engine.sleep = clock.advance
        return

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await anyio.lowlevel.checkpoint()

    client._engine.sleep = sleep


@contextmanager
def emulated(dialect: str) -> Iterator[tuple[Emulator, ManualClock]]:
    """An emulator answering as ``dialect``, on a manual clock."""
    clock = ManualClock()
    with Emulator(clock=clock, timing=TIMING, dialect=dialect) as emu:  # type: ignore[arg-type]
        yield emu, clock


Workflow = Callable[[Any, Emulator], Awaitable[None]]


def run(workflow: Workflow, emu: Emulator, clock: ManualClock, mode: Mode, **options: Any) -> None:
    """Run ``workflow(client, emu)`` with a client of ``mode`` (``emu.client(**options)``)."""
    if mode == "sync":
        with emu.client(**options) as client:
            fake_sleeps(client, clock)
            anyio.run(workflow, client, emu)
        return

    async def main() -> None:
        async with emu.async_client(**options) as client:
            fake_sleeps(client, clock)
            await workflow(client, emu)

    anyio.run(main, backend=mode)
