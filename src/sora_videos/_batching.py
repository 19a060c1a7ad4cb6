"""Running a batch: many ``job_flow``s under a concurrency limit, in threads or in tasks.

Everything the jobs share (settings, throttle, manifest) is in ``BatchRun``; these two only
differ in how they run jobs at once."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import anyio

from ._batch import BatchJob, BatchResult, BatchRun
from ._engine import AsyncEngine, Engine

__all__ = ["arun_batch", "run_batch"]


def run_batch(
    engine: Engine,
    batch: BatchRun,
    jobs: list[BatchJob],
    *,
    concurrency: int,
    on_result: Callable[[BatchResult], object] | None,
) -> list[BatchResult]:
    """Run every job in threads; results come back in the order of ``jobs``."""

    def run_one(job: BatchJob) -> BatchResult:
        result = batch.done(job)
        if result is None:
            result = engine.run(batch.flow(job))
            batch.record(result)
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="sora-batch") as pool:
        return list(pool.map(run_one, jobs))


async def arun_batch(
    engine: AsyncEngine,
    batch: BatchRun,
    jobs: list[BatchJob],
    *,
    concurrency: int,
    on_result: Callable[[BatchResult], object] | None,
) -> list[BatchResult]:
    """Run every job in tasks; results come back in the order of ``jobs``."""
    results: list[BatchResult | None] = [None] * len(jobs)
    limiter = anyio.CapacityLimiter(concurrency)

    async def run_one(index: int, job: BatchJob) -> None:
        async with limiter:
            result = batch.done(job)
            if result is None:
                result = await engine.run(batch.flow(job))
                batch.record(result)
        results[index] = result
        if on_result is not None:
            outcome = on_result(result)
            if inspect.isawaitable(outcome):
                await outcome

    async with anyio.create_task_group() as group:
        for index, job in enumerate(jobs):
            group.start_soon(run_one, index, job)
    return [result for result in results if result is not None]
