"""Which handler answers which request, and the checks every request passes first."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from . import _handlers as h
from ._auth import request_key
from ._content import get_content
from ._core import Core
from ._dialects import Dialect, Operation
from ._errors import ApiError, error_body, error_response
from ._http import JSON_BODY_LIMIT, Request, Response, json_response
from ._limits import key_fingerprint

__all__ = ["api_path", "dispatch"]

Handler = Callable[[Core, Request, dict[str, str]], Response]
Route = tuple[str, re.Pattern[str], Operation, Handler]


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


_TABLE: list[tuple[str, str, Operation, Handler]] = [
    ("POST", "/videos", "create", h.create_video),
    ("GET", "/videos", "list", h.list_videos),
    ("POST", "/videos/characters", "characters", h.create_character),
    ("GET", "/videos/characters/{character_id}", "characters", h.get_character),
    ("POST", "/videos/edits", "edit", h.edit_video),
    ("POST", "/videos/extensions", "extend", h.extend_video),
    ("GET", "/videos/{video_id}", "retrieve", h.get_video),
    ("DELETE", "/videos/{video_id}", "delete", h.delete_video),
    ("GET", "/videos/{video_id}/content", "content", get_content),
    ("POST", "/videos/{video_id}/remix", "remix", h.remix_video),
]
ROUTES: list[Route] = [(m, _pattern(t), op, handler) for m, t, op, handler in _TABLE]


def api_path(path: str, root: str = "/v1") -> str:
    """Return the path below the API root (``/v1/videos`` and ``/videos`` both give ``/videos``)."""
    path = path.rstrip("/") or "/"
    return path[len(root) :] if path == root or path.startswith(f"{root}/") else path


def _routing_error(dialect: Dialect, request: Request, allowed: list[str]) -> Response:
    """A 404 or 405 as the dialect's server (or the framework under it) writes it."""
    style = dialect.routing_errors
    if style == "azure":
        return json_response(404, error_body("azure", 404, "Resource not found"))
    if style == "fastapi":
        # Starlette answers with the methods of the first route whose path matched.
        if allowed:
            body = error_body("fastapi", 405, "Method Not Allowed")
            return json_response(405, body, ("allow", allowed[0]))
        return json_response(404, error_body("fastapi", 404, "Not Found"))
    if allowed:
        message = f"Method {request.method} is not allowed on {request.path}."
        return error_response(405, message).with_headers(("allow", ", ".join(allowed)))
    return error_response(404, f"Invalid URL ({request.method} {request.path})", code="not_found")


def _route(core: Core, request: Request) -> Response:
    dialect = core.dialect
    path = api_path(request.raw_path or request.path, dialect.root)
    offered = [r for r in ROUTES if r[2] in dialect.operations]
    found = [
        (method, match, handler) for method, p, _, handler in offered if (match := p.match(path))
    ]
    if any(not match.groupdict() for _, match, _ in found):
        # As in OpenAPI, a literal path (/videos/edits) wins over a template (/videos/{id}).
        found = [(m, match, handler) for m, match, handler in found if not match.groupdict()]
    allowed: list[str] = []
    for method, match, handler in found:
        if method != request.method:
            allowed.append(method)
            continue
        try:
            params = {name: unquote(value) for name, value in match.groupdict().items()}
            return handler(core, request, params)
        except ApiError as error:
            return error.response(dialect.errors)
    return _routing_error(dialect, request, allowed)


def dispatch(core: Core, request: Request) -> Response:
    """Answer one request: authenticate, count it against the key's rate limit, route, run the
    handler, turn errors into the dialect's error bodies."""
    dialect = core.dialect
    if not core.credentials.accept(dialect, request):
        return json_response(401, dict(dialect.unauthorized))
    limits: tuple[tuple[str, str], ...] = ()
    if core.rate_limiter is not None:
        key = key_fingerprint(request_key(request))
        verdict = core.rate_limiter.check(key, core.clock.now())
        limits = verdict.headers
        if not verdict.allowed:
            message = (
                f"Rate limit reached for requests: limit {core.rate_limiter.limit.requests} per "
                f"{core.rate_limiter.limit.period:g}s. Please try again later."
            )
            error = ApiError(429, message, code="rate_limit_exceeded")
            return error.response(dialect.errors).with_headers(*limits)
    if request.too_large:
        limit_mib = JSON_BODY_LIMIT // (1024 * 1024)
        message = (
            f"Request body too large: at most {limit_mib} MiB unless it is a multipart upload."
        )
        error = ApiError(413, message, code="request_too_large")
        return error.response(dialect.errors).with_headers(*limits)
    return _route(core, request).with_headers(*limits)
