"""Many jobs at once: create, wait and account for each, backing off together on 429s.

``job_flow`` is one job's life as a sans-I/O flow (create with a stable idempotency key,
poll, report); the sync and async ``batch`` methods run many of them, in threads or tasks,
under a concurrency limit, sharing one ``Throttle``.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

from . import _operations as ops
from ._config import ClientConfig
from ._download import download_flow
from ._exceptions import PollTimeoutError, SoraError, VideoFailedError
from ._models import Video
from ._poll import poll_flow
from ._response import parse_model
from ._send import send_flow
from ._steps import Flow, Sleep
from ._types import VideoModel, VideoSeconds, VideoSize

__all__ = ["BatchJob", "BatchResult", "BatchRun", "Manifest", "Throttle", "as_jobs", "job_flow"]

BatchStatus = Literal["completed", "failed", "timed_out", "error"]


@dataclass(frozen=True)
class BatchJob:
    """One video to make in a batch: a prompt and the ``create`` parameters.

    Attributes:
        idempotency_key: Left out, it is derived from the job's content and position, so
            running the same batch again never creates a job twice.
    """

    prompt: str
    model: VideoModel | None = None
    seconds: VideoSeconds | int | None = None
    size: VideoSize | None = None
    idempotency_key: str | None = None

    def keyed(self, index: int) -> BatchJob:
        """The job with its idempotency key filled in."""
        if self.idempotency_key:
            return self
        content = json.dumps([index, self.prompt, self.model, self.seconds, self.size])
        digest = hashlib.sha256(content.encode()).hexdigest()[:32]
        return replace(self, idempotency_key=f"sora-videos-batch-{digest}")


@dataclass
class BatchResult:
    """What became of one job.

    Attributes:
        status: ``completed``, ``failed`` (the job failed: see ``error``), ``timed_out``
            (still running at ``max_wait``: resume with ``poll(video_id)``) or ``error``
            (it could not be created or checked: see ``error``).
        video_id: The job's id, once created.
        path: The downloaded file, when an ``output_dir`` was given.
    """

    job: BatchJob
    status: BatchStatus
    video_id: str | None = None
    video: Video | None = field(default=None, repr=False)
    error: SoraError | None = None
    path: Path | None = None

    def to_record(self) -> dict[str, object]:
        """The result as a manifest line."""
        return {
            **asdict(self.job),
            "id": self.video_id,
            "status": self.status,
            "file": str(self.path) if self.path else None,
            "error": str(self.error) if self.error else None,
        }


class Throttle:
    """A pause shared by every job of a batch: one job's 429 holds back them all."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = 0.0
        self._lock = threading.Lock()

    def pause(self, seconds: float) -> None:
        """Hold every job back for ``seconds`` from now (extends, never shortens)."""
        with self._lock:
            self._until = max(self._until, self._clock() + seconds)

    def remaining(self) -> float:
        """Seconds left before jobs may send again."""
        with self._lock:
            return max(self._until - self._clock(), 0.0)


def job_flow(
    config: ClientConfig,
    job: BatchJob,
    *,
    throttle: Throttle,
    max_wait: float | None,
    poll_interval: float | None,
    output_dir: str | os.PathLike[str] | None = None,
    resume_id: str | None = None,
) -> Flow[BatchResult]:
    """Create (or resume) one job, wait for it and download it; every outcome is a result,
    never raised."""
    video_id = resume_id
    try:
        if video_id is None:
            video_id = (yield from _create(config, job, throttle)).id
        video = yield from poll_flow(
            config,
            ops.retrieve(video_id),
            {},
            max_wait=max_wait,
            poll_interval=poll_interval,
            on_progress=None,
        )
        path = None if output_dir is None else (yield from _save(config, video.id, output_dir))
    except VideoFailedError as err:
        return BatchResult(job, "failed", err.video.id, err.video, err)
    except PollTimeoutError as err:
        return BatchResult(job, "timed_out", err.video.id, err.video, err)
    except SoraError as err:
        return BatchResult(job, "error", video_id, None, err)
    return BatchResult(job, "completed", video.id, video, path=path)


def _save(config: ClientConfig, video_id: str, output_dir: str | os.PathLike[str]) -> Flow[Path]:
    path = Path(output_dir) / ops.media_filename(video_id, "video")
    return (yield from download_flow(config, ops.content(video_id, variant="video"), {}, path))


class BatchRun:
    """What the jobs of one batch share: settings, the throttle and the manifest."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        manifest: str | os.PathLike[str] | None,
        output_dir: str | os.PathLike[str] | None,
        max_wait: float | None,
        poll_interval: float | None,
    ) -> None:
        self._config = config
        self._book = Manifest(manifest)
        self._throttle = Throttle()
        self._output_dir = output_dir
        self._max_wait = max_wait
        self._poll_interval = poll_interval
        if output_dir is not None:
            Path(output_dir).mkdir(parents=True, exist_ok=True)

    def done(self, job: BatchJob) -> BatchResult | None:
        """The earlier result of a job that needs nothing more (from the manifest)."""
        return self._book.done(job)

    def flow(self, job: BatchJob) -> Flow[BatchResult]:
        """The job's flow, resuming by id if an earlier run created it."""
        return job_flow(
            self._config,
            job,
            throttle=self._throttle,
            max_wait=self._max_wait,
            poll_interval=self._poll_interval,
            output_dir=self._output_dir,
            resume_id=self._book.created_id(job),
        )

    def record(self, result: BatchResult) -> None:
        """Write a settled result to the manifest."""
        self._book.record(result)


def _create(config: ClientConfig, job: BatchJob, throttle: Throttle) -> Flow[Video]:
    spec = ops.create(
        prompt=job.prompt,
        model=job.model,
        seconds=job.seconds,
        size=job.size,
        input_reference=None,
        idempotency_key=job.idempotency_key,
    )
    # One retry budget for the whole create, however long the batch is held back: a 429
    # pauses every job of the batch (through the throttle), not only this one.
    budget = config.retry_policy.budget(on_rate_limit=throttle.pause)
    wait = throttle.remaining()
    if wait > 0:
        yield Sleep(wait)
    response = yield from send_flow(config, spec, {}, budget=budget)
    return parse_model(Video, response)


def as_jobs(requests: Iterable[str | BatchJob]) -> list[BatchJob]:
    """Prompts or jobs, as keyed jobs."""
    jobs = [BatchJob(prompt=r) if isinstance(r, str) else r for r in requests]
    return [job.keyed(index) for index, job in enumerate(jobs)]


class Manifest:
    """A JSON-lines record of a batch's results, so that a re-run skips what is done.

    A job is found again by its idempotency key: completed with its file present, it is
    skipped; created but unfinished, it is polled again rather than created anew.
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._records: dict[str, Mapping[str, object]] = {}
        if self.path is not None and self.path.exists():
            for line in self.path.read_text().splitlines():
                if line.strip():
                    record = json.loads(line)
                    self._records[str(record.get("idempotency_key"))] = record

    def done(self, job: BatchJob) -> BatchResult | None:
        """The earlier result of a job that needs nothing more, if any."""
        record = self._records.get(str(job.idempotency_key))
        if record is None or record.get("status") != "completed":
            return None
        file = record.get("file")
        if file is not None and not Path(str(file)).exists():
            return None
        path = Path(str(file)) if file is not None else None
        return BatchResult(job, "completed", str(record["id"]), path=path)

    def created_id(self, job: BatchJob) -> str | None:
        """The id of a job created by an earlier run, if it got that far."""
        record = self._records.get(str(job.idempotency_key))
        video_id = record.get("id") if record else None
        return str(video_id) if video_id else None

    def record(self, result: BatchResult) -> None:
        """Append a result (thread-safe)."""
        if self.path is None:
            return
        line = json.dumps(result.to_record()) + "\n"
        with self._lock, self.path.open("a") as file:
            file.write(line)
