"""Fleet polling: every job a client watches, checked together, one round per poll interval.

A round reads ``GET /videos`` newest first and stops paging as soon as every watched job has
been seen, or the page is older than the oldest watched job; the jobs a listing did not show
(a server without a listing, a proxy whose listing is partial, a single job) are retrieved one
by one. So a round costs one request for up to a hundred jobs instead of one per job. Pure:
the rounds are flows; the drivers perform their requests and sleeps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import httpx

from . import _operations as ops
from ._config import ClientConfig
from ._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    PollTimeoutError,
    SoraError,
    UnsupportedOperationError,
)
from ._models import Video, VideoList
from ._poll import poll_delay
from ._response import parse_model
from ._send import send_flow
from ._steps import Flow, Notify, Sleep
from ._types import RequestOptions
from .servers import OPENAI, ServerProfile, interpret_status

__all__ = ["Fleet", "Round", "is_settled"]

PAGE_SIZE = 100
BLIND_PAGES = 3
"""Pages read when the age of a watched job is not known yet (before its first sighting)."""
USELESS_ROUNDS = 2
"""Listings that showed none of several watched jobs before the fleet stops listing."""


def is_settled(video: Video, profile: ServerProfile = OPENAI) -> bool:
    """Whether the job has finished, one way or the other (polling it further is useless),
    in the words of the server's ``profile``."""
    return interpret_status(video.status, profile) != "waiting"


@dataclass
class Round:
    """What one check of the fleet found.

    Attributes:
        finished: Jobs that settled (completed or failed), in the order they finished.
        running: Jobs seen still running.
        errors: Jobs that could not be checked, by id (e.g. deleted meanwhile).
        headers: The last answer's headers, for the next poll delay.
    """

    finished: list[Video] = field(default_factory=list[Video])
    running: list[Video] = field(default_factory=list[Video])
    errors: dict[str, SoraError] = field(default_factory=dict[str, SoraError])
    headers: Mapping[str, str] = field(default_factory=dict[str, str])


class Fleet:
    """The jobs one client watches. ``add`` is thread-safe, so a batch can add jobs as it
    creates them while another thread runs the rounds."""

    def __init__(
        self,
        video_ids: Iterable[str] = (),
        *,
        max_wait: float | None,
        poll_interval: float | None,
        can_list: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, Video | None] = dict.fromkeys(video_ids)
        self._clock = clock
        self._deadline = None if max_wait is None else clock() + max_wait
        self._max_wait = max_wait
        self._poll_interval = poll_interval
        self._can_list = can_list
        self._useless_rounds = 0
        self._delay: float | None = None  # None: the first round goes at once

    def add(self, video: Video | str) -> None:
        """Watch one more job (a ``Video`` tells its age, which saves listing pages)."""
        with self._lock:
            if isinstance(video, Video):
                self._latest[video.id] = video
            else:
                self._latest.setdefault(video, None)

    def discard(self, video_id: str) -> None:
        """Stop watching a job."""
        with self._lock:
            self._latest.pop(video_id, None)

    @property
    def pending(self) -> list[str]:
        """The ids still watched."""
        with self._lock:
            return list(self._latest)

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._latest)

    def check(
        self,
        config: ClientConfig,
        options: RequestOptions,
        *,
        on_progress: Callable[[Video], object] | None = None,
    ) -> Flow[Round]:
        """Wait until the next round is due, then check every watched job once.

        Settled jobs are no longer watched after the round that reports them.

        Raises:
            PollTimeoutError: ``max_wait`` passed with jobs still running (``.videos``).
        """
        if self._delay is not None:
            yield Sleep(self._wait())
        return (yield from self.check_now(config, options, on_progress=on_progress))

    @property
    def delay(self) -> float | None:
        """Seconds the server asked to wait after the last round (``None`` before the first)."""
        return self._delay

    def check_now(
        self,
        config: ClientConfig,
        options: RequestOptions,
        *,
        on_progress: Callable[[Video], object] | None = None,
    ) -> Flow[Round]:
        """Check every watched job once, at once: for a caller that keeps its own schedule
        (``delay`` says what the server asked). Settled jobs are no longer watched after."""
        result = yield from self._round(config, options)
        self._delay = poll_delay(result.headers, self._poll_interval)
        for video in self._record(result):
            if on_progress is not None:
                yield Notify(on_progress, video)
        return result

    def _wait(self) -> float:
        delay = self._delay or 0.0
        if self._deadline is None:
            return delay
        remaining = self._deadline - self._clock()
        if remaining <= 0 and self:
            with self._lock:
                last = [v if v is not None else _unseen(i) for i, v in self._latest.items()]
            raise PollTimeoutError(last[0], self._max_wait or 0.0, videos=last)
        return max(min(delay, remaining), 0.0)

    def _record(self, result: Round) -> list[Video]:
        """Keep the latest states; drop what settled or failed; the jobs that changed."""
        changed: list[Video] = []
        with self._lock:
            for video in [*result.finished, *result.running]:
                if video.id not in self._latest:
                    continue  # discarded meanwhile
                if self._latest.get(video.id) != video:
                    changed.append(video)
                self._latest[video.id] = video
            for video in result.finished:
                self._latest.pop(video.id, None)
            for video_id in result.errors:
                self._latest.pop(video_id, None)
        return changed

    def _round(self, config: ClientConfig, options: RequestOptions) -> Flow[Round]:
        with self._lock:
            watched = dict(self._latest)
        result = Round()
        seen: dict[str, Video] = {}
        if self._can_list and len(watched) > 1:
            seen, headers = yield from self._listing(config, options, watched)
            result.headers = headers
        for video_id in [i for i in watched if i not in seen]:
            try:
                response = yield from send_flow(config, ops.retrieve(video_id), options)
            except APIStatusError as err:
                if err.status_code not in (404, 410):
                    raise
                result.errors[video_id] = err
                continue
            seen[video_id] = parse_model(Video, response)
            result.headers = response.headers
        finished = [v for v in seen.values() if is_settled(v, config.server)]
        result.finished = sorted(finished, key=lambda v: v.completed_at or 0)
        result.running = [v for v in seen.values() if not is_settled(v, config.server)]
        return result

    def _listing(
        self, config: ClientConfig, options: RequestOptions, watched: Mapping[str, Video | None]
    ) -> Flow[tuple[dict[str, Video], httpx.Headers]]:
        """Newest-first pages until every watched job is seen or the pages are older."""
        ages = [v.created_at for v in watched.values() if v is not None and v.created_at]
        oldest = min(ages) if len(ages) == len(watched) else None
        seen: dict[str, Video] = {}
        headers = httpx.Headers()
        after: str | None = None
        cursors: set[str] = set()
        for _ in range(len(watched) // PAGE_SIZE + BLIND_PAGES if oldest is None else 1_000_000):
            spec = ops.list_page(after=after, limit=PAGE_SIZE, order="desc")
            try:
                response = yield from send_flow(config, spec, options)
            except UnsupportedOperationError:  # the profile, or the answer, says no listing
                self._can_list = False
                break
            except APIStatusError as err:
                if err.status_code not in (404, 405, 501):
                    raise
                self._can_list = False  # no listing here: retrieve each job from now on
                break
            try:
                page = parse_model(VideoList, response)
            except APIResponseValidationError:
                self._can_list = False  # a listing we cannot read (e.g. another job's bad id)
                break
            headers = response.headers
            seen.update((v.id, v) for v in page.data if v.id in watched)
            if len(seen) == len(watched) or not page.has_more or not page.data:
                break
            if oldest is not None and page.data[-1].created_at < oldest:
                break
            after = page.last_id or page.data[-1].id
            if after in cursors:
                break
            cursors.add(after)
        self._useless_rounds = 0 if seen else self._useless_rounds + 1
        if self._useless_rounds >= USELESS_ROUNDS:
            self._can_list = False  # a listing that never shows our jobs only costs requests
        return seen, headers


def _unseen(video_id: str) -> Video:
    """A stand-in for a watched job no answer has described yet."""
    return Video(id=video_id, status="queued")
