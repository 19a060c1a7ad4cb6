"""Running a batch: ``BatchRun``'s flows performed concurrently, in threads or in tasks.

Both runners have the same shape: the caller's thread or task hands out jobs (a create waits
for one of ``max_pending`` slots on the server), one poller runs the fleet's rounds while any
job is on the server, and creates and downloads run ``concurrency`` at a time. They differ
only in their primitives (threads, ``Semaphore``, ``Condition`` or their anyio twins).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import anyio

from ._batch import BatchJob, BatchResult, BatchRun, Entry
from ._engine import AsyncEngine, Engine
from ._steps import Flow

__all__ = ["Results", "arun_batch", "run_batch"]

T = TypeVar("T")


class Results:
    """The results handed back at the end: all of them in order, or none (``collect=False``:
    the caller streams them with ``on_result`` and memory stays flat)."""

    def __init__(self, collect: bool) -> None:
        self._by_index: dict[int, BatchResult] | None = {} if collect else None
        self._lock = threading.Lock()
        self.failure: BaseException | None = None
        """The first exception raised by ``on_result``: it stops the batch and is raised."""

    def add(self, result: BatchResult) -> None:
        """Keep a result (if collecting)."""
        if self._by_index is not None:
            with self._lock:
                self._by_index[result.index or 0] = result

    def ordered(self) -> list[BatchResult]:
        """The results kept, in the order of the requests."""
        if self.failure is not None:
            raise self.failure
        by_index = self._by_index or {}
        return [by_index[index] for index in sorted(by_index)]


def run_batch(
    engine: Engine,
    run: BatchRun,
    requests: Iterable[str | BatchJob],
    *,
    concurrency: int,
    max_pending: int,
    on_result: Callable[[BatchResult], object] | None,
    collect: bool,
) -> list[BatchResult]:
    """Run the batch in threads: this one hands out jobs, one polls, ``concurrency`` send."""
    results = Results(collect)
    slots = threading.Semaphore(max_pending)
    activity = threading.Condition()
    busy = [1]  # creates in flight, and the hand-out while it goes on
    stop = threading.Event()
    emitting = threading.Lock()
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="sora-batch")

    def perform(flow: Flow[T], entry: Entry) -> T | BatchResult:
        try:
            return engine.run(flow)
        except Exception as exc:  # one job's surprise must not end the batch
            return run.failed(entry, exc)

    def emit(result: BatchResult, *, release: bool) -> None:
        if release:
            slots.release()
        results.add(result)
        with emitting:
            try:
                if on_result is not None and not stop.is_set():
                    on_result(result)
            except Exception as exc:
                results.failure = results.failure or exc
                stop.set()

    def done_creating() -> None:
        with activity:
            busy[0] -= 1
            activity.notify_all()

    def create(entry: Entry) -> None:
        try:
            result = perform(run.create_flow(entry), entry)
            if result is not None:
                emit(result, release=True)
        finally:
            done_creating()

    def download(entry: Entry, release: bool) -> None:
        emit(perform(run.download_flow(entry), entry), release=release)

    def poll() -> None:
        while not stop.is_set():
            with activity:
                while not run.watching and busy[0] and not stop.is_set():
                    activity.wait(0.5)
            if not run.watching:
                return
            try:
                outcome = engine.run(run.round_flow())
            except Exception as exc:
                outcome = run.round_failed(exc)
            for result in outcome.settled:
                emit(result, release=True)
            for entry in outcome.downloads:
                slots.release()
                pool.submit(download, entry, False)

    def hand_out() -> None:
        for window in run.windows(requests):
            for entry in window:
                action = run.start(entry)
                if isinstance(action, BatchResult):
                    emit(action, release=False)
                    continue
                while not slots.acquire(timeout=0.5):
                    if stop.is_set():
                        return
                if action == "download":
                    pool.submit(download, entry, True)
                elif action == "watch":
                    run.watch(entry)
                else:
                    with activity:
                        busy[0] += 1
                    pool.submit(create, entry)
                with activity:
                    activity.notify_all()

    poller = threading.Thread(target=poll, name="sora-batch-poll", daemon=True)
    poller.start()
    try:
        hand_out()
        done_creating()
        poller.join()
        pool.shutdown(wait=True)
    except BaseException:  # Ctrl-C too: stop handing out and polling, and say so
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return results.ordered()


async def arun_batch(
    engine: AsyncEngine,
    run: BatchRun,
    requests: Iterable[str | BatchJob],
    *,
    concurrency: int,
    max_pending: int,
    on_result: Callable[[BatchResult], object] | None,
    collect: bool,
) -> list[BatchResult]:
    """Run the batch in tasks: this one hands out jobs, one polls, ``concurrency`` send."""
    results = Results(collect)
    slots = anyio.Semaphore(max_pending)
    limit = anyio.CapacityLimiter(concurrency)
    activity = anyio.Condition()
    busy = [1]

    async def perform(flow: Flow[T], entry: Entry) -> T | BatchResult:
        try:
            async with limit:
                return await engine.run(flow)
        except Exception as exc:  # one job's surprise must not end the batch
            return run.failed(entry, exc)

    async def emit(result: BatchResult, *, release: bool) -> None:
        if release:
            slots.release()
        results.add(result)
        try:
            outcome = on_result(result) if on_result is not None else None
            if inspect.isawaitable(outcome):
                await outcome
        except Exception as exc:
            results.failure = results.failure or exc
            group.cancel_scope.cancel()

    async def done_creating() -> None:
        async with activity:
            busy[0] -= 1
            activity.notify_all()

    async def create(entry: Entry) -> None:
        try:
            result = await perform(run.create_flow(entry), entry)
            if result is not None:
                await emit(result, release=True)
        finally:
            with anyio.CancelScope(shield=True):
                await done_creating()

    async def download(entry: Entry, release: bool = False) -> None:
        await emit(await perform(run.download_flow(entry), entry), release=release)

    async def poll() -> None:
        while True:
            async with activity:
                while not run.watching and busy[0]:
                    await activity.wait()
            if not run.watching:
                return
            try:
                outcome = await engine.run(run.round_flow())
            except Exception as exc:
                outcome = run.round_failed(exc)
            for result in outcome.settled:
                await emit(result, release=True)
            for entry in outcome.downloads:
                slots.release()
                group.start_soon(download, entry)

    async def hand_out() -> None:
        for window in run.windows(requests):
            for entry in window:
                action = run.start(entry)
                if isinstance(action, BatchResult):
                    await emit(action, release=False)
                    continue
                await slots.acquire()
                if action == "download":
                    group.start_soon(download, entry, True)
                elif action == "watch":
                    run.watch(entry)
                else:
                    async with activity:
                        busy[0] += 1
                    group.start_soon(create, entry)
                async with activity:
                    activity.notify_all()

    async with anyio.create_task_group() as group:
        group.start_soon(poll)
        try:
            await hand_out()
        except Exception as exc:  # raised as is, not in an exception group
            results.failure = exc
            group.cancel_scope.cancel()
        await done_creating()
    return results.ordered()
