"""``Emulator``: the Videos API in a box, reachable in-process, as ASGI, or over HTTP."""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypedDict

import httpx
from typing_extensions import Self, Unpack

from ._asgi import AsgiApp
from ._clock import Clock, RealClock
from ._core import Core, FailurePolicy
from ._exchange import Exchange, RequestLog, RequestRecord
from ._faults import Faults, apply_fault
from ._http import Disconnect, Request, Response
from ._jobs import Timing, VideoJSON, video_json
from ._routes import api_path, dispatch
from ._server import serve_in_thread
from ._state import MemoryStore, SqliteStore
from ._transport import AsyncEmulatorTransport, EmulatorTransport

if TYPE_CHECKING:
    from sora_videos import AsyncSora, Sora

__all__ = ["BASE_URL", "ClientOptions", "Emulator"]

BASE_URL = "http://emulator.invalid/v1"


class ClientOptions(TypedDict, total=False):
    """What ``Emulator.client()`` and ``async_client()`` pass on to the SDK client."""

    organization: str | None
    project: str | None
    timeout: float | httpx.Timeout | None
    max_retries: int
    default_headers: dict[str, str] | None


class Emulator:
    """A local emulator of the Videos API, with real job lifecycles, media, faults and a log.

    Args:
        clock: Decides when jobs move on; ``RealClock()`` when omitted.
        db_path: Keep state in this SQLite file instead of memory.
        timing: How long jobs stay queued and rendering, and when media expires.
        failure_rate: Probability that a new job fails (besides prompts with ``[fail]``).
        seed: Seeds the random failures and the fault rates.
        video_size_override: Pad every MP4 download to this many bytes (for benchmarks).
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        db_path: str | os.PathLike[str] | None = None,
        timing: Timing | None = None,
        failure_rate: float = 0.0,
        seed: int | None = None,
        video_size_override: int | None = None,
    ) -> None:
        self.clock: Clock = clock or RealClock()
        self.faults = Faults(seed)
        self.requests = RequestLog()
        store = MemoryStore() if db_path is None else SqliteStore(db_path)
        failures = FailurePolicy(failure_rate, random.Random(seed))
        self._core = Core(store, self.clock, timing or Timing(), failures, video_size_override)
        self.app = AsgiApp(self.handle)

    @property
    def video_size_override(self) -> int | None:
        """Bytes every MP4 download is padded to, or ``None`` for the real size."""
        return self._core.video_size_override

    @video_size_override.setter
    def video_size_override(self, size: int | None) -> None:
        self._core.video_size_override = size

    @property
    def jobs(self) -> list[VideoJSON]:
        """Every job not deleted, oldest first, as the API would show it now."""
        with self._core.store.transaction():
            jobs = self._core.store.jobs()
        now = self.clock.now()
        return [video_json(job, now) for job in jobs]

    def handle(self, request: Request) -> Exchange:
        """Answer one request without any I/O: the core every transport and server drives.

        Args:
            request: The request.

        Returns:
            The answer (with any injected fault to act out) and its log record.
        """
        record = RequestRecord.of(request)
        fault = self.faults.pick(request.method, api_path(request.path))
        answer: Response = apply_fault(fault, request, lambda r: dispatch(self._core, r))
        record.request_id = f"req_{secrets.token_hex(16)}"
        answer = answer.with_headers(("x-request-id", record.request_id))
        dropped = answer.disconnect == Disconnect()
        record.status = None if dropped else answer.status
        record.fault = fault.kind if fault else None
        self.requests.append(record)
        return Exchange(answer, record)

    def transport(self) -> EmulatorTransport:
        """Return a sync httpx transport answering from this emulator."""
        return EmulatorTransport(self.handle)

    def async_transport(self) -> AsyncEmulatorTransport:
        """Return an async httpx transport (asyncio or trio) answering from this emulator."""
        return AsyncEmulatorTransport(self.handle)

    def client(self, **options: Unpack[ClientOptions]) -> Sora:
        """Return a ``sora_videos.Sora`` client wired to this emulator in-process.

        Args:
            **options: Passed to ``Sora`` (e.g. ``max_retries=0``).
        """
        from sora_videos import Sora

        http_client = httpx.Client(transport=self.transport(), base_url=BASE_URL)
        return Sora(api_key="emulator", base_url=BASE_URL, http_client=http_client, **options)

    def async_client(self, **options: Unpack[ClientOptions]) -> AsyncSora:
        """Return a ``sora_videos.AsyncSora`` client wired to this emulator in-process.

        Args:
            **options: Passed to ``AsyncSora`` (e.g. ``max_retries=0``).
        """
        from sora_videos import AsyncSora

        http_client = httpx.AsyncClient(transport=self.async_transport(), base_url=BASE_URL)
        return AsyncSora(api_key="emulator", base_url=BASE_URL, http_client=http_client, **options)

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Generator[str, None, None]:
        """Serve this emulator over HTTP (uvicorn, in a thread) while the block runs.

        Args:
            host: The address to listen on.
            port: The port; 0 picks a free one.

        Yields:
            The base URL to give a client, e.g. ``http://127.0.0.1:54321/v1``.

        Raises:
            ImportError: If uvicorn is not installed (``pip install 'sora-videos[server]'``).
        """
        with serve_in_thread(self.app, host, port) as base_url:
            yield base_url

    def close(self) -> None:
        """Release the database, if any."""
        self._core.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
