"""``GET /videos/{id}/content``: media of a completed job, whole or by byte range."""

from __future__ import annotations

from ._core import Core
from ._dialects import SIZES
from ._errors import ApiError, error_response
from ._http import Body, Request, Response
from ._jobs import Job, expires_at, status_at
from ._media import MEDIA_TYPES, media_body
from ._ranges import Unsatisfiable, parse_range

__all__ = ["get_content"]


def _downloadable(core: Core, job: Job) -> None:
    """Raise unless the job's media can be downloaded now."""
    now = core.clock.now()
    status = status_at(job, now)
    dialect = core.dialect
    if status == "failed" and dialect.failed_content:
        raise ApiError(*dialect.failed_content)
    if status not in ("completed", "failed") and dialect.not_ready:
        raise ApiError(*dialect.not_ready)
    if status == "failed":
        message = f"Video '{job.id}' failed to generate, so it has no content."
        raise ApiError(409, message, code="video_failed")
    if status != "completed":
        message = f"Video '{job.id}' is {status}; its content is available once it completes."
        raise ApiError(409, message, code="video_not_ready")
    if now >= expires_at(job):
        message = f"The content of video '{job.id}' has expired and is no longer available."
        raise ApiError(404, message, code="video_expired")


def _nearest_size(size: str) -> str:
    """The shipped media closest in shape to a size the publisher's API does not have."""
    width, _, height = size.partition("x")
    return "1280x720" if int(width) > int(height) else "720x1280"


def _ranged(body: Body, range_header: str | None, headers: list[tuple[str, str]]) -> Response:
    total = body.length
    try:
        wanted = parse_range(range_header, total)
    except Unsatisfiable:
        answer = error_response(416, f"Range {range_header!r} is outside the {total}-byte body.")
        return answer.with_headers(("content-range", f"bytes */{total}"))
    if wanted is None:
        return Response(200, [*headers, ("content-length", str(total))], body)
    start, stop = wanted
    part = body.slice(start, stop)
    headers += [("content-length", str(stop - start))]
    headers += [("content-range", f"bytes {start}-{stop - 1}/{total}")]
    return Response(206, headers, part)


def get_content(core: Core, request: Request, params: dict[str, str]) -> Response:
    """``GET /videos/{id}/content?variant=...``: the MP4, WebP thumbnail or JPEG spritesheet."""
    variant = request.query.get("variant", "video") if core.dialect.variants else "video"
    if variant not in MEDIA_TYPES:
        choices = ", ".join(repr(v) for v in MEDIA_TYPES)
        message = f"Invalid 'variant': {variant!r}. Supported values are: {choices}."
        raise ApiError(400, message, param="variant", code="invalid_value")
    job = core.job(params["video_id"])
    _downloadable(core, job)
    pad_to = core.video_size_override if variant == "video" else None
    size = job.size if job.size in SIZES else _nearest_size(job.size)
    body = media_body(variant, size, max(1, round(job.seconds)), pad_to=pad_to)
    headers = [
        ("content-type", MEDIA_TYPES[variant]),
        ("accept-ranges", "bytes"),
        ("etag", f'"{job.id}-{variant}-{body.length}"'),
    ]
    return _ranged(body, request.header("range"), headers)
