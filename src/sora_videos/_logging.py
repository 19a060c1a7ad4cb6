"""The ``sora_videos`` logger, and ``SORA_VIDEOS_LOG=debug|info`` (or openai's ``OPENAI_LOG``)
to turn it on without code."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

__all__ = ["configure_from_env"]

logger = logging.getLogger("sora_videos")


def configure_from_env(
    value: str | None = None, *, environ: Mapping[str, str] = os.environ
) -> None:
    """Attach a stderr handler at the level ``SORA_VIDEOS_LOG`` (else ``OPENAI_LOG``) names,
    if it names one; nothing else happens at import."""
    if value is None:
        value = environ.get("SORA_VIDEOS_LOG") or environ.get("OPENAI_LOG") or ""
    level = value.lower()
    if level not in ("debug", "info"):
        return
    if not any(getattr(h, "_sora_videos", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
        handler._sora_videos = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
