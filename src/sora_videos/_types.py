"""Types shared by the public API: request options, parameter values, file inputs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, Literal, TypeAlias, TypedDict

import httpx

__all__ = [
    "FileInput",
    "ImageReference",
    "InputReference",
    "RequestOptions",
    "VideoInput",
    "VideoModel",
    "VideoReference",
    "VideoSeconds",
    "VideoSize",
    "VideoStatus",
    "VideoVariant",
]

VideoModel: TypeAlias = (
    Literal[
        "sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08"
    ]
    | str
)
"""A model name; names this version does not know are allowed."""

VideoSeconds: TypeAlias = Literal["4", "8", "12"] | str
"""A clip length in seconds, as the API spells it (a string)."""

VideoSize: TypeAlias = Literal["720x1280", "1280x720", "1024x1792", "1792x1024"] | str
"""A resolution, ``WIDTHxHEIGHT``."""

VideoStatus: TypeAlias = Literal["queued", "in_progress", "completed", "failed"] | str
"""A job's lifecycle status."""

VideoVariant: TypeAlias = Literal["video", "thumbnail", "spritesheet"]
"""Which asset of a finished job to download."""


class RequestOptions(TypedDict, total=False):
    """Per-request options every request method takes as keyword arguments.

    Attributes:
        timeout: Seconds (or an ``httpx.Timeout``) for this request; ``None`` waits forever.
            Leave it out to use the client's.
        extra_headers: Headers added to (or overriding) the ones the client sends.
        extra_query: Query parameters added to the request.
        extra_body: Fields added to a JSON or multipart body (for gateways and new fields).
    """

    timeout: float | httpx.Timeout | None
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, str | int | float | bool]
    extra_body: Mapping[str, object]


class ImageReference(TypedDict, total=False):
    """A reference image given by URL (or a base64 data URL) or by uploaded file id."""

    image_url: str
    file_id: str


class VideoReference(TypedDict):
    """A completed video given by id."""

    id: str


FileContent: TypeAlias = bytes | IO[bytes] | str | os.PathLike[str]
FileInput: TypeAlias = (
    str
    | os.PathLike[str]
    | bytes
    | IO[bytes]
    | tuple[str | None, FileContent]
    | tuple[str | None, FileContent, str | None]
)
"""A file to upload: a path, bytes, a binary file object, or ``(filename, content[, type])``.

Paths are streamed, never read whole; a file's content type is inferred from its name.
"""

InputReference: TypeAlias = FileInput | ImageReference
"""What ``create(input_reference=...)`` takes: a file to upload or an ``ImageReference``."""

VideoInput: TypeAlias = FileInput | VideoReference
"""What ``edit``/``extend`` take as ``video``: a file to upload or ``{"id": ...}``."""
