"""Raw access: the ``httpx.Response`` of a call, next to the parsed result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, cast

import httpx

__all__ = ["RawResponse"]

T = TypeVar("T")
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

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled without the request's headers: they hold the API key.
        response = self.http_response
        if not hasattr(response, "_content"):
            raise TypeError("a streamed answer cannot be pickled: read it first")
        request = response.request
        state = (response.status_code, response.headers.multi_items(), response.content)
        return (_restore, (state, request.method, str(request.url), self._parse))

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} {self.http_response.request.url.path}>"


def _restore(
    state: tuple[int, list[tuple[str, str]], bytes],
    method: str,
    url: str,
    parse: Callable[[httpx.Response], T],
) -> RawResponse[T]:
    status, headers, body = state
    # Built from the decoded body, so without the Content-Encoding it arrived with; the
    # headers as received are put back afterwards.
    plain = [(name, value) for name, value in headers if name.lower() != "content-encoding"]
    response = httpx.Response(status, headers=plain, content=body)
    response.headers = httpx.Headers(headers)
    response.request = httpx.Request(method, url)
    return RawResponse(response, parse)
