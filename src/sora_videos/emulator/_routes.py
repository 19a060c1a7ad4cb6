"""Which handler answers which request, and the checks every request passes first."""

from __future__ import annotations

import re
from collections.abc import Callable

from . import _handlers as h
from ._content import get_content
from ._core import Core
from ._errors import ApiError, error_response
from ._http import Request, Response

__all__ = ["dispatch"]

Handler = Callable[[Core, Request, dict[str, str]], Response]


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, _pattern(template), handler)
    for method, template, handler in [
        ("POST", "/videos", h.create_video),
        ("GET", "/videos", h.list_videos),
        ("POST", "/videos/characters", h.create_character),
        ("GET", "/videos/characters/{character_id}", h.get_character),
        ("POST", "/videos/edits", h.edit_video),
        ("POST", "/videos/extensions", h.extend_video),
        ("GET", "/videos/{video_id}", h.get_video),
        ("DELETE", "/videos/{video_id}", h.delete_video),
        ("GET", "/videos/{video_id}/content", get_content),
        ("POST", "/videos/{video_id}/remix", h.remix_video),
    ]
]


def api_path(path: str) -> str:
    """Return the path below the API root (``/v1/videos`` and ``/videos`` both give ``/videos``)."""
    path = path.rstrip("/") or "/"
    return path[3:] if path == "/v1" or path.startswith("/v1/") else path


def _authorized(request: Request) -> bool:
    scheme, _, key = (request.header("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and bool(key.strip())


def dispatch(core: Core, request: Request) -> Response:
    """Answer one request: authenticate, route, run the handler, turn errors into envelopes."""
    if not _authorized(request):
        message = (
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
        return error_response(401, message)
    path = api_path(request.path)
    matches = [(method, pattern.match(path), handler) for method, pattern, handler in ROUTES]
    found = [(method, match, handler) for method, match, handler in matches if match]
    if any(not match.groupdict() for _, match, _ in found):
        # As in OpenAPI, a literal path (/videos/edits) wins over a template (/videos/{id}).
        found = [
            (method, match, handler) for method, match, handler in found if not match.groupdict()
        ]
    allowed: list[str] = []
    for method, match, handler in found:
        if method != request.method:
            allowed.append(method)
            continue
        try:
            return handler(core, request, match.groupdict())
        except ApiError as error:
            return error.response()
    if allowed:
        message = f"Method {request.method} is not allowed on {request.path}."
        return error_response(405, message).with_headers(("allow", ", ".join(allowed)))
    return error_response(404, f"Invalid URL ({request.method} {request.path})", code="not_found")
