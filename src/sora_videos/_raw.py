"""Raw access: the ``httpx.Response`` of a call, next to the parsed result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar, cast

import httpx
from typing_extensions import ParamSpec

__all__ = ["RawResponse", "async_raw", "sync_raw"]

T = TypeVar("T")
P = ParamSpec("P")
_UNPARSED = object()


class RawResponse(Generic[T]):
    """An answer before parsing: headers and status, with ``parse()`` for the usual result."""

    def __init__(self, http_response: httpx.Response, parse: Callable[[httpx.Response], T]):
        self.http_response = http_response
        self._parse = parse
        self._parsed: object = _UNPARSED

    @property
    def headers(self) -> httpx.Headers:
        """The answer's headers."""
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        """The answer's HTTP status."""
        return self.http_response.status_code

    @property
    def request_id(self) -> str | None:
        """The server's ``x-request-id`` for this answer."""
        request_id: str | None = self.http_response.headers.get("x-request-id")
        return request_id

    def parse(self) -> T:
        """The result the plain method returns (parsed once, then cached)."""
        if self._parsed is _UNPARSED:
            self._parsed = self._parse(self.http_response)
        return cast(T, self._parsed)

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} {self.http_response.request.url.path}>"


def sync_raw(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """Retype a method of a raw-mode resource, which returns ``RawResponse`` at run time."""
    return cast("Callable[P, RawResponse[T]]", method)


def async_raw(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """Retype a method of a raw-mode async resource, which returns ``RawResponse``."""
    return cast("Callable[P, Awaitable[RawResponse[T]]]", method)
