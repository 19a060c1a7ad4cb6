"""``Emulator``: the Videos API in a box, reachable in-process, as ASGI, or over HTTP."""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Callable, Collection, Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypedDict

import httpx
from typing_extensions import Self, Unpack

from ._asgi import AsgiApp
from ._auth import Credentials
from ._clock import Clock, RealClock
from ._core import Core, FailurePolicy
from ._dialects import DialectName, dialect_named
from ._exchange import Exchange, RequestLog, RequestRecord
from ._faults import Faults, apply_fault
from ._http import Disconnect, Request, Response
from ._jobs import Timing, VideoJSON, video_json
from ._limits import RateLimit, RateLimiter
from ._routes import api_path, dispatch
from ._server import serve_in_thread
from ._state import MemoryStore, SqliteStore
from ._transport import AsyncEmulatorTransport, EmulatorTransport

if TYPE_CHECKING:
    from sora_videos import AsyncSora, Sora
    from sora_videos.servers import ServerProfile

__all__ = ["BASE_URL", "ClientOptions", "Emulator"]

ORIGIN = "http://emulator.invalid"
BASE_URL = f"{ORIGIN}/v1"


class ClientOptions(TypedDict, total=False):
    """What ``Emulator.client()`` and ``async_client()`` pass on to the SDK client."""

    organization: str | None
    project: str | None
    timeout: float | httpx.Timeout | None
    max_retries: int
    default_headers: dict[str, str] | None
    server: str | ServerProfile | None


class Emulator:
    """A local emulator of the Videos API, with real job lifecycles, media, faults and a log.

    Args:
        clock: Decides when jobs move on; ``RealClock()`` when omitted.
        db_path: Keep state in this SQLite file (mode 0600) instead of memory.
        timing: How long jobs stay queued and rendering, when media expires, the poll hint.
        failure_rate: Probability that a new job fails (besides prompts with ``[fail]``).
        seed: Seeds the random failures and the fault rates.
        video_size_override: Pad every MP4 download to this many bytes (for benchmarks).
        dialect: Answer as this server does: ``openai`` (the publisher's API), ``azure``,
            ``litellm``, ``vllm-omni``, ``sglang`` or ``tensorrt-llm``.
        api_keys: The API keys accepted, or ``None`` for any non-empty key (on servers whose
            key is optional: no key needed).
        bearer_tokens: Azure: the Microsoft Entra ID tokens accepted in
            ``Authorization: Bearer`` (a collection, or a function saying whether a token is
            valid), or ``None`` for any non-empty token.
        max_running_per_key: Jobs of one API key that render at once; later ones stay
            ``queued`` until a slot frees (``None``: no limit).
        rate_limit: Requests one API key may send per period; past it, 429 with
            ``retry-after``. Every answer then carries ``x-ratelimit-*`` headers.

    Raises:
        ValueError: If ``dialect`` is unknown or ``max_running_per_key`` is below 1.
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
        dialect: DialectName = "openai",
        api_keys: Collection[str] | None = None,
        bearer_tokens: Collection[str] | Callable[[str], bool] | None = None,
        max_running_per_key: int | None = None,
        rate_limit: RateLimit | None = None,
    ) -> None:
        if max_running_per_key is not None and max_running_per_key < 1:
            raise ValueError(f"max_running_per_key must be at least 1, got {max_running_per_key}")
        self.clock: Clock = clock or RealClock()
        self.dialect = dialect_named(dialect)
        self.faults = Faults(seed)
        self.requests = RequestLog()
        store = MemoryStore() if db_path is None else SqliteStore(db_path)
        self._core = Core(
            store,
            self.clock,
            timing or Timing(),
            FailurePolicy(failure_rate, random.Random(seed)),
            video_size_override,
            dialect=self.dialect,
            credentials=Credentials(api_keys, bearer_tokens),
            max_running_per_key=max_running_per_key,
            rate_limiter=None if rate_limit is None else RateLimiter(rate_limit, self.clock.speed),
        )
        self.app = AsgiApp(self.handle)

    @property
    def base_url(self) -> str:
        """The in-process base URL for this dialect, e.g. ``http://emulator.invalid/v1``."""
        return f"{ORIGIN}{self.dialect.root}"

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
        fault = self.faults.pick(request.method, api_path(request.path, self.dialect.root))
        answer: Response = apply_fault(
            fault, request, lambda r: dispatch(self._core, r), self.dialect.errors
        )
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
            **options: Passed to ``Sora`` (e.g. ``max_retries=0``); ``server`` defaults to
                this emulator's dialect (``server="openai"`` talks to it as to an unknown
                server would).
        """
        from sora_videos import Sora

        options.setdefault("server", self.dialect.name)
        http_client = httpx.Client(transport=self.transport(), base_url=self.base_url)
        return Sora(api_key="emulator", base_url=self.base_url, http_client=http_client, **options)

    def async_client(self, **options: Unpack[ClientOptions]) -> AsyncSora:
        """Return a ``sora_videos.AsyncSora`` client wired to this emulator in-process.

        Args:
            **options: Passed to ``AsyncSora`` (e.g. ``max_retries=0``); ``server`` defaults to
                this emulator's dialect.
        """
        from sora_videos import AsyncSora

        options.setdefault("server", self.dialect.name)
        http_client = httpx.AsyncClient(transport=self.async_transport(), base_url=self.base_url)
        return AsyncSora(
            api_key="emulator", base_url=self.base_url, http_client=http_client, **options
        )

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Generator[str, None, None]:
        """Serve this emulator over HTTP (uvicorn, in a thread) while the block runs.

        Args:
            host: The address to listen on.
            port: The port; 0 picks a free one.

        Yields:
            The base URL to give a client, e.g. ``http://127.0.0.1:54321/v1`` (on Azure
            ``.../openai/v1``).

        Raises:
            ImportError: If uvicorn is not installed (``pip install 'sora-videos[server]'``).
        """
        with serve_in_thread(self.app, host, port) as origin:
            yield f"{origin}{self.dialect.root}"

    def close(self) -> None:
        """Release the database, if any."""
        self._core.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
