"""Many jobs at once: what a batch decides, apart from how it runs things at once.

``BatchRun`` holds everything the jobs of one batch share (settings, the manifest that gives
each job its identity, the ``Throttle`` that pauses them all on a 429, the ``Fleet`` that
polls them together) and makes every decision as a pure flow or method: how each job starts
(``start``), its create (``create_flow``), one poll round for every job on the server
(``round_flow``), its download (``download_flow``), its result (``settle``). The runners in
``_batching.py`` (threads or tasks) only perform those flows concurrently.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

from . import _operations as ops
from ._config import ClientConfig
from ._download import download_flow
from ._exceptions import PollTimeoutError, RateLimitError, SoraError, VideoFailedError
from ._files import StaleParts
from ._fleet import Fleet
from ._manifest import JobRecord, Manifest
from ._models import Video
from ._poll import poll_delay
from ._response import parse_model
from ._send import send_flow
from ._steps import Flow, Sleep
from ._types import VideoModel, VideoSeconds, VideoSize

__all__ = ["BatchJob", "BatchResult", "BatchRun", "Entry", "RoundOutcome", "Throttle"]

BatchStatus = Literal["completed", "failed", "timed_out", "error"]
Start = Literal["create", "watch", "download"]
WINDOW = 256
"""Jobs planned in the manifest at once (one ``fsync``), then run."""
RATE_LIMIT_PAUSE = 1.0
"""The pause after a poll's 429 that did not say how long to wait."""
MAX_PAUSE = 60.0
"""The longest pause a poll's 429 imposes on the batch."""
_COMPLETED = frozenset({"completed", "succeeded"})


@dataclass(frozen=True)
class BatchJob:
    """One video to make in a batch: a prompt and the ``create`` parameters.

    Attributes:
        idempotency_key: Left out, a fresh key is minted for the job and kept in the
            manifest, where a re-run finds it again by the job's content.
    """

    prompt: str
    model: VideoModel | None = None
    seconds: VideoSeconds | int | None = None
    size: VideoSize | None = None
    idempotency_key: str | None = None


@dataclass
class BatchResult:
    """What became of one job.

    Attributes:
        status: ``completed``, ``failed`` (the job failed: see ``error``), ``timed_out``
            (still running at ``max_wait``: resume with ``poll(video_id)``) or ``error``
            (it could not be created, checked or downloaded: see ``error``).
        video_id: The job's id, once created.
        path: The downloaded file, when an ``output_dir`` was given.
        index: The job's position in the batch's ``requests``.
    """

    job: BatchJob
    status: BatchStatus
    video_id: str | None = None
    video: Video | None = field(default=None, repr=False)
    error: SoraError | None = None
    path: Path | None = None
    index: int | None = None

    def to_record(self) -> dict[str, object]:
        """The result as plain data (what the CLI prints with ``--json``)."""
        return {
            **asdict(self.job),
            "id": self.video_id,
            "status": self.status,
            "file": str(self.path) if self.path else None,
            "error": str(self.error) if self.error else None,
        }


class Throttle:
    """A pause shared by every job of a batch: one 429 holds back every create and poll."""

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


@dataclass(eq=False)
class Entry:
    """One job while the batch works on it: its place, its identity, its last state."""

    index: int
    job: BatchJob
    record: JobRecord
    deadline: float | None = None
    video: Video | None = None


@dataclass
class RoundOutcome:
    """What one poll round ended: jobs settled, and finished jobs to download. Each of them
    has left the server's queue (frees one ``max_pending`` slot)."""

    settled: list[BatchResult] = field(default_factory=list[BatchResult])
    downloads: list[Entry] = field(default_factory=list[Entry])


class BatchRun:
    """The shared state and the decisions of one batch."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        manifest: str | os.PathLike[str] | None,
        output_dir: str | os.PathLike[str] | None,
        max_wait: float | None,
        poll_interval: float | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._book = Manifest(manifest)
        self._output_dir = None if output_dir is None else Path(output_dir)
        self._max_wait = max_wait
        self._poll_interval = poll_interval
        self._clock = clock
        self.throttle = Throttle(clock)
        self.fleet = Fleet(max_wait=None, poll_interval=poll_interval, clock=clock)
        self._watched: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self._round_error: SoraError | None = None
        self._stale: StaleParts | None = None
        if self._output_dir is not None:
            self._output_dir.mkdir(parents=True, exist_ok=True)
            self._stale = StaleParts(self._output_dir)  # scanned once, at the first download

    def windows(self, requests: Iterable[str | BatchJob]) -> Iterator[list[Entry]]:
        """The jobs, a window at a time, each window planned in the manifest (keys on disk)
        before it is handed out; ``requests`` is read lazily."""
        jobs = (BatchJob(r) if isinstance(r, str) else r for r in requests)
        index = 0
        while chunk := list(itertools.islice(jobs, WINDOW)):
            records = self._book.plan([asdict(job) for job in chunk])
            yield [
                Entry(index + n, replace(job, idempotency_key=record.key), record)
                for n, (job, record) in enumerate(zip(chunk, records, strict=True))
            ]
            index += len(chunk)

    def start(self, entry: Entry) -> Start | BatchResult:
        """How a job begins: created, watched (an earlier run created it), downloaded (it
        completed without a file), or already done (its result, from the manifest)."""
        record = entry.record
        if record.video_id is None:
            return "create"
        if record.status != "completed":
            return "watch"
        file = Path(record.file) if record.file else None
        if file is not None and not file.exists():
            file = None
        if file is None and self._output_dir is not None:
            return "download"
        result = BatchResult(entry.job, "completed", record.video_id, path=file)
        return self.settle(entry, result, write=False)

    def create_flow(self, entry: Entry) -> Flow[BatchResult | None]:
        """Create the job (after the batch's pause, if any): ``None`` once it is watched, or
        its ``error`` result."""
        try:
            video = yield from _create(self._config, entry.job, self.throttle)
        except SoraError as err:
            return self.settle(entry, BatchResult(entry.job, "error", error=err))
        self._book.created(entry.record, video.id)
        self.watch(entry, video)
        return None

    def watch(self, entry: Entry, video: Video | None = None) -> None:
        """Have the fleet poll the job (its ``max_wait`` starts now)."""
        video_id = video.id if video is not None else str(entry.record.video_id)
        entry.video = video
        entry.deadline = None if self._max_wait is None else self._clock() + self._max_wait
        with self._lock:
            self._watched[video_id] = entry
        self.fleet.add(video if video is not None else video_id)

    @property
    def watching(self) -> bool:
        """Whether jobs are on the server, waiting to be polled."""
        return bool(self.fleet)

    def round_flow(self) -> Flow[RoundOutcome]:
        """Wait for the next round, then check every watched job at once (see ``Fleet``).

        A 429 pauses the whole batch and the jobs are checked again later; only a job's own
        ``max_wait`` ends its wait.
        """
        yield Sleep(self._next_wait())
        try:
            found = yield from self.fleet.check_now(self._config, {})
        except RateLimitError as err:
            self.throttle.pause(min(err.retry_after or RATE_LIMIT_PAUSE, MAX_PAUSE))
            return self.round_failed(None)
        except SoraError as err:
            return self.round_failed(err)
        self._round_error = None
        outcome = RoundOutcome()
        for video in found.finished:
            entry = self._unwatch(video.id)
            if entry is None:
                continue
            entry.video = video
            if video.status not in _COMPLETED:
                failed = BatchResult(entry.job, "failed", video.id, video, VideoFailedError(video))
                outcome.settled.append(self.settle(entry, failed))
            elif self._output_dir is not None:
                outcome.downloads.append(entry)
            else:
                outcome.settled.append(self.settle(entry, BatchResult(entry.job, "completed")))
        for video_id, error in found.errors.items():
            entry = self._unwatch(video_id)
            if entry is None:
                continue
            outcome.settled.append(self.settle(entry, BatchResult(entry.job, "error", error=error)))
        with self._lock:
            for video in found.running:
                if video.id in self._watched:
                    self._watched[video.id].video = video
        outcome.settled.extend(self._expired())
        return outcome

    def round_failed(self, error: BaseException | None) -> RoundOutcome:
        """A round that could not be completed: the jobs wait for the next one, except those
        whose ``max_wait`` is over (``error`` is the reason, ``None`` for a rate limit)."""
        if error is not None:
            self._round_error = as_sdk_error(error)
        return RoundOutcome(settled=self._expired())

    def download_flow(self, entry: Entry) -> Flow[BatchResult]:
        """Download the completed job into ``output_dir``; its ``completed`` or ``error``
        result."""
        assert self._output_dir is not None
        video_id = str(entry.record.video_id)
        spec = ops.content(video_id, variant="video")
        target = self._output_dir / ops.media_filename(video_id, "video")
        try:
            path = yield from download_flow(self._config, spec, {}, target, stale=self._stale)
        except SoraError as err:
            return self.settle(entry, BatchResult(entry.job, "error", error=err))
        return self.settle(entry, BatchResult(entry.job, "completed", path=path))

    def failed(self, entry: Entry, error: BaseException) -> BatchResult:
        """The ``error`` result of a job whose flow raised something unexpected."""
        return self.settle(entry, BatchResult(entry.job, "error", error=as_sdk_error(error)))

    def settle(self, entry: Entry, result: BatchResult, *, write: bool = True) -> BatchResult:
        """Complete a job's result, record it in the manifest and let go of the job."""
        result.index = entry.index
        result.video_id = result.video_id or entry.record.video_id
        result.video = result.video or entry.video
        if write:
            self._book.settled(
                entry.record,
                status=result.status,
                video_id=result.video_id,
                file=str(result.path) if result.path else None,
                error=str(result.error) if result.error else None,
            )
        self._book.forget(entry.record)
        return result

    def _unwatch(self, video_id: str) -> Entry | None:
        self.fleet.discard(video_id)
        with self._lock:
            return self._watched.pop(video_id, None)

    def _next_wait(self) -> float:
        delay = self.fleet.delay
        if delay is None:  # a job just created is not checked at once
            delay = poll_delay({}, self._poll_interval)
        delay = max(delay, self.throttle.remaining())
        with self._lock:
            deadlines = [e.deadline for e in self._watched.values() if e.deadline is not None]
        if deadlines:
            delay = min(delay, min(deadlines) - self._clock())
        return max(delay, 0.0)

    def _expired(self) -> list[BatchResult]:
        now = self._clock()
        with self._lock:
            over = [i for i, e in self._watched.items() if e.deadline and e.deadline <= now]
        results: list[BatchResult] = []
        for video_id in over:
            entry = self._unwatch(video_id)
            if entry is None:
                continue
            last = entry.video or Video(id=video_id, status="queued")
            error = self._round_error or PollTimeoutError(last, self._max_wait or 0.0)
            status: BatchStatus = "error" if self._round_error else "timed_out"
            results.append(self.settle(entry, BatchResult(entry.job, status, error=error)))
        return results


def as_sdk_error(error: BaseException) -> SoraError:
    """An unexpected exception as a ``SoraError`` (its message names only its type: its text
    may quote what it was given, such as a header value)."""
    if isinstance(error, SoraError):
        return error
    wrapped = SoraError(f"unexpected {type(error).__name__} while working on this job")
    wrapped.__cause__ = error
    return wrapped


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
