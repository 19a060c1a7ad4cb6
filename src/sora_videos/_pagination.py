"""Cursor pages: the first page on the call, the rest fetched lazily as you iterate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["AsyncCursorPage", "AsyncPaginator", "CursorPage", "next_cursor"]


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


def next_cursor(
    *, data: list[T], last_id: str | None, has_more: bool, after: str | None
) -> str | None:
    """The ``after`` for the next page, or ``None`` when this is the last one.

    A page is the last when the server says so, when it is empty, or when its cursor is the
    one that fetched it: a misbehaving server cannot make iteration loop forever.
    """
    if not has_more or not data:
        return None
    cursor = last_id or data[-1].id
    return None if cursor == after else cursor


class _Page(Generic[T]):
    data: list[T]
    first_id: str | None
    last_id: str | None
    has_more: bool

    def __init__(self, body: ListBody[T], *, after: str | None) -> None:
        self.data = body.data
        self.first_id = body.first_id
        self.last_id = body.last_id
        self.has_more = body.has_more
        self._after = after

    def next_cursor(self) -> str | None:
        """The ``after`` cursor of the next page, or ``None`` on the last page."""
        return next_cursor(
            data=self.data, last_id=self.last_id, has_more=self.has_more, after=self._after
        )

    def has_next_page(self) -> bool:
        """Whether another page follows this one."""
        return self.next_cursor() is not None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(data=<{len(self.data)} items>, first_id={self.first_id!r},"
            f" last_id={self.last_id!r}, has_more={self.has_more})"
        )


class CursorPage(_Page[T]):
    """One page of a listing. Iterate it for every item of every page from here on."""

    def __init__(
        self, body: ListBody[T], *, after: str | None, fetch: Callable[[str], CursorPage[T]]
    ) -> None:
        super().__init__(body, after=after)
        self._fetch = fetch

    def get_next_page(self) -> CursorPage[T]:
        """Fetch the page after this one.

        Raises:
            StopIteration: This is the last page (check ``has_next_page()`` first).
        """
        cursor = self.next_cursor()
        if cursor is None:
            raise StopIteration("no more pages")
        return self._fetch(cursor)

    def iter_pages(self) -> Iterator[CursorPage[T]]:
        """This page and every page after it, fetched one at a time."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data


class AsyncCursorPage(_Page[T]):
    """One page of a listing. ``async for`` it for every item of every page from here on."""

    def __init__(
        self,
        body: ListBody[T],
        *,
        after: str | None,
        fetch: Callable[[str], Awaitable[AsyncCursorPage[T]]],
    ) -> None:
        super().__init__(body, after=after)
        self._fetch = fetch

    async def get_next_page(self) -> AsyncCursorPage[T]:
        """Fetch the page after this one.

        Raises:
            StopAsyncIteration: This is the last page (check ``has_next_page()`` first).
        """
        cursor = self.next_cursor()
        if cursor is None:
            raise StopAsyncIteration("no more pages")
        return await self._fetch(cursor)

    async def iter_pages(self) -> AsyncIterator[AsyncCursorPage[T]]:
        """This page and every page after it, fetched one at a time."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncPaginator(Generic[T]):
    """What ``AsyncVideos.list()`` returns: ``await`` it for the first page, or ``async for``
    over it for every item of every page."""

    def __init__(self, first_page: Callable[[], Awaitable[AsyncCursorPage[T]]]) -> None:
        self._first_page = first_page

    def __await__(self) -> Generator[Any, None, AsyncCursorPage[T]]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page = await self._first_page()
        async for item in page:
            yield item
