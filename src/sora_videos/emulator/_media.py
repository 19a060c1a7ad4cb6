"""The bytes behind ``GET /videos/{id}/content``: MP4 video, WebP thumbnail, JPEG spritesheet."""

from __future__ import annotations

import functools
from importlib import resources

from ._http import Body, Padding
from ._mp4 import free_box_header, stretch

__all__ = ["MEDIA_TYPES", "media_body"]

MEDIA_TYPES = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/jpeg"}
_EXTENSIONS = {"video": "mp4", "thumbnail": "webp", "spritesheet": "jpg"}


@functools.cache
def _asset(name: str) -> bytes:
    """Return one of the media templates shipped in ``_assets``."""
    return (resources.files("sora_videos.emulator") / "_assets" / name).read_bytes()


@functools.lru_cache(maxsize=32)
def _video(size: str, seconds: int) -> bytes:
    """Return the MP4 for a size and a whole number of seconds (deterministic, so cached)."""
    return stretch(_asset(f"{size}.mp4"), seconds)


def media_body(variant: str, size: str, seconds: int, *, pad_to: int | None = None) -> Body:
    """Return the body of one variant of a video.

    Args:
        variant: ``video``, ``thumbnail`` or ``spritesheet``.
        size: The video's ``WxH``, one of the sizes the API knows.
        seconds: The video's length.
        pad_to: For ``video``: grow the file to this many bytes with a trailing ``free`` box,
            streamed without being held in memory. Ignored when not at least 8 bytes larger
            than the real file.

    Returns:
        The body, ready to stream by range.
    """
    if variant != "video":
        return Body((_asset(f"{size}.{_EXTENSIONS[variant]}"),))
    data = _video(size, seconds)
    extra = 0 if pad_to is None else pad_to - len(data)
    if extra < 8:
        return Body((data,))
    header = free_box_header(extra)
    return Body((data, header, Padding(extra - len(header))))
