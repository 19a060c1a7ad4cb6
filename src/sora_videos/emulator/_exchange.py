"""One request with its answer, and the log of them tests read (``Emulator.requests``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from ._http import Request, Response

__all__ = ["Disconnected", "Exchange", "RequestLog", "RequestRecord"]

_HIDDEN = frozenset({"authorization", "api-key", "cookie"})


class Disconnected(Exception):
    """Raised while streaming when a fault says the connection drops here."""


@dataclass
class RequestRecord:
    """What a test can check about one request (credentials are never kept).

    Attributes:
        method: The HTTP method.
        path: The URL path, e.g. ``/v1/videos``.
        query: The query parameters.
        headers: The request headers (lower-case names) except ``Authorization``, ``api-key``
            and ``Cookie``.
        status: The status answered, or ``None`` if the connection dropped before any answer.
        bytes_sent: How many body bytes were sent.
        fault: The kind of fault injected, if any.
        request_id: The ``x-request-id`` answered.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int | None = None
    bytes_sent: int = 0
    fault: str | None = None
    request_id: str = ""

    @classmethod
    def of(cls, request: Request) -> RequestRecord:
        """Start a record for ``request``."""
        headers = {k: v for k, v in request.headers.items() if k not in _HIDDEN}
        return cls(request.method, request.path, request.query, headers)


@dataclass(frozen=True)
class Exchange:
    """An answer to act out, and the record to keep up to date while doing it."""

    response: Response
    record: RequestRecord = field(compare=False)

    def chunks(self) -> Iterator[bytes]:
        """Yield the body, counting bytes sent.

        Raises:
            Disconnected: Where a fault cuts the body short.
        """
        disconnect = self.response.disconnect
        limit = None if disconnect is None else disconnect.after_bytes
        for chunk in self.response.body.chunks():
            if limit is not None and self.record.bytes_sent + len(chunk) >= limit:
                chunk = chunk[: limit - self.record.bytes_sent]
                self.record.bytes_sent += len(chunk)
                if chunk:
                    yield chunk
                raise Disconnected(f"connection cut after {limit} body bytes (emulated fault)")
            self.record.bytes_sent += len(chunk)
            yield chunk


class RequestLog(Sequence[RequestRecord]):
    """Every request the emulator received, oldest first; safe to read while it grows."""

    def __init__(self) -> None:
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()

    def append(self, record: RequestRecord) -> None:
        """Add a record."""
        with self._lock:
            self._records.append(record)

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> RequestRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[RequestRecord]: ...
    def __getitem__(self, index: int | slice) -> RequestRecord | list[RequestRecord]:
        with self._lock:
            return self._records[index]

    def matching(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        """Return the records with this method and/or path (the API root, ``/v1`` or Azure's
        ``/openai/v1``, optional in ``path``)."""
        with self._lock:
            records = list(self._records)
        return [
            r
            for r in records
            if (method is None or r.method == method.upper())
            and (path is None or r.path in (path, f"/v1{path}", f"/openai/v1{path}"))
        ]
