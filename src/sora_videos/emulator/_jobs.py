"""Video jobs and characters, and how a job looks at a given moment: pure functions of time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, TypedDict

__all__ = [
    "Character",
    "CharacterJSON",
    "Job",
    "JobError",
    "Timing",
    "VideoJSON",
    "character_json",
    "expires_at",
    "poll_after_ms",
    "run_span",
    "running",
    "status_at",
    "video_json",
]

Status = Literal["queued", "in_progress", "completed", "failed"]


@dataclass(frozen=True)
class Timing:
    """How long jobs take, in seconds (divided by the clock's ``speed`` when a job starts).

    Args:
        queued: Time spent ``queued``.
        rendering: Time spent ``in_progress``, for a 4-second video; longer videos take
            proportionally longer.
        expires_after: How long the media stays downloadable after completion.
        poll_after: A fixed poll hint: ``openai-poll-after-ms`` on retrieve and list answers
            while a job runs is this many seconds (divided by the clock's speed). When
            ``None``, the hint is the time left in the job's current phase.
    """

    queued: float = 2.0
    rendering: float = 8.0
    expires_after: float = 3600.0
    poll_after: float | None = None


@dataclass(frozen=True)
class JobError:
    """Why a job failed: the ``error`` object of a failed video."""

    code: str
    message: str


@dataclass(frozen=True)
class Job:
    """A video job as stored: everything else is derived from these fields and the time."""

    id: str
    model: str
    prompt: str
    size: str
    seconds: float
    created_at: float
    queued_for: float
    render_for: float
    expires_after: float
    error: JobError | None = None
    remixed_from_video_id: str | None = None
    owner: str = ""


@dataclass(frozen=True)
class Character:
    """A character made from an uploaded video."""

    id: str
    name: str
    created_at: float


class ErrorJSON(TypedDict):
    """The ``error`` object of a failed video."""

    code: str
    message: str


class VideoJSON(TypedDict):
    """A video job exactly as the API returns it."""

    id: str
    object: Literal["video"]
    model: str
    status: Status
    progress: int
    created_at: int
    completed_at: int | None
    expires_at: int | None
    prompt: str | None
    size: str
    seconds: str
    remixed_from_video_id: str | None
    error: ErrorJSON | None


class CharacterJSON(TypedDict):
    """A character exactly as the API returns it."""

    id: str
    name: str
    created_at: int


def _finished_at(job: Job) -> float:
    return job.created_at + job.queued_for + job.render_for


def status_at(job: Job, now: float) -> Status:
    """Return the job's status at time ``now``."""
    if now < job.created_at + job.queued_for:
        return "queued"
    if now < _finished_at(job):
        return "in_progress"
    return "failed" if job.error else "completed"


def _progress(job: Job, now: float, status: Status) -> int:
    if status == "queued":
        return 0
    if status == "in_progress":
        done = (now - job.created_at - job.queued_for) / job.render_for
        return min(99, int(done * 100))
    return 100 if status == "completed" else 0


def expires_at(job: Job) -> int:
    """Return when a completed job's media stops being downloadable (Unix seconds)."""
    return int(_finished_at(job) + job.expires_after)


def video_json(job: Job, now: float) -> VideoJSON:
    """Return the job as the API shows it at time ``now``."""
    status = status_at(job, now)
    done = status == "completed"
    error = job.error if status == "failed" else None
    return {
        "id": job.id,
        "object": "video",
        "model": job.model,
        "status": status,
        "progress": _progress(job, now, status),
        "created_at": int(job.created_at),
        "completed_at": int(_finished_at(job)) if done else None,
        "expires_at": expires_at(job) if done else None,
        "prompt": job.prompt,
        "size": job.size,
        "seconds": f"{job.seconds:g}",
        "remixed_from_video_id": job.remixed_from_video_id,
        "error": {"code": error.code, "message": error.message} if error else None,
    }


def running(job: Job, now: float) -> bool:
    """Whether the job is queued or rendering at ``now``."""
    return now < _finished_at(job)


def run_span(job: Job) -> tuple[float, float]:
    """When the job starts and stops rendering."""
    return job.created_at + job.queued_for, _finished_at(job)


def poll_after_ms(job: Job, now: float) -> int | None:
    """Suggest when to look again: when the current phase ends (1 ms to 5 s), or ``None``."""
    if now < job.created_at + job.queued_for:
        left = job.created_at + job.queued_for - now
    elif now < _finished_at(job):
        left = _finished_at(job) - now
    else:
        return None
    return max(1, min(5000, math.ceil(left * 1000)))


def character_json(character: Character) -> CharacterJSON:
    """Return the character as the API shows it."""
    return {"id": character.id, "name": character.name, "created_at": int(character.created_at)}
