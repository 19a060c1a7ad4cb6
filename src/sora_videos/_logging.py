"""The ``sora_videos`` logger, and ``SORA_VIDEOS_LOG=debug|info`` to turn it on without code."""

from __future__ import annotations

import logging
import os

__all__ = ["configure_from_env"]

logger = logging.getLogger("sora_videos")


def configure_from_env(value: str | None = None) -> None:
    """Attach a stderr handler at the level ``SORA_VIDEOS_LOG`` names, if it names one."""
    level = (value if value is not None else os.environ.get("SORA_VIDEOS_LOG", "")).lower()
    if level not in ("debug", "info"):
        return
    if not any(getattr(h, "_sora_videos", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
        handler._sora_videos = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
