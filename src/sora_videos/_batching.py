"""Running a batch: ``BatchRun``'s flows performed concurrently, in threads or in tasks.

Both runners have the same shape: the caller's thread or task hands out jobs (a create waits
for one of ``max_pending`` slots on the server), one poller runs the fleet's rounds while any
job is on the server, and creates and downloads run ``concurrency`` at a time. They differ
only in their primitives (threads, ``Semaphore``, ``Condition`` or their anyio twins).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import anyio
from anyio.abc import TaskGroup

from ._batch import BatchJob, BatchResult, BatchRun, Entry
from ._engine import AsyncEngine, Engine
from ._steps import Flow

__all__ = ["Results", "arun_batch", "run_batch"]

T = TypeVar("T")
U = TypeVar("U")


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
    runner = _Threads(engine, run, concurrency, max_pending, on_result, Results(collect))
    return runner.run(requests)


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
    runner = _Tasks(engine, run, concurrency, max_pending, on_result, Results(collect))
    return await runner.run(requests)


class _Threads:
    """The thread runner: the caller's thread hands out jobs, a thread polls, a pool sends."""

    def __init__(
        self,
        engine: Engine,
        run: BatchRun,
        concurrency: int,
        max_pending: int,
        on_result: Callable[[BatchResult], object] | None,
        results: Results,
    ) -> None:
        self._engine, self._run, self._on_result, self._results = engine, run, on_result, results
        self._slots = threading.Semaphore(max_pending)
        self._activity = threading.Condition()
        self._busy = 1  # creates in flight, and the hand-out while it goes on
        self._stop = threading.Event()
        self._emitting = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="sora-batch")

    def run(self, requests: Iterable[str | BatchJob]) -> list[BatchResult]:
        poller = threading.Thread(target=self._poll, name="sora-batch-poll", daemon=True)
        poller.start()
        try:
            self._hand_out(requests)
            self._done_creating()
            poller.join()
            # Stopped by on_result: the creates not started yet are not sent.
            self._pool.shutdown(wait=True, cancel_futures=self._stop.is_set())
        except BaseException:  # Ctrl-C too: stop handing out and polling at once
            self._stop.set()
            self._pool.shutdown(wait=False, cancel_futures=True)
            raise
        return self._results.ordered()

    def _hand_out(self, requests: Iterable[str | BatchJob]) -> None:
        for window in self._run.windows(requests):
            for entry in window:
                action = self._run.start(entry)
                if isinstance(action, BatchResult):
                    self._emit(action, release=False)
                    continue
                while not self._slots.acquire(timeout=0.5):
                    if self._stop.is_set():
                        return
                if action == "download":
                    self._pool.submit(self._download, entry, True)
                elif action == "watch":
                    self._run.watch(entry)
                else:
                    with self._activity:
                        self._busy += 1
                    self._pool.submit(self._create, entry)
                with self._activity:
                    self._activity.notify_all()

    def _poll(self) -> None:
        while not self._stop.is_set():
            with self._activity:
                while not self._run.watching and self._busy and not self._stop.is_set():
                    self._activity.wait(0.5)
            if not self._run.watching:
                return
            outcome = self._perform(self._run.round_flow(), self._run.round_failed)
            for result in outcome.settled:
                self._emit(result, release=True)
            for entry in outcome.downloads:
                self._slots.release()
                self._pool.submit(self._download, entry, False)

    def _create(self, entry: Entry) -> None:
        try:
            result = self._perform(self._run.create_flow(entry), partial(self._run.failed, entry))
            if result is not None:
                self._emit(result, release=True)
        finally:
            self._done_creating()

    def _download(self, entry: Entry, release: bool) -> None:
        result = self._perform(self._run.download_flow(entry), partial(self._run.failed, entry))
        self._emit(result, release=release)

    def _perform(self, flow: Flow[T], failed: Callable[[Exception], U]) -> T | U:
        try:
            return self._engine.run(flow)
        except Exception as exc:  # one job's surprise must not end the batch
            return failed(exc)

    def _emit(self, result: BatchResult, *, release: bool) -> None:
        if release:
            self._slots.release()
        self._results.add(result)
        with self._emitting:
            try:
                if self._on_result is not None and not self._stop.is_set():
                    self._on_result(result)
            except Exception as exc:
                self._results.failure = self._results.failure or exc
                self._stop.set()

    def _done_creating(self) -> None:
        with self._activity:
            self._busy -= 1
            self._activity.notify_all()


class _Tasks:
    """The task runner: the caller's task hands out jobs, a task polls, tasks send."""

    def __init__(
        self,
        engine: AsyncEngine,
        run: BatchRun,
        concurrency: int,
        max_pending: int,
        on_result: Callable[[BatchResult], object] | None,
        results: Results,
    ) -> None:
        self._engine, self._run, self._on_result, self._results = engine, run, on_result, results
        self._slots = anyio.Semaphore(max_pending)
        self._limit = anyio.CapacityLimiter(concurrency)
        self._activity = anyio.Condition()
        self._busy = 1  # creates in flight, and the hand-out while it goes on
        self._group: TaskGroup | None = None

    async def run(self, requests: Iterable[str | BatchJob]) -> list[BatchResult]:
        async with anyio.create_task_group() as self._group:
            self._group.start_soon(self._poll)
            try:
                await self._hand_out(requests)
            except Exception as exc:  # raised as is, not in an exception group
                self._results.failure = exc
                self._group.cancel_scope.cancel()
            await self._done_creating()
        return self._results.ordered()

    def _start(self, task: Callable[..., Coroutine[Any, Any, None]], *args: object) -> None:
        assert self._group is not None
        self._group.start_soon(task, *args)

    async def _hand_out(self, requests: Iterable[str | BatchJob]) -> None:
        for window in self._run.windows(requests):
            for entry in window:
                action = self._run.start(entry)
                if isinstance(action, BatchResult):
                    await self._emit(action, release=False)
                    continue
                await self._slots.acquire()
                if action == "download":
                    self._start(self._download, entry, True)
                elif action == "watch":
                    self._run.watch(entry)
                else:
                    async with self._activity:
                        self._busy += 1
                    self._start(self._create, entry)
                async with self._activity:
                    self._activity.notify_all()

    async def _poll(self) -> None:
        while True:
            async with self._activity:
                while not self._run.watching and self._busy:
                    await self._activity.wait()
            if not self._run.watching:
                return
            outcome = await self._perform(self._run.round_flow(), self._run.round_failed)
            for result in outcome.settled:
                await self._emit(result, release=True)
            for entry in outcome.downloads:
                self._slots.release()
                self._start(self._download, entry, False)

    async def _create(self, entry: Entry) -> None:
        try:
            flow = self._run.create_flow(entry)
            result = await self._perform(flow, partial(self._run.failed, entry), limited=True)
            if result is not None:
                await self._emit(result, release=True)
        finally:
            with anyio.CancelScope(shield=True):
                await self._done_creating()

    async def _download(self, entry: Entry, release: bool) -> None:
        flow = self._run.download_flow(entry)
        result = await self._perform(flow, partial(self._run.failed, entry), limited=True)
        await self._emit(result, release=release)

    async def _perform(
        self, flow: Flow[T], failed: Callable[[Exception], U], *, limited: bool = False
    ) -> T | U:
        try:
            if not limited:  # waiting is not a request: polls take no request slot
                return await self._engine.run(flow)
            async with self._limit:
                return await self._engine.run(flow)
        except Exception as exc:  # one job's surprise must not end the batch
            return failed(exc)

    async def _emit(self, result: BatchResult, *, release: bool) -> None:
        if release:
            self._slots.release()
        self._results.add(result)
        try:
            outcome = self._on_result(result) if self._on_result is not None else None
            if inspect.isawaitable(outcome):
                await outcome
        except Exception as exc:
            self._results.failure = self._results.failure or exc
            if self._group is not None:
                self._group.cancel_scope.cancel()

    async def _done_creating(self) -> None:
        async with self._activity:
            self._busy -= 1
            self._activity.notify_all()
