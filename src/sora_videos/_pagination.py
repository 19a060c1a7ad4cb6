"""Cursor paging, the pure part: where the next page starts, and never the same cursor twice.

The page classes (``_async/pagination.py`` and its generated sync twin) carry a
``PageRequest`` and run ``send_flow`` with ``PageRequest.following(cursor)`` for the next page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import httpx

from ._exceptions import PaginationError
from ._raw import RawResponse
from ._request import RequestSpec
from ._types import RequestOptions

if TYPE_CHECKING:
    from ._async.pagination import AsyncCursorPage

__all__ = ["AsyncPaginator", "Identified", "ListBody", "Page", "PageRequest", "next_cursor"]


class Identified(Protocol):
    """Anything listed by cursor: it has an id."""

    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=Identified)


class ListBody(Protocol[T]):
    """A list answer as the API sends it."""

    @property
    def data(self) -> list[T]: ...
    @property
    def first_id(self) -> str | None: ...
    @property
    def last_id(self) -> str | None: ...
    @property
    def has_more(self) -> bool: ...


def next_cursor(*, data: list[T], last_id: str | None, has_more: bool) -> str | None:
    """The ``after`` for the next page, or ``None`` when this is the last one (the server
    says so, or the page is empty)."""
    if not has_more or not data:
        return None
    return last_id or data[-1].id


@dataclass(frozen=True)
class PageRequest(Generic[T]):
    """How to ask for a page: the request, its options, its parser, and every cursor used so
    far (a server that sends one again would otherwise make iteration loop forever)."""

    spec: RequestSpec
    options: RequestOptions
    parse: Callable[[httpx.Response], ListBody[T]]
    seen: frozenset[str] = field(default_factory=frozenset[str])

    def following(self, cursor: str | None) -> PageRequest[T]:
        """The request for the page that starts after ``cursor``.

        Raises:
            PaginationError: ``cursor`` is ``None`` (the last page) or was used before.
        """
        if cursor is None:
            raise PaginationError("this is the last page: check has_next_page() first")
        if cursor in self.seen:
            raise PaginationError(
                f"the server sent the cursor {cursor!r} again: stopping a listing that "
                f"would never end"
            )
        params = {**(self.spec.params or {}), "after": cursor}
        return replace(self, spec=replace(self.spec, params=params), seen=self.seen | {cursor})


class Page(Generic[T]):
    """What the sync and async pages share: the items and the cursors."""

    data: list[T]
    first_id: str | None
    last_id: str | None
    has_more: bool

    def __init__(self, body: ListBody[T], request: PageRequest[T]) -> None:
        self.data = body.data
        self.first_id = body.first_id
        self.last_id = body.last_id
        self.has_more = body.has_more
        self._request = request

    def next_cursor(self) -> str | None:
        """The ``after`` cursor of the next page, or ``None`` on the last page."""
        return next_cursor(data=self.data, last_id=self.last_id, has_more=self.has_more)

    def has_next_page(self) -> bool:
        """Whether another page follows this one."""
        return self.next_cursor() is not None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(data=<{len(self.data)} items>, first_id={self.first_id!r},"
            f" last_id={self.last_id!r}, has_more={self.has_more})"
        )


class AsyncPaginator(Generic[T]):
    """What ``AsyncVideos.list()`` returns: ``await`` it for the first page, or ``async for``
    over it for every item of every page."""

    def __init__(self, first: Callable[[], Awaitable[RawResponse[AsyncCursorPage[T]]]]) -> None:
        self._first = first

    async def _first_page(self) -> AsyncCursorPage[T]:
        return (await self._first()).parse()

    def __await__(self) -> Generator[Any, None, AsyncCursorPage[T]]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page = await self._first_page()
        async for item in page:
            yield item
