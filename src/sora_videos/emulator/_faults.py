"""Faults to inject: what goes wrong (``Fault``), on which requests and how often (``Faults``)."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Literal

from ._dialects import ErrorStyle
from ._errors import ApiError
from ._http import Body, Disconnect, Request, Response

__all__ = ["Fault", "FaultRule", "Faults", "apply_fault"]

FaultKind = Literal["status", "drop", "delay", "cut", "malformed_json", "html"]
_MESSAGES = {
    429: "Rate limit reached for requests (emulated fault). Please try again later.",
    503: "The server is overloaded or not ready yet (emulated fault).",
}


@dataclass(frozen=True)
class Fault:
    """Something that goes wrong with one answer. Build one with the class methods."""

    kind: FaultKind
    status_code: int = 0
    retry_after: float | None = None
    after_handling: bool = False
    seconds: float = 0.0
    after_bytes: int | None = None
    fraction: float | None = None

    @classmethod
    def status(cls, status_code: int, *, retry_after: float | None = None) -> Fault:
        """Answer with an error status (e.g. 429, 500, 503) in the API's envelope.

        Args:
            status_code: The HTTP status.
            retry_after: Seconds to send in a ``Retry-After`` header, if any.
        """
        return cls("status", status_code=status_code, retry_after=retry_after)

    @classmethod
    def drop(cls, *, after_handling: bool = False) -> Fault:
        """Close the connection without answering.

        Args:
            after_handling: Handle the request first (a ``POST`` creates its job), then drop.
        """
        return cls("drop", after_handling=after_handling)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Answer normally, but only after ``seconds`` (in-process, past the read timeout the
        client gets ``httpx.ReadTimeout``)."""
        return cls("delay", seconds=seconds)

    @classmethod
    def cut(cls, *, after_bytes: int | None = None, fraction: float | None = None) -> Fault:
        """Send the status, headers and only part of the body, then close the connection.

        Args:
            after_bytes: How many body bytes to send.
            fraction: Or which fraction of the body to send (0 to 1).

        Raises:
            ValueError: Unless exactly one of the two is given.
        """
        if (after_bytes is None) == (fraction is None):
            raise ValueError("give exactly one of after_bytes= or fraction=")
        return cls("cut", after_bytes=after_bytes, fraction=fraction)

    @classmethod
    def malformed_json(cls) -> Fault:
        """Handle the request, then answer with a truncated, undecodable JSON body."""
        return cls("malformed_json")

    @classmethod
    def html(cls, status_code: int = 502) -> Fault:
        """Answer with an HTML error page, as a proxy in front of the API would."""
        return cls("html", status_code=status_code)


@dataclass
class FaultRule:
    """A fault with the requests it applies to. ``hits`` counts how often it fired."""

    fault: Fault
    method: str | None = None
    path: str | None = None
    times: int | None = None
    rate: float = 1.0
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule covers a request (``{name}`` in ``path`` matches one segment)."""
        if self.method is not None and self.method.upper() != method:
            return False
        if self.path is None:
            return True
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(self.path.rstrip("/")))
        return re.fullmatch(pattern, path) is not None


class Faults:
    """The faults an emulator injects, first matching rule first.

    Args:
        seed: Seeds the random draws of rules with a ``rate`` below 1.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._rng = random.Random(seed)

    def add(
        self,
        fault: Fault,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
        rate: float = 1.0,
    ) -> FaultRule:
        """Inject ``fault`` into matching requests.

        Args:
            fault: What goes wrong.
            method: Only requests with this method (any if ``None``).
            path: Only this path below ``/v1``, e.g. ``/videos/{id}/content`` (any if ``None``).
            times: Fire at most this many times (no limit if ``None``).
            rate: Fire with this probability (seeded), 0 to 1.

        Returns:
            The rule, whose ``hits`` counts how often it fired.
        """
        rule = FaultRule(fault, method, path, times, rate)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        """Return the fault to inject into one request, counting it, or ``None``."""
        with self._lock:
            for rule in self._rules:
                spent = rule.times is not None and rule.hits >= rule.times
                if spent or not rule.matches(method, path):
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                rule.hits += 1
                return rule.fault
        return None


def _html_page(status: int) -> Response:
    title = f"{status} {HTTPStatus(status).phrase}"
    page = (
        f"<html><head><title>{title}</title></head><body>"
        f"<center><h1>{title}</h1></center><hr><center>nginx</center>"
        "</body></html>\n"
    ).encode()
    headers = [("content-type", "text/html"), ("content-length", str(len(page)))]
    return Response(status, headers, Body((page,)))


def _truncated_json(answer: Response) -> Response:
    data = answer.body.read()[: max(1, answer.body.length // 2)]
    headers = [("content-type", "application/json"), ("content-length", str(len(data)))]
    return replace(answer, headers=headers, body=Body((data,)))


def apply_fault(
    fault: Fault | None,
    request: Request,
    handle: Callable[[Request], Response],
    style: ErrorStyle = "openai",
) -> Response:
    """Answer ``request`` with ``handle``, bent by ``fault`` (pure: the shells act it out).

    A status fault's body is written in ``style``, the dialect's error shape.
    """
    if fault is None:
        return handle(request)
    if fault.kind == "status":
        message = _MESSAGES.get(fault.status_code, "The server had an error (emulated fault).")
        answer = ApiError(fault.status_code, message).response(style)
        if fault.retry_after is not None:
            answer = answer.with_headers(("retry-after", f"{fault.retry_after:g}"))
        return answer
    if fault.kind == "html":
        return _html_page(fault.status_code)
    if fault.kind == "drop" and not fault.after_handling:
        return Response(0, disconnect=Disconnect())
    answer = handle(request)
    if fault.kind == "drop":
        return replace(answer, disconnect=Disconnect())
    if fault.kind == "delay":
        return replace(answer, delay=fault.seconds)
    if fault.kind == "malformed_json":
        return _truncated_json(answer)
    length = answer.body.length
    sent = (
        fault.after_bytes if fault.after_bytes is not None else int(length * (fault.fraction or 0))
    )
    return replace(answer, disconnect=Disconnect(max(0, min(sent, length - 1))))
