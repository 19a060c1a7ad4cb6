"""``Sora`` and ``AsyncSora``: settings, the connection pool, and the resources on top."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Final, Generic, TypeVar

import httpx
from typing_extensions import Self

from ._config import DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, ClientConfig
from ._engine import AsyncEngine, Engine
from .servers import ServerProfile

if TYPE_CHECKING:
    from ._async.videos import AsyncVideos
    from ._sync.videos import Videos

__all__ = ["NOT_GIVEN", "AsyncSora", "NotGiven", "Sora"]

DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


class NotGiven:
    """Marks an option left out, where ``None`` has a meaning of its own (no timeout)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


EngineT = TypeVar("EngineT", Engine, AsyncEngine)


class _Client(Generic[EngineT]):
    _engine: EngineT

    @property
    def _config(self) -> ClientConfig:
        return self._engine.config

    @property
    def api_key(self) -> str:
        """The API key requests are sent with (``""`` when none: a keyless server, or a token
        provider)."""
        return self._config.api_key

    @property
    def base_url(self) -> httpx.URL:
        """The server this client talks to."""
        return self._config.base_url

    @property
    def max_retries(self) -> int:
        """Retries after a failed attempt (connection errors, 408, 409, 429, 5xx)."""
        return self._config.max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        """The default timeout of each request."""
        return self._config.timeout

    @property
    def server(self) -> ServerProfile:
        """The kind of server this client talks to (``sora_videos.servers``)."""
        return self._config.server

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
        max_body_size: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str | int | float | bool] | None = None,
        server: str | ServerProfile | None = None,
    ) -> Self:
        """A copy with some settings changed, sharing this client's connection pool.

        Closing the copy leaves the pool open; close the original when done.

        Raises:
            UnknownServerError: ``server`` names no preset.
        """
        config = self._config.with_changes(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            max_retries=max_retries,
            max_body_size=max_body_size,
            default_headers=default_headers,
            default_query=default_query,
            server=server,
        )
        if not isinstance(timeout, NotGiven):
            no_limit = httpx.Timeout(None)
            config = config.with_changes(timeout=no_limit if timeout is None else timeout)
        copy = type(self).__new__(type(self))
        copy._engine = self._engine.sharing_pool(config)
        return copy

    copy = with_options  # openai's name for it

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={str(self.base_url)!r}, server={self.server.name!r})"
        )


class Sora(_Client[Engine]):
    """A client of the Videos API.

    Args:
        api_key: Defaults to ``OPENAI_API_KEY``.
        base_url: Any server that speaks the API; defaults to ``OPENAI_BASE_URL``, then
            ``https://api.openai.com/v1``.
        organization: Sent as ``OpenAI-Organization``; defaults to ``OPENAI_ORG_ID``.
        project: Sent as ``OpenAI-Project``; defaults to ``OPENAI_PROJECT_ID``.
        timeout: Seconds (or an ``httpx.Timeout``, whose ``read`` value counts) that each
            attempt of a request may take in all, answer included; for media downloads, the
            wait for the answer and for each read. ``None`` waits forever.
        max_retries: Retries after a failed attempt; 0 turns retries off.
        max_body_size: The most bytes read of a JSON or error answer, decoded size
            included (8 MiB by default); a larger answer is an
            ``APIResponseValidationError``.
        default_headers: Headers sent with every request.
        default_query: Query parameters sent with every request.
        server: The kind of server: a preset name (``"azure"``, ``"litellm"``,
            ``"vllm-omni"``, ``"sglang"``, ``"tensorrt-llm"``) or a ``ServerProfile``; defaults
            to ``SORA_VIDEOS_SERVER``, then the publisher's API (see docs/servers.md).
        http_client: Your own ``httpx.Client`` (proxies, transports); you close it.

    Raises:
        SoraError: No API key was given or found in the environment (and the server needs
            one), the key has a control character inside it, or another server than the
            publisher's was chosen without ``base_url``.
        UnknownServerError: ``server`` names no preset.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | httpx.URL | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str | int | float | bool] | None = None,
        server: str | ServerProfile | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        config = ClientConfig.resolve(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            max_body_size=max_body_size,
            default_headers=default_headers,
            default_query=default_query,
            server=server,
        )
        self._start(config, http_client)

    def _start(self, config: ClientConfig, http_client: httpx.Client | None) -> None:
        http = http_client or httpx.Client(timeout=config.timeout, limits=DEFAULT_LIMITS)
        self._engine = Engine(config, http, owns_http=http_client is None)

    @cached_property
    def videos(self) -> Videos:
        """Create, list, poll and download videos."""
        from ._sync.videos import Videos

        return Videos(self._engine)

    def close(self) -> None:
        """Close the connection pool, unless it was passed in as ``http_client``."""
        self._engine.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncSora(_Client[AsyncEngine]):
    """A client of the Videos API.

    Args:
        api_key: Defaults to ``OPENAI_API_KEY``.
        base_url: Any server that speaks the API; defaults to ``OPENAI_BASE_URL``, then
            ``https://api.openai.com/v1``.
        organization: Sent as ``OpenAI-Organization``; defaults to ``OPENAI_ORG_ID``.
        project: Sent as ``OpenAI-Project``; defaults to ``OPENAI_PROJECT_ID``.
        timeout: Seconds (or an ``httpx.Timeout``, whose ``read`` value counts) that each
            attempt of a request may take in all, answer included; for media downloads, the
            wait for the answer and for each read. ``None`` waits forever.
        max_retries: Retries after a failed attempt; 0 turns retries off.
        max_body_size: The most bytes read of a JSON or error answer, decoded size
            included (8 MiB by default); a larger answer is an
            ``APIResponseValidationError``.
        default_headers: Headers sent with every request.
        default_query: Query parameters sent with every request.
        server: The kind of server: a preset name (``"azure"``, ``"litellm"``,
            ``"vllm-omni"``, ``"sglang"``, ``"tensorrt-llm"``) or a ``ServerProfile``; defaults
            to ``SORA_VIDEOS_SERVER``, then the publisher's API (see docs/servers.md).
        http_client: Your own ``httpx.AsyncClient`` (proxies, transports); you close it.

    Raises:
        SoraError: No API key was given or found in the environment (and the server needs
            one), the key has a control character inside it, or another server than the
            publisher's was chosen without ``base_url``.
        UnknownServerError: ``server`` names no preset.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | httpx.URL | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str | int | float | bool] | None = None,
        server: str | ServerProfile | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        config = ClientConfig.resolve(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            max_body_size=max_body_size,
            default_headers=default_headers,
            default_query=default_query,
            server=server,
        )
        self._start(config, http_client)

    def _start(self, config: ClientConfig, http_client: httpx.AsyncClient | None) -> None:
        http = http_client or httpx.AsyncClient(timeout=config.timeout, limits=DEFAULT_LIMITS)
        self._engine = AsyncEngine(config, http, owns_http=http_client is None)

    @cached_property
    def videos(self) -> AsyncVideos:
        """Create, list, poll and download videos."""
        from ._async.videos import AsyncVideos

        return AsyncVideos(self._engine)

    async def close(self) -> None:
        """Close the connection pool, unless it was passed in as ``http_client``."""
        await self._engine.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
