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

from sora_videos.emulator import Emulator, ManualClock, Timing

from ..conftest import sleeping_with

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
            sleeping_with(client, clock.advance)
            anyio.run(workflow, client, emu)
        return

    async def main() -> None:
        async with emu.async_client(**options) as client:
            sleeping_with(client, clock.advance)
            await workflow(client, emu)

    anyio.run(main, backend=mode)
