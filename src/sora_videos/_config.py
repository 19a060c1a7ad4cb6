"""Client settings: resolved once from arguments and the environment, then immutable."""

from __future__ import annotations

import ipaddress
import os
import platform
import re
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import httpx

from ._exceptions import SoraError
from ._pacing import Pacer
from ._retry import RetryPolicy
from ._version import __version__
from .servers import OPENAI, ServerProfile, auth_headers, resolve_server

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "SERVER_ENV",
    "ClientConfig",
    "TokenProvider",
    "check_header_values",
    "checked_api_key",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_BODY_SIZE = 8 * 1024 * 1024
USER_AGENT = f"sora-videos/{__version__} python/{platform.python_version()}"
SERVER_ENV = "SORA_VIDEOS_SERVER"

TokenProvider = Callable[[], "str | Awaitable[str]"]
"""A function returning a fresh bearer token (azure-identity's ``get_bearer_token_provider``)."""


@dataclass(frozen=True)
class ClientConfig:
    """Everything a request needs from its client: settings, and the ``pacer`` whose slots
    every request of the client takes. The key stays out of ``repr``.

    ``api_key`` is ``""`` when the server needs none or a ``token_provider`` authenticates.
    """

    api_key: str = field(repr=False)
    base_url: httpx.URL
    timeout: httpx.Timeout
    organization: str | None = None
    project: str | None = None
    max_retries: int = DEFAULT_MAX_RETRIES
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    default_headers: Mapping[str, str] = field(default_factory=dict[str, str], repr=False)
    default_query: Mapping[str, str | int | float | bool] = field(
        default_factory=dict[str, "str | int | float | bool"]
    )
    pacer: Pacer = field(default_factory=Pacer, repr=False, compare=False)
    server: ServerProfile = OPENAI
    token_provider: TokenProvider | None = field(default=None, repr=False)

    @classmethod
    def resolve(
        cls,
        *,
        api_key: str | None,
        base_url: str | httpx.URL | None,
        organization: str | None,
        project: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, str | int | float | bool] | None = None,
        server: str | ServerProfile | None = None,
        token_provider: TokenProvider | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        environ: Mapping[str, str] = os.environ,
    ) -> ClientConfig:
        """Settings from arguments, falling back to ``OPENAI_*`` environment variables (and
        ``SORA_VIDEOS_SERVER`` for the server).

        Raises:
            SoraError: No API key was given, ``OPENAI_API_KEY`` is not set and the server
                needs one; the key has a character no header can carry; or a server other
                than the publisher's was chosen without a ``base_url``.
            UnknownServerError: ``server`` names no preset.
            ValueError: ``max_retries`` or ``max_body_size`` is negative, or ``base_url``
                is not http(s).
        """
        profile = resolve_server(server if server is not None else environ.get(SERVER_ENV) or None)
        key = api_key if api_key is not None else environ.get("OPENAI_API_KEY", "")
        if not key.strip() and profile.auth != "optional" and token_provider is None:
            raise SoraError(
                "no API key: pass api_key= to the client or set the OPENAI_API_KEY "
                "environment variable"
            )
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, not {max_retries}")
        if max_body_size < 0:
            raise ValueError(f"max_body_size must be >= 0, not {max_body_size}")
        url = httpx.URL(base_url or environ.get("OPENAI_BASE_URL") or _default_url(profile))
        return cls(
            api_key=checked_api_key(key),
            base_url=_checked_base_url(url),
            organization=organization or environ.get("OPENAI_ORG_ID") or None,
            project=project or environ.get("OPENAI_PROJECT_ID") or None,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            max_retries=max_retries,
            max_body_size=max_body_size,
            default_headers=dict(default_headers or {}),
            default_query=dict(default_query or {}),
            server=profile,
            token_provider=token_provider,
        )

    def with_changes(self, **changes: object) -> ClientConfig:
        """A copy with some settings changed (``None`` values are ignored).

        The copy paces its requests with this one's ``pacer``, unless it talks to another
        server or as another account (key, organization, project), which has its own limits.
        """
        given = {name: value for name, value in changes.items() if value is not None}
        if given.keys() & {"api_key", "base_url", "organization", "project"}:
            given["pacer"] = Pacer()
        if "timeout" in given and not isinstance(given["timeout"], httpx.Timeout):
            given["timeout"] = httpx.Timeout(given["timeout"])  # type: ignore[arg-type]
        if "api_key" in given:
            given["api_key"] = checked_api_key(str(given["api_key"]))
        if "base_url" in given:
            given["base_url"] = _checked_base_url(httpx.URL(str(given["base_url"])))
        if "server" in given:
            given["server"] = resolve_server(given["server"])  # type: ignore[arg-type]
        return replace(self, **given)  # type: ignore[arg-type]

    @cached_property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy every operation of this client follows."""
        return RetryPolicy(max_retries=self.max_retries)

    @property
    def query(self) -> dict[str, str | int | float | bool]:
        """The query parameters every request carries: the server's, then the client's."""
        return dict(self._query)

    @cached_property
    def _query(self) -> dict[str, str | int | float | bool]:
        return {**self.server.default_query, **self.default_query}

    @cached_property
    def url_prefix(self) -> str:
        """``base_url`` as text, ending in ``/``: a request's URL is this and its path."""
        return str(self.base_url)

    @property
    def signs_requests(self) -> bool:
        """Whether credentials are added per request (``api-key`` or a token provider), by
        an ``httpx.Auth`` that keeps them on the server's origin, rather than as headers."""
        return self.token_provider is not None or self.server.auth == "api-key"

    def headers(self) -> dict[str, str]:
        """The headers every request carries, a bearer key included (see ``signs_requests``).

        Raises:
            SoraError: A default header's value has a control character.
        """
        return dict(self._headers)

    @cached_property
    def _headers(self) -> dict[str, str]:
        # Built and checked once per client, not per request.
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if not self.signs_requests:
            headers.update(auth_headers(self.server, self.api_key))
        if self.organization:
            headers["OpenAI-Organization"] = self.organization
        if self.project:
            headers["OpenAI-Project"] = self.project
        headers.update(self.default_headers)
        check_header_values(headers)
        return headers


def _default_url(profile: ServerProfile) -> str:
    if profile.name != OPENAI.name:
        raise SoraError(
            f"the {profile.name} server has no public address: pass base_url= (or set "
            f"OPENAI_BASE_URL)"
        )
    return DEFAULT_BASE_URL


_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")  # what no header value may hold (tab may)


def check_header_values(headers: Mapping[str, str]) -> None:
    """Refuse a header value that holds a control character.

    Raises:
        SoraError: A value has one (line break, NUL...); the value is not shown.
    """
    for name, value in headers.items():
        if _CONTROL.search(str(value)):
            raise SoraError(
                f"the {name} header's value has a control character (line break, NUL...); "
                f"the value is not shown here"
            )


def checked_api_key(key: str) -> str:
    """The key without the whitespace around it (a line ending read from a file).

    Raises:
        SoraError: A character inside it cannot travel in a header; the message does not
            show the key.
    """
    key = key.strip()
    if not all(" " <= char <= "~" for char in key):
        raise SoraError(
            "the API key has a control or non-ASCII character inside it (it is not shown "
            "here): check where it was read from"
        )
    return key


def _checked_base_url(url: httpx.URL) -> httpx.URL:
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an http(s) URL, not {str(url)!r}")
    if url.scheme == "http" and not _is_loopback(url.host):
        warnings.warn(
            f"base_url {str(url)!r} is plain http to a non-loopback host: the API key "
            f"would travel unencrypted",
            stacklevel=4,
        )
    # Paths below the base URL are appended as text: it must end with exactly one "/"
    # (httpx reports an empty path as "/" but prints none).
    return httpx.URL(str(url).rstrip("/") + "/")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".invalid", ".test")):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
