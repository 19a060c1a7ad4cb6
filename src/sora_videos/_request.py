"""Building requests: from what an operation wants to exactly what goes on the wire. Pure."""

from __future__ import annotations

import json as jsonlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

from ._auth import EndpointAuth
from ._config import ClientConfig, check_header_values
from ._multipart import FilePart, MultipartStream
from ._types import RequestOptions
from .servers import Operation

__all__ = ["HTTPRequest", "RequestSpec", "build_request", "path_segment"]


@dataclass(frozen=True)
class RequestSpec:
    """What one API operation asks for, before client settings and options apply.

    Attributes:
        method: HTTP method.
        path: Path below the base URL, already percent-encoded (``videos/abc/remix``).
        params: Query parameters; ``None`` values are left out.
        json: A JSON body, or ``None``.
        files: Files to upload; when given, the body is multipart and ``json``'s
            fields travel as form fields.
        headers: Headers of the operation's own (``Accept`` for media, ``Range``).
        idempotency_key: Sent as ``Idempotency-Key``; the same on every retry.
        stream: Whether the caller reads the body itself (downloads).
        operation: The API operation, for the server profile (``None``: none applies).
        multipart: Send the body as multipart/form-data even without files.
    """

    method: str
    path: str
    params: Mapping[str, str | int | None] | None = None
    json: Mapping[str, object] | None = None
    files: Mapping[str, FilePart] | None = None
    headers: Mapping[str, str] | None = None
    idempotency_key: str | None = None
    stream: bool = False
    operation: Operation | None = None
    multipart: bool = False


@dataclass(frozen=True)
class HTTPRequest:
    """A request ready for ``httpx.Client.build_request``; ``body`` streams multipart uploads;
    ``auth``, when set, signs each attempt (see ``ClientConfig.signs_requests``)."""

    method: str
    url: str
    params: dict[str, str | int | float | bool]
    headers: dict[str, str] = field(repr=False)  # the API key: kept out of tracebacks' locals
    json: dict[str, object] | None
    body: MultipartStream | None
    timeout: httpx.Timeout
    auth: httpx.Auth | None = field(default=None, repr=False)

    @property
    def idempotency_key(self) -> str | None:
        """The ``Idempotency-Key`` on the wire, whatever its spelling, if any."""
        return next(
            (value for name, value in self.headers.items() if name.lower() == "idempotency-key"),
            None,
        )

    @property
    def replayable(self) -> bool:
        """Whether the request can be sent again after its body went out."""
        return self.body is None or self.body.replayable


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+").fullmatch  # what quote() leaves as it is


def path_segment(value: str, *, name: str) -> str:
    """An id as exactly one percent-encoded path segment.

    Raises:
        TypeError: ``value`` is not a string.
        ValueError: ``value`` is empty, ``.`` or ``..``.
    """
    if not isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    if _UNRESERVED(value) and value not in (".", ".."):
        return value  # most ids: nothing to encode
    if value in ("", ".", ".."):
        raise ValueError(f"{name} must be a non-empty id, not {value!r}")
    return quote(value, safe="")


def build_request(config: ClientConfig, spec: RequestSpec, options: RequestOptions) -> HTTPRequest:
    """Apply client settings and per-request options to an operation's request."""
    own = dict(spec.headers or {})
    if spec.idempotency_key:
        own["Idempotency-Key"] = spec.idempotency_key
    headers = merged_headers(config.headers(), own)
    params = config.query
    params.update((key, value) for key, value in (spec.params or {}).items() if value is not None)
    params.update(options.get("extra_query", {}))
    json: dict[str, object] | None = None
    body: MultipartStream | None = None
    if spec.json is not None or spec.files or "extra_body" in options:
        fields = {**(spec.json or {}), **options.get("extra_body", {})}
        if spec.files or spec.multipart:
            body = MultipartStream(_form_fields(fields), spec.files or {})
            headers["Content-Type"] = body.content_type
            length = body.content_length()
            if length is None:
                headers["Transfer-Encoding"] = "chunked"
            else:
                headers["Content-Length"] = str(length)
        else:
            json = fields
    headers = merged_headers(headers, options.get("extra_headers", {}))
    timeout = options.get("timeout", config.timeout)
    return HTTPRequest(
        method=spec.method,
        url=config.url_prefix + spec.path,
        params=params,
        headers=headers,
        json=json,
        body=body,
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        auth=EndpointAuth.of(config) if config.signs_requests else None,
    )


def merged_headers(headers: dict[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """``headers`` (already checked) with ``extra``'s on top, names compared without case
    (one header each: an ``idempotency-key`` in ``extra`` replaces the generated
    ``Idempotency-Key``).

    Raises:
        SoraError: A value in ``extra`` has a control character (the value is not shown).
    """
    if not extra:
        return headers
    check_header_values(extra)
    replaced = {name.lower() for name in extra}
    merged = {name: value for name, value in headers.items() if name.lower() not in replaced}
    merged.update(extra)
    return merged


def _form_fields(fields: Mapping[str, object]) -> dict[str, str]:
    # Reference objects (e.g. {"id": ...}) travel in a multipart body as JSON text.
    return {
        name: value if isinstance(value, str) else jsonlib.dumps(value)
        for name, value in fields.items()
    }
