"""The ``sora-videos`` command line (the optional ``cli`` extra, which brings rich).

Nothing here is imported by ``import sora_videos``: the command line is a separate door.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

MISSING_RICH = "sora-videos: the command line needs rich: pip install rich (the cli extra)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when omitted.

    Returns:
        0 on success, 1 when the operation failed, 2 for bad arguments, 130 on Ctrl-C,
        143 on SIGTERM (as listed in docs/cli.md).
    """
    try:
        import rich  # noqa: F401  # pyright: ignore[reportUnusedImport]
    except ImportError:
        print(MISSING_RICH, file=sys.stderr)
        return 1
    from ._app import run

    return run(sys.argv[1:] if argv is None else argv)
