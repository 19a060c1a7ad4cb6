"""Where jobs, characters and idempotency keys live: in memory, or in a SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from collections.abc import Generator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from typing import Protocol

from ._jobs import Character, Job, JobError, run_span

__all__ = ["MemoryStore", "Page", "SqliteStore", "Store"]

Page = tuple[list[Job], bool]
"""One page of jobs and whether more follow it."""


class Store(Protocol):
    """The emulator's state. Callers group reads and writes in ``transaction()``."""

    def transaction(self) -> AbstractContextManager[None]: ...
    def add_job(self, job: Job) -> None: ...
    def get_job(self, job_id: str) -> Job | None: ...
    def delete_job(self, job_id: str) -> None: ...
    def jobs(self) -> list[Job]: ...
    def page(self, after: str | None, limit: int, *, newest_first: bool) -> Page | None: ...
    def busy_spans(self, owner: str, now: float) -> list[tuple[float, float]]: ...
    def add_character(self, character: Character) -> None: ...
    def get_character(self, character_id: str) -> Character | None: ...
    def recall(self, key: str) -> str | None: ...
    def remember(self, key: str, resource_id: str) -> None: ...
    def close(self) -> None: ...


class MemoryStore:
    """State in dictionaries, guarded by one re-entrant lock."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        self._order: list[str | None] = []  # every id, oldest first; None where one was deleted
        self._position: dict[str, int] = {}
        self._spans: dict[str, dict[str, tuple[float, float]]] = {}  # owner -> id -> span
        self._characters: dict[str, Character] = {}
        self._keys: dict[str, str] = {}

    @contextmanager
    def transaction(self) -> Generator[None, None, None]:
        """Hold the lock for a group of reads and writes."""
        with self._lock:
            yield

    def add_job(self, job: Job) -> None:
        """Store a new job."""
        with self._lock:
            self._jobs[job.id] = job
            self._position[job.id] = len(self._order)
            self._order.append(job.id)
            self._spans.setdefault(job.owner, {})[job.id] = run_span(job)

    def get_job(self, job_id: str) -> Job | None:
        """Return a job, or ``None`` if there is none with that id."""
        return self._jobs.get(job_id)

    def delete_job(self, job_id: str) -> None:
        """Forget a job."""
        with self._lock:
            job = self._jobs.pop(job_id, None)
            if job is None:
                return
            self._order[self._position.pop(job_id)] = None
            self._spans.get(job.owner, {}).pop(job_id, None)
            if len(self._order) > 2 * len(self._jobs) + 64:  # mostly holes: close them up
                ids = list(self._jobs)
                self._order = list[str | None](ids)
                self._position = {job_id: index for index, job_id in enumerate(ids)}

    def jobs(self) -> list[Job]:
        """Return every job, oldest first."""
        return list(self._jobs.values())

    def page(self, after: str | None, limit: int, *, newest_first: bool) -> Page | None:
        """Up to ``limit`` jobs after the job ``after`` (``None``: from the first) in the
        order asked for, and whether more follow; ``None`` if there is no job ``after``."""
        with self._lock:
            if after is None:
                start = len(self._order) - 1 if newest_first else 0
            elif after in self._position:
                start = self._position[after] + (-1 if newest_first else 1)
            else:
                return None
            step, stop = (-1, -1) if newest_first else (1, len(self._order))
            found: list[Job] = []
            for index in range(start, stop, step):
                job_id = self._order[index]
                if job_id is not None:
                    found.append(self._jobs[job_id])
                    if len(found) > limit:
                        break
        return found[:limit], len(found) > limit

    def busy_spans(self, owner: str, now: float) -> list[tuple[float, float]]:
        """When the owner's jobs that are not over at ``now`` start and stop rendering."""
        with self._lock:
            spans = self._spans.get(owner, {})
            for job_id in [job_id for job_id, (_, finish) in spans.items() if finish <= now]:
                del spans[job_id]  # over for good: clocks do not go back
            return list(spans.values())

    def add_character(self, character: Character) -> None:
        """Store a new character."""
        self._characters[character.id] = character

    def get_character(self, character_id: str) -> Character | None:
        """Return a character, or ``None``."""
        return self._characters.get(character_id)

    def recall(self, key: str) -> str | None:
        """Return the id created under an idempotency key, or ``None``."""
        return self._keys.get(key)

    def remember(self, key: str, resource_id: str) -> None:
        """Record the id created under an idempotency key."""
        self._keys[key] = resource_id

    def close(self) -> None:
        """Nothing to release."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, data TEXT);
CREATE TABLE IF NOT EXISTS characters (id TEXT PRIMARY KEY, data TEXT);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, id TEXT);
CREATE TABLE IF NOT EXISTS spans (id TEXT PRIMARY KEY, owner TEXT, start REAL, finish REAL);
CREATE INDEX IF NOT EXISTS spans_by_owner ON spans (owner, finish);
"""


def _job_from_json(text: str) -> Job:
    fields = json.loads(text)
    error = fields.pop("error")
    return Job(**fields, error=JobError(**error) if error else None)


def _private_file(path: str | os.PathLike[str]) -> None:
    """Create the file readable by its owner only (0600), or take group and other access away
    from an existing one: prompts are private."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode & 0o077:
            os.fchmod(fd, mode & 0o700)
    finally:
        os.close(fd)


class SqliteStore:
    """State in a SQLite file, so separate processes and restarts see the same jobs.

    The file (and SQLite's journal, which takes its mode) is readable by its owner only.

    Args:
        path: The database file; created (mode 0600) if missing, made 0600 if wider.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        _private_file(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.executescript(_SCHEMA)
        self._depth = 0

    @contextmanager
    def transaction(self) -> Generator[None, None, None]:
        """Run a group of reads and writes atomically, across threads and processes."""
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self._depth == 1:
                    self._db.execute("ROLLBACK")
                raise
            else:
                if self._depth == 1:
                    self._db.execute("COMMIT")
            finally:
                self._depth -= 1

    def _one(self, sql: str, *args: str) -> str | None:
        with self._lock:
            row: tuple[str] | None = self._db.execute(sql, args).fetchone()
        return row[0] if row else None

    def add_job(self, job: Job) -> None:
        """Store a new job."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO jobs (id, data) VALUES (?, ?)", (job.id, json.dumps(asdict(job)))
            )
            self._db.execute(
                "INSERT INTO spans VALUES (?, ?, ?, ?)", (job.id, job.owner, *run_span(job))
            )

    def get_job(self, job_id: str) -> Job | None:
        """Return a job, or ``None`` if there is none with that id."""
        text = self._one("SELECT data FROM jobs WHERE id = ?", job_id)
        return _job_from_json(text) if text else None

    def delete_job(self, job_id: str) -> None:
        """Forget a job."""
        with self.transaction():
            self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            self._db.execute("DELETE FROM spans WHERE id = ?", (job_id,))

    def jobs(self) -> list[Job]:
        """Return every job, oldest first."""
        with self._lock:
            rows: list[tuple[str]] = self._db.execute(
                "SELECT data FROM jobs ORDER BY seq"
            ).fetchall()
        return [_job_from_json(text) for (text,) in rows]

    def page(self, after: str | None, limit: int, *, newest_first: bool) -> Page | None:
        """Up to ``limit`` jobs after the job ``after`` (``None``: from the first) in the
        order asked for, and whether more follow; ``None`` if there is no job ``after``."""
        compare, order = ("<", "DESC") if newest_first else (">", "ASC")
        with self._lock:
            if after is None:
                start = (1 << 62) if newest_first else -1
            else:
                row: tuple[int] | None = self._db.execute(
                    "SELECT seq FROM jobs WHERE id = ?", (after,)
                ).fetchone()
                if row is None:
                    return None
                start = row[0]
            rows: list[tuple[str]] = self._db.execute(
                f"SELECT data FROM jobs WHERE seq {compare} ? ORDER BY seq {order} LIMIT ?",
                (start, limit + 1),
            ).fetchall()
        found = [_job_from_json(text) for (text,) in rows]
        return found[:limit], len(found) > limit

    def busy_spans(self, owner: str, now: float) -> list[tuple[float, float]]:
        """When the owner's jobs that are not over at ``now`` start and stop rendering (jobs
        stored by a version without this table are not counted)."""
        with self._lock:
            rows: list[tuple[float, float]] = self._db.execute(
                "SELECT start, finish FROM spans WHERE owner = ? AND finish > ?", (owner, now)
            ).fetchall()
        return rows

    def add_character(self, character: Character) -> None:
        """Store a new character."""
        with self._lock:
            self._db.execute(
                "INSERT INTO characters VALUES (?, ?)",
                (character.id, json.dumps(asdict(character))),
            )

    def get_character(self, character_id: str) -> Character | None:
        """Return a character, or ``None``."""
        text = self._one("SELECT data FROM characters WHERE id = ?", character_id)
        return Character(**json.loads(text)) if text else None

    def recall(self, key: str) -> str | None:
        """Return the id created under an idempotency key, or ``None``."""
        return self._one("SELECT id FROM idempotency WHERE key = ?", key)

    def remember(self, key: str, resource_id: str) -> None:
        """Record the id created under an idempotency key."""
        with self._lock:
            self._db.execute("INSERT INTO idempotency VALUES (?, ?)", (key, resource_id))

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
