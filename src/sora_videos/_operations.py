"""Each endpoint's request, built from the method's arguments. Pure."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path

from ._models import Video
from ._multipart import FilePart, is_file_input, to_file_part
from ._request import RequestSpec, path_segment
from ._types import InputReference, VideoInput, VideoModel, VideoSeconds, VideoSize, VideoVariant
from .servers import Operation

__all__ = [
    "character_create",
    "character_get",
    "content",
    "create",
    "delete",
    "download_path",
    "edit",
    "extend",
    "list_page",
    "remix",
    "retrieve",
]

VARIANTS: tuple[VideoVariant, ...] = ("video", "thumbnail", "spritesheet")
SUFFIXES = {"video": ".mp4", "thumbnail": ".webp", "spritesheet": ".jpg"}
MAX_STEM = 100
"""The longest id kept as is in a file name (file systems allow 255 bytes)."""
ACCEPT = {
    "video": "video/mp4, application/json",
    "thumbnail": "image/webp, application/json",
    "spritesheet": "image/*, application/json",
}


def media_filename(video_id: str, variant: VideoVariant) -> str:
    """A safe file name for a job's asset, e.g. ``video_123.mp4``, ``video_123.thumbnail.webp``.

    An id that is not already a safe name keeps a sanitized, shortened stem plus a short hash
    of the id (``video_a-3f9c1e2b7a60.mp4`` for ``video:a``), so two ids never share a file.
    """
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", video_id).lstrip(".") or "video"
    if stem != video_id or len(stem) > MAX_STEM:
        # Sanitizing is many-to-one (``video:a``, ``video/a``): a hash of the id as sent
        # keeps two jobs' files apart, and a cut keeps the name within file-system limits.
        digest = hashlib.sha256(video_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        stem = f"{stem[:MAX_STEM]}-{digest}"
    middle = "" if variant == "video" else f".{variant}"
    return f"{stem}{middle}{SUFFIXES[variant]}"


def download_path(path: str | os.PathLike[str], video_id: str, variant: VideoVariant) -> Path:
    """Where ``download`` writes: ``path``, or ``<video_id><suffix>`` inside it when it is an
    existing folder or ends with a path separator."""
    text = os.fspath(path)
    if text.endswith(("/", os.sep)) or os.path.isdir(text):
        return Path(text) / media_filename(video_id, variant)
    return Path(text)


def new_idempotency_key() -> str:
    """A fresh key for one job-creating call (kept across its retries)."""
    return f"sora-videos-{uuid.uuid4()}"


def _job(
    operation: Operation,
    path: str,
    fields: Mapping[str, object | None],
    files: Mapping[str, object | None],
    idempotency_key: str | None,
) -> RequestSpec:
    body = {name: value for name, value in fields.items() if value is not None}
    uploads: dict[str, FilePart] = {}
    for name, value in files.items():
        if value is None:
            continue
        if isinstance(value, Video):
            body[name] = {"id": value.id}
        elif isinstance(value, dict):
            body[name] = value
        elif is_file_input(value):
            uploads[name] = to_file_part(value, field=name)  # type: ignore[arg-type]
        else:
            raise TypeError(f"{name}: unsupported value of type {type(value).__name__}")
    return RequestSpec(
        "POST",
        path,
        json=body,
        files=uploads or None,
        idempotency_key=idempotency_key or new_idempotency_key(),
        operation=operation,
    )


def _seconds(seconds: VideoSeconds | int | None) -> str | None:
    if isinstance(seconds, bool):
        raise TypeError("seconds must be a number of seconds, not a bool")
    return None if seconds is None else str(seconds)


def _prompt(prompt: str) -> str:
    if not isinstance(prompt, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"prompt must be a string, not {type(prompt).__name__}")
    return prompt


def create(
    *,
    prompt: str,
    model: VideoModel | None,
    seconds: VideoSeconds | int | None,
    size: VideoSize | None,
    input_reference: InputReference | None,
    idempotency_key: str | None,
) -> RequestSpec:
    """``POST /videos``: JSON, or multipart when ``input_reference`` is a file."""
    fields = {"prompt": _prompt(prompt), "model": model, "seconds": _seconds(seconds), "size": size}
    return _job("create", "videos", fields, {"input_reference": input_reference}, idempotency_key)


def remix(video_id: str, *, prompt: str, idempotency_key: str | None) -> RequestSpec:
    """``POST /videos/{id}/remix``."""
    path = f"videos/{path_segment(video_id, name='video_id')}/remix"
    return _job("remix", path, {"prompt": _prompt(prompt)}, {}, idempotency_key)


def edit(*, prompt: str, video: VideoInput | Video, idempotency_key: str | None) -> RequestSpec:
    """``POST /videos/edits``: ``video`` as ``{"id": ...}`` (JSON) or a file (multipart)."""
    return _job(
        "edit", "videos/edits", {"prompt": _prompt(prompt)}, {"video": video}, idempotency_key
    )


def extend(
    *,
    prompt: str,
    seconds: VideoSeconds | int,
    video: VideoInput | Video,
    idempotency_key: str | None,
) -> RequestSpec:
    """``POST /videos/extensions``."""
    fields = {"prompt": _prompt(prompt), "seconds": _seconds(seconds)}
    return _job("extend", "videos/extensions", fields, {"video": video}, idempotency_key)


def character_create(
    *, name: str, video: VideoInput | Video, idempotency_key: str | None
) -> RequestSpec:
    """``POST /videos/characters`` (always multipart: the video is uploaded)."""
    if isinstance(video, (dict, Video)):
        raise TypeError("create_character needs a video file to upload, not a reference")
    return _job(
        "create_character", "videos/characters", {"name": name}, {"video": video}, idempotency_key
    )


def retrieve(video_id: str) -> RequestSpec:
    """``GET /videos/{id}``."""
    return RequestSpec(
        "GET", f"videos/{path_segment(video_id, name='video_id')}", operation="retrieve"
    )


def delete(video_id: str) -> RequestSpec:
    """``DELETE /videos/{id}``."""
    return RequestSpec(
        "DELETE", f"videos/{path_segment(video_id, name='video_id')}", operation="delete"
    )


def character_get(character_id: str) -> RequestSpec:
    """``GET /videos/characters/{id}``."""
    return RequestSpec(
        "GET",
        f"videos/characters/{path_segment(character_id, name='character_id')}",
        operation="get_character",
    )


def list_page(*, after: str | None, limit: int | None, order: str | None) -> RequestSpec:
    """``GET /videos`` for one page."""
    if limit is not None and not 0 <= limit <= 100:
        raise ValueError(f"limit must be between 0 and 100, not {limit}")
    if order is not None and order not in ("asc", "desc"):
        raise ValueError(f"order must be 'asc' or 'desc', not {order!r}")
    params = {"after": after, "limit": limit, "order": order}
    return RequestSpec("GET", "videos", params=params, operation="list")


def content(video_id: str, *, variant: VideoVariant) -> RequestSpec:
    """``GET /videos/{id}/content``, streamed."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
    path = f"videos/{path_segment(video_id, name='video_id')}/content"
    # Media is asked uncompressed: byte counts and resume offsets are then the file's own.
    headers = {"Accept": ACCEPT[variant], "Accept-Encoding": "identity"}
    return RequestSpec(
        "GET", path, params={"variant": variant}, headers=headers, stream=True, operation="content"
    )
