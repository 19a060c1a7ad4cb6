"""The steps a flow yields: every effect an operation needs, performed by ``_engine.py``.

A flow (a generator) never touches a socket, a clock or a file: it yields one of these and
receives the outcome (or has a transport error thrown in). The drivers in ``_engine.py``
perform them; tests step flows by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import httpx

from ._request import HTTPRequest

if TYPE_CHECKING:
    from ._files import StaleParts

__all__ = [
    "Copy",
    "CreateTemp",
    "Flow",
    "Notify",
    "ProgressCallback",
    "Read",
    "Remove",
    "Replace",
    "Send",
    "Sleep",
    "Step",
    "Truncate",
]

T = TypeVar("T")

ProgressCallback = Callable[[int, "int | None"], Any]
"""``on_progress(bytes_done, bytes_total)``; ``bytes_total`` is ``None`` when unknown."""


@dataclass(frozen=True)
class Send:
    """Send a request; the reply is the ``httpx.Response`` (body unread if ``stream``)."""

    request: HTTPRequest
    stream: bool = False


@dataclass(frozen=True)
class Read:
    """Read a response's body into ``response.content``, at most ``limit`` decoded bytes.

    The reply is a ``BodyState``: ``"complete"``, ``"too_large"`` (reading stopped past
    ``limit``, nothing kept) or ``"undecodable"`` (its ``Content-Encoding`` was false).
    A non-stream request's body is read within its total deadline.
    """

    response: httpx.Response
    limit: int


@dataclass(frozen=True)
class Sleep:
    """Wait this many seconds."""

    seconds: float


@dataclass(frozen=True)
class Notify:
    """Call a user's callback with a value (awaited if it returns an awaitable)."""

    callback: Callable[[Any], object]
    value: object


@dataclass(frozen=True)
class CreateTemp:
    """Create an empty temporary file beside ``target``; the reply is its ``Path``.

    ``stale``, when given, is the scan of the folder that finds ``target``'s stale partial
    files (a batch scans its folder once for all its files).
    """

    target: Path
    stale: StaleParts | None = None


@dataclass(frozen=True)
class Copy:
    """Append ``response``'s body to ``path`` (and close the response).

    The reply is the number of bytes written, which a cut connection does not lose: a
    transport error is not raised but returned as the second item, ``(written, error)``.
    ``on_progress(offset + written, total)`` is called as bytes are written.
    """

    response: httpx.Response
    path: Path
    offset: int
    total: int | None
    on_progress: ProgressCallback | None


@dataclass(frozen=True)
class Truncate:
    """Cut ``path`` back to empty (the server sent the whole body again)."""

    path: Path


@dataclass(frozen=True)
class Replace:
    """Flush ``source`` to disk and rename it over ``target``."""

    source: Path
    target: Path


@dataclass(frozen=True)
class Remove:
    """Delete ``path`` if it is still there."""

    path: Path


Step: TypeAlias = "Send | Read | Sleep | Notify | CreateTemp | Copy | Truncate | Replace | Remove"
Flow: TypeAlias = Generator[Step, Any, T]
