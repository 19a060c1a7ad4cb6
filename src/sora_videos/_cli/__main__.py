"""``python -m sora_videos._cli``: the same as the ``sora-videos`` command."""

from . import main

raise SystemExit(main())
