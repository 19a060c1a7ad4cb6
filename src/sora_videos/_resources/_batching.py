"""Running a batch: many ``job_flow``s under a concurrency limit, in threads or in tasks."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import anyio

from .. import _operations as ops
from .._batch import BatchJob, BatchResult, Manifest, Throttle, as_jobs, job_flow
from .._engine import AsyncEngine, Engine
from .._exceptions import SoraError

__all__ = ["arun_batch", "run_batch"]


def _target(result: BatchResult, output_dir: str | os.PathLike[str]) -> Path:
    assert result.video_id is not None
    return Path(output_dir) / ops.media_filename(result.video_id, "video")


def _settled(result: BatchResult, path: Path | SoraError) -> BatchResult:
    if isinstance(path, SoraError):
        return replace(result, status="error", error=path)
    return replace(result, path=path)


def run_batch(
    engine: Engine,
    requests: Iterable[str | BatchJob],
    *,
    concurrency: int,
    output_dir: str | os.PathLike[str] | None,
    manifest: str | os.PathLike[str] | None,
    max_wait: float | None,
    poll_interval: float | None,
    on_result: Callable[[BatchResult], object] | None,
) -> list[BatchResult]:
    """Run every job in threads; results come back in the order of ``requests``."""
    jobs, book, throttle = as_jobs(requests), Manifest(manifest), Throttle()
    if output_dir is not None:
        Path(output_dir).mkdir(parents=True, exist_ok=True)

    def run_one(job: BatchJob) -> BatchResult:
        result = book.done(job)
        if result is None:
            flow = job_flow(
                engine.config,
                job,
                throttle=throttle,
                max_wait=max_wait,
                poll_interval=poll_interval,
                resume_id=book.created_id(job),
            )
            result = engine.run(flow)
            if output_dir is not None and result.status == "completed":
                spec = ops.content(str(result.video_id), variant="video")
                try:
                    result = _settled(
                        result, engine.download(spec, {}, _target(result, output_dir))
                    )
                except SoraError as err:
                    result = _settled(result, err)
            book.record(result)
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="sora-batch") as pool:
        return list(pool.map(run_one, jobs))


async def arun_batch(
    engine: AsyncEngine,
    requests: Iterable[str | BatchJob],
    *,
    concurrency: int,
    output_dir: str | os.PathLike[str] | None,
    manifest: str | os.PathLike[str] | None,
    max_wait: float | None,
    poll_interval: float | None,
    on_result: Callable[[BatchResult], object] | None,
) -> list[BatchResult]:
    """Run every job in tasks; results come back in the order of ``requests``."""
    jobs, book, throttle = as_jobs(requests), Manifest(manifest), Throttle()
    if output_dir is not None:
        Path(output_dir).mkdir(parents=True, exist_ok=True)
    results: list[BatchResult | None] = [None] * len(jobs)
    limiter = anyio.CapacityLimiter(concurrency)

    async def run_one(index: int, job: BatchJob) -> None:
        async with limiter:
            result = book.done(job)
            if result is None:
                flow = job_flow(
                    engine.config,
                    job,
                    throttle=throttle,
                    max_wait=max_wait,
                    poll_interval=poll_interval,
                    resume_id=book.created_id(job),
                )
                result = await engine.run(flow)
                if output_dir is not None and result.status == "completed":
                    spec = ops.content(str(result.video_id), variant="video")
                    try:
                        path = await engine.download(spec, {}, _target(result, output_dir))
                        result = _settled(result, path)
                    except SoraError as err:
                        result = _settled(result, err)
                book.record(result)
        results[index] = result
        if on_result is not None:
            outcome = on_result(result)
            if inspect.isawaitable(outcome):
                await outcome

    async with anyio.create_task_group() as group:
        for index, job in enumerate(jobs):
            group.start_soon(run_one, index, job)
    return [result for result in results if result is not None]
