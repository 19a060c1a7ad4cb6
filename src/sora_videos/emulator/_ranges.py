"""``Range: bytes=...`` requests, decided without I/O."""

from __future__ import annotations

import re

__all__ = ["Unsatisfiable", "parse_range"]

_SPEC = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


class Unsatisfiable(Exception):
    """The range asked for lies outside the body (HTTP 416)."""


def parse_range(header: str | None, length: int) -> tuple[int, int] | None:
    """Decide which bytes a ``Range`` header asks for.

    Args:
        header: The header's value, or ``None``.
        length: The full body's size.

    Returns:
        ``(start, stop)`` with ``stop`` exclusive, or ``None`` to send the whole body
        (no header, or a form this emulator ignores, such as several ranges).

    Raises:
        Unsatisfiable: If the range cannot be served from a body of ``length`` bytes.
    """
    match = _SPEC.match(header or "")
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        count = int(last)
        if count == 0 or length == 0:
            raise Unsatisfiable
        return max(0, length - count), length
    start = int(first)
    stop = length if not last else min(int(last) + 1, length)
    if start >= length or stop <= start:
        raise Unsatisfiable
    return start, stop
