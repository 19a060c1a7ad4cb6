"""Cursor pages on an async client: the first page on the call, the rest fetched as needed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, TypeVar

from .._pagination import Identified, ListBody, Page, PageRequest
from .._send import send_flow

if TYPE_CHECKING:
    from .._engine import AsyncEngine

__all__ = ["AsyncCursorPage"]

T = TypeVar("T", bound=Identified)


class AsyncCursorPage(Page[T]):
    """One page of a listing. ``async for`` it for every item of every page from here on."""

    def __init__(self, body: ListBody[T], *, engine: AsyncEngine, request: PageRequest[T]) -> None:
        super().__init__(body, request)
        self._engine = engine

    async def get_next_page(self) -> AsyncCursorPage[T]:
        """Fetch the page after this one.

        Raises:
            PaginationError: This is the last page (check ``has_next_page()`` first), or the
                server sent a cursor it had sent before.
        """
        request = self._request.following(self.next_cursor())
        flow = send_flow(self._engine.config, request.spec, request.options)
        response = await self._engine.run(flow)
        return AsyncCursorPage(request.parse(response), engine=self._engine, request=request)

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
