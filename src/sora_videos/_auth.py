"""Credentials that stay on the server's origin: an ``api-key`` header, or a bearer token
fetched afresh for every attempt (Azure's Microsoft Entra ID tokens expire).

httpx drops ``Authorization`` on a redirect to another origin but forwards custom headers such
as ``api-key``. So requests signed here are sent with ``follow_redirects=False`` and this flow
follows redirects itself: with credentials on the same origin, without them anywhere else.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING

import httpx

from ._exceptions import SoraError

if TYPE_CHECKING:
    from ._config import ClientConfig, TokenProvider

__all__ = ["MAX_REDIRECTS", "EndpointAuth"]

MAX_REDIRECTS = 20
SECRET_HEADERS = ("api-key", "authorization")


class EndpointAuth(httpx.Auth):
    """Signs each attempt with the key or a fresh token; refreshes the token once on a 401."""

    def __init__(
        self, *, api_key: str, token_provider: TokenProvider | None, origin: httpx.URL
    ) -> None:
        self._api_key = api_key
        self._token_provider = token_provider
        self._origin = origin

    @classmethod
    def of(cls, config: ClientConfig) -> EndpointAuth:
        """The signer for a client's requests (its key, token provider and base URL)."""
        return cls(
            api_key=config.api_key, token_provider=config.token_provider, origin=config.base_url
        )

    def __repr__(self) -> str:
        kind = "token provider" if self._token_provider is not None else "api-key"
        return f"EndpointAuth({kind}, origin={str(self._origin.copy_with(path='/'))!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        """Sign with the key, or a token from a fresh (sync) call of the provider."""
        self._sign(request, self._sync_token())
        response = yield request
        if self._refreshes(request, response):
            self._sign(request, self._sync_token())
            response = yield request
        for _ in range(MAX_REDIRECTS):
            hop = self._next_hop(response)
            if hop is None:
                return
            response = yield hop

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Sign with the key, or a token from a fresh (sync or async) call of the provider."""
        self._sign(request, await self._async_token())
        response = yield request
        if self._refreshes(request, response):
            self._sign(request, await self._async_token())
            response = yield request
        for _ in range(MAX_REDIRECTS):
            hop = self._next_hop(response)
            if hop is None:
                return
            response = yield hop

    def _sync_token(self) -> str | None:
        if self._token_provider is None:
            return None
        token = self._token_provider()
        if inspect.isawaitable(token):
            if inspect.iscoroutine(token):
                token.close()  # never awaited: close it rather than leak a warning
            raise TypeError(
                "azure_ad_token_provider returned an awaitable: use AsyncAzureSora for an "
                "async token provider"
            )
        return _checked(token)

    async def _async_token(self) -> str | None:
        if self._token_provider is None:
            return None
        token = self._token_provider()
        if inspect.isawaitable(token):
            token = await token
        return _checked(token)

    def _sign(self, request: httpx.Request, token: str | None) -> None:
        if token is not None:
            request.headers["Authorization"] = f"Bearer {token}"
        else:
            request.headers["api-key"] = self._api_key

    def _refreshes(self, request: httpx.Request, response: httpx.Response) -> bool:
        """Whether to ask the provider again: a 401 to a request whose body can be resent."""
        stream = request.stream
        replayable = getattr(stream, "replayable", True)
        return response.status_code == 401 and self._token_provider is not None and replayable

    def _next_hop(self, response: httpx.Response) -> httpx.Request | None:
        """The redirect to follow, with the credentials removed if it leaves the origin."""
        hop = response.next_request
        if hop is None:
            return None
        if not _same_origin(hop.url, self._origin):
            for name in SECRET_HEADERS:
                hop.headers.pop(name, None)
        return hop


def _same_origin(url: httpx.URL, origin: httpx.URL) -> bool:
    return (url.scheme, url.host, url.port) == (origin.scheme, origin.host, origin.port)


def _checked(token: object) -> str:
    if not isinstance(token, str) or not token:
        raise SoraError("azure_ad_token_provider returned no token (it must return a string)")
    return token
