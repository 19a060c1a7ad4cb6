"""The emulator's state and rules, shared by every handler: no sockets, no threads started."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ._auth import Credentials, request_key
from ._clock import Clock
from ._dialects import DIALECTS, Dialect
from ._errors import ApiError
from ._http import Request, Response, json_response
from ._jobs import Job, JobError, Timing, poll_after_ms, running, status_at
from ._limits import RateLimiter, key_fingerprint, slot_start
from ._shapes import new_video_id, video_body
from ._state import Store

__all__ = ["Core", "FailurePolicy"]

_FAIL_MARKER = re.compile(r"\[fail(?::([a-z0-9_]+))?\]")


@dataclass
class FailurePolicy:
    """Which new jobs fail: a ``[fail]`` (or ``[fail:<code>]``) prompt marker, or a seeded rate."""

    rate: float = 0.0
    rng: random.Random = field(default_factory=random.Random)

    def decide(self, prompt: str) -> JobError | None:
        """Return the error a job with this prompt will fail with, or ``None``."""
        marker = _FAIL_MARKER.search(prompt)
        if marker:
            code = marker.group(1) or "video_generation_failed"
            return JobError(code, f"Video generation failed ({code}): the prompt asked for it.")
        if self.rate and self.rng.random() < self.rate:
            return JobError("video_generation_failed", "Video generation failed (random failure).")
        return None


@dataclass
class Core:
    """Everything a handler needs: the store, the clock, timings, failures, dialect and limits."""

    store: Store
    clock: Clock
    timing: Timing = field(default_factory=Timing)
    failures: FailurePolicy = field(default_factory=FailurePolicy)
    video_size_override: int | None = None
    dialect: Dialect = field(default_factory=lambda: DIALECTS["openai"])
    credentials: Credentials = field(default_factory=Credentials)
    max_running_per_key: int | None = None
    rate_limiter: RateLimiter | None = None

    def new_job(
        self,
        *,
        model: str,
        prompt: str,
        size: str,
        seconds: float,
        remixed_from: str | None = None,
    ) -> Job:
        """Create a job that starts now (not stored, nor scheduled among the key's jobs yet)."""
        speed = self.clock.speed
        return Job(
            id=new_video_id(self.dialect),
            model=model,
            prompt=prompt,
            size=size,
            seconds=seconds,
            created_at=self.clock.now(),
            queued_for=self.timing.queued / speed,
            render_for=max(self.timing.rendering * seconds / 4 / speed, 1e-6),
            expires_after=self.timing.expires_after,
            error=self.failures.decide(prompt),
            remixed_from_video_id=remixed_from,
        )

    def job(self, video_id: str, *, param: str | None = None) -> Job:
        """Return a stored job.

        Raises:
            ApiError: 404 if there is no such job.
        """
        found = self.store.get_job(video_id)
        if found is None:
            message = f"No video found with id '{video_id}'."
            if self.dialect.errors != "openai":
                message = "Video not found"  # the self-hosted servers' words
            raise ApiError(404, message, param=param, code="video_not_found")
        return found

    def completed_job(self, video_id: str, *, param: str) -> Job:
        """Return a stored job that has completed, as a source for a remix, edit or extension.

        Raises:
            ApiError: 404 if there is no such job, 400 if it has not completed.
        """
        job = self.job(video_id, param=param)
        status = status_at(job, self.clock.now())
        if status != "completed":
            message = f"Video '{video_id}' is {status}; only a completed video can be used here."
            raise ApiError(400, message, param=param, code="invalid_video_status")
        return job

    def poll_hint(self, jobs: list[Job]) -> list[tuple[str, str]]:
        """The ``openai-poll-after-ms`` header for an answer showing ``jobs``, if any runs."""
        now = self.clock.now()
        live = [job for job in jobs if running(job, now)]
        if not live:
            return []
        if self.timing.poll_after is not None:
            millis = max(1, round(self.timing.poll_after * 1000 / self.clock.speed))
        else:
            millis = min(poll_after_ms(job, now) or 1 for job in live)
        return [("openai-poll-after-ms", str(millis))]

    def job_response(self, job: Job) -> Response:
        """Answer with a job as it is now, with ``openai-poll-after-ms`` while it is running."""
        now = self.clock.now()
        status = 200
        if self.dialect.failed_retrieve_status and status_at(job, now) == "failed":
            status = self.dialect.failed_retrieve_status
        return json_response(status, video_body(self.dialect, job, now), *self.poll_hint([job]))

    def _schedule(self, job: Job, owner: str) -> Job:
        """Give the job its owner and, under a running limit, a start after a free slot."""
        job = replace(job, owner=owner)
        if self.max_running_per_key is None:
            return job
        spans = self.store.busy_spans(owner, self.clock.now())  # not those already over
        ready = job.created_at + job.queued_for
        start = slot_start(ready, spans, self.max_running_per_key)
        return replace(job, queued_for=start - job.created_at)

    def create_once(self, request: Request, make: Callable[[], Job]) -> Response:
        """Create and store a job, unless this ``Idempotency-Key`` already created one.

        Args:
            request: The ``POST`` (its path and ``Idempotency-Key`` scope the replay).
            make: Builds the new job; called only when there is no earlier one.

        Returns:
            The new job, or the one the key created first.
        """
        key = request.header("idempotency-key")
        with self.store.transaction():
            earlier = self.store.recall(f"{request.path} {key}") if key else None
            if earlier is not None:
                return self.job_response(self.job(earlier))
            job = self._schedule(make(), key_fingerprint(request_key(request)))
            self.store.add_job(job)
            if key:
                self.store.remember(f"{request.path} {key}", job.id)
        return self.job_response(job)
