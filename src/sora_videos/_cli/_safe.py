"""Text from a server or a file, made safe for a terminal: control characters shown escaped.

An id, a prompt or an error message could carry escape sequences (a title change, a clear
screen) or characters that break or reorder a line; every such character is printed as
``\\xNN`` / ``\\uNNNN`` instead.
"""

from __future__ import annotations

import re

from rich.text import Text

__all__ = ["safe", "safe_text"]

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0 and C1 controls, DEL: escapes, bells, carriage returns
    "\u2028\u2029"  # line and paragraph separators
    "\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidirectional overrides
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(value: object) -> str:
    """``str(value)`` with every control character escaped."""
    return _UNSAFE.sub(_escaped, str(value))


def safe_text(value: object, style: str = "") -> Text:
    """A rich ``Text`` of ``safe(value)`` (never parsed as markup)."""
    return Text(safe(value), style=style)
