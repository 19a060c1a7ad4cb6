"""``python -m sora_videos``: the ``sora-videos`` command line (with the ``cli`` extra)."""

from __future__ import annotations

import sys


def _main() -> int:
    from ._cli import main  # imported here: ``import sora_videos`` never loads the CLI

    return main()


if __name__ == "__main__":
    sys.exit(_main())
