"""A batch's manifest: each job's identity and fate, as JSON lines appended, never rewritten.

A job's idempotency key is minted once, written here (flushed to disk) *before* its first
``POST``, and found again on a re-run by the job's content, not its position: the first job
with a given prompt and parameters gets the first key recorded for that content, the second
the second, and so on. So a prompt added, removed or moved never makes another job pay twice,
and a batch with no manifest, or a new manifest, mints fresh keys and inherits nothing.

Lines, each a JSON object naming its job by ``idempotency_key``:

- ``{"idempotency_key", "event": "planned", "prompt", "model", "seconds", "size"}``: before
  the job's POST;
- ``{"idempotency_key", "event": "created", "id"}``: once the server returned the job;
- ``{"idempotency_key", "event": "settled", "id", "status", "file", "error"}``: its outcome.

Later lines win. Damage is survived: a truncated last line (a crash mid-write) is dropped
quietly; any other unreadable line is skipped with a ``ManifestWarning`` naming file and line.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

__all__ = ["JobRecord", "Manifest", "ManifestWarning", "job_content", "mint_key"]

CONTENT_FIELDS = ("prompt", "model", "seconds", "size")


class ManifestWarning(UserWarning):
    """A manifest line could not be read and was skipped (the rest of the file was used)."""


def mint_key() -> str:
    """A fresh idempotency key for one batch job."""
    return f"sora-videos-batch-{uuid.uuid4()}"


def job_content(job: Mapping[str, object]) -> str:
    """What makes two jobs the same job: their prompt and parameters, canonically."""
    return json.dumps([job.get(name) for name in CONTENT_FIELDS], sort_keys=True)


@dataclass
class JobRecord:
    """What the manifest knows of one job.

    Attributes:
        key: Its idempotency key.
        content: ``job_content`` of the job.
        video_id: The server's id, once created.
        status: Its last settled status (``completed``, ``failed``, ``timed_out``, ``error``).
        file: The file it was saved to, if any.
    """

    key: str
    content: str
    video_id: str | None = None
    status: str | None = None
    file: str | None = None


class Manifest:
    """The manifest of one batch (or none: then keys are minted and nothing is written)."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._records: dict[str, JobRecord] = {}
        self._by_content: dict[str, list[str]] = {}
        self._claimed: set[str] = set()
        self._cut_short = False  # the file ends mid-line: the next append starts a new one
        if self.path is not None and self.path.exists():
            self._load(self.path)

    def plan(self, jobs: Iterable[Mapping[str, object]]) -> list[JobRecord]:
        """Give each job its record: the one an earlier run wrote for the same content, or a
        new one with a fresh key (written and flushed to disk before this returns).

        ``jobs`` are mappings of the content fields, with ``idempotency_key`` when the caller
        chose one.
        """
        planned: list[JobRecord] = []
        lines: list[Mapping[str, object]] = []
        with self._lock:
            for job in jobs:
                record = self._match(job)
                if record is None:
                    key = str(job.get("idempotency_key") or mint_key())
                    record = JobRecord(key, job_content(job))
                    self._remember(record)
                    lines.append({"idempotency_key": key, "event": "planned", **_content_of(job)})
                self._claimed.add(record.key)
                planned.append(record)
            self._append(lines, durable=True)
        return planned

    def created(self, record: JobRecord, video_id: str) -> None:
        """Note the job's id as soon as the server returned it."""
        with self._lock:
            record.video_id = video_id
            self._append([{"idempotency_key": record.key, "event": "created", "id": video_id}])

    def settled(
        self,
        record: JobRecord,
        *,
        status: str,
        video_id: str | None,
        file: str | None,
        error: str | None,
    ) -> None:
        """Note the job's outcome."""
        with self._lock:
            record.status, record.file = status, file
            record.video_id = video_id or record.video_id
            line = {
                "idempotency_key": record.key,
                "event": "settled",
                "id": record.video_id,
                "status": status,
                "file": file,
                "error": error,
            }
            self._append([line])

    def forget(self, record: JobRecord) -> None:
        """Let go of a settled job's record, so a long batch's memory stays flat (it is on
        disk, and a job claimed in this run is never matched again in it)."""
        with self._lock:
            self._records.pop(record.key, None)
            self._claimed.discard(record.key)
            keys = self._by_content.get(record.content)
            if keys is not None and record.key in keys:
                keys.remove(record.key)
                if not keys:
                    del self._by_content[record.content]

    def _match(self, job: Mapping[str, object]) -> JobRecord | None:
        chosen = job.get("idempotency_key")
        if chosen:
            return self._records.get(str(chosen))
        for key in self._by_content.get(job_content(job), []):
            if key not in self._claimed:
                return self._records[key]
        return None

    def _remember(self, record: JobRecord) -> None:
        self._records[record.key] = record
        self._by_content.setdefault(record.content, []).append(record.key)

    def _append(self, lines: list[Mapping[str, object]], *, durable: bool = False) -> None:
        if self.path is None or not lines:
            return
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        if self._cut_short:
            text, self._cut_short = "\n" + text, False
        with self.path.open("a", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            if durable:  # the key must be on disk before the POST it protects
                os.fsync(file.fileno())

    def _load(self, path: Path) -> None:
        with path.open("rb") as file:
            for number, raw in enumerate(file, start=1):
                if not raw.strip():
                    continue
                problem = self._read_line(raw)
                self._cut_short = not raw.endswith(b"\n")  # the last line of a crash mid-write
                if problem is not None and not self._cut_short:
                    warnings.warn(
                        f"{path}, line {number}: {problem}; line skipped",
                        ManifestWarning,
                        stacklevel=4,
                    )

    def _read_line(self, raw: bytes) -> str | None:
        """Apply one line; what is wrong with it, or ``None``."""
        try:
            line: object = json.loads(raw)
        except ValueError:
            return "not valid JSON"
        if not isinstance(line, dict):
            return "not a JSON object"
        entry = cast("dict[str, object]", line)  # JSON object keys are strings
        key = entry.get("idempotency_key")
        if not isinstance(key, str) or not key:
            return "no job key"
        record = self._records.get(key)
        if record is None:
            if not isinstance(entry.get("prompt"), str):
                return f"job {key} was never planned"
            record = JobRecord(key, job_content(entry))
            self._remember(record)
        _apply(record, entry)
        return None


def _content_of(job: Mapping[str, object]) -> dict[str, object]:
    return {name: job.get(name) for name in CONTENT_FIELDS}


def _apply(record: JobRecord, entry: Mapping[str, object]) -> None:
    video_id, status, file = entry.get("id"), entry.get("status"), entry.get("file")
    if isinstance(video_id, str) and video_id:
        record.video_id = video_id
    if isinstance(status, str):
        record.status = status
        record.file = file if isinstance(file, str) else None
