"""Turning answers into models or errors. Pure: no I/O beyond an already-read body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TypeVar, cast

import httpx
import pydantic

from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    status_error_class,
)
from ._models import BaseModel

__all__ = ["connection_error", "parse_model", "status_error", "unreadable_body_error"]

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_model(
    cls: type[ModelT], response: httpx.Response, *, context: Mapping[str, object] | None = None
) -> ModelT:
    """Validate a JSON answer into ``cls``, its ``_request_id`` set from ``x-request-id``
    (``context`` reaches the model's validators).

    Raises:
        APIResponseValidationError: The body is not JSON or does not fit the model.
    """
    try:
        model = cls.model_validate_json(response.content, context=context)
    except pydantic.ValidationError as err:
        message = f"unexpected {cls.__name__} from {response.request.url.path}: "
        raise APIResponseValidationError(
            message + _first_problem(err),
            request=response.request,
            body=_body(response),
            # A job-creating call's answer may be unreadable although the job exists: the
            # key lets the caller replay the call and get that job, not a second one.
            idempotency_key=response.request.headers.get("idempotency-key"),
        ) from err
    request_id = response.headers.get("x-request-id")
    if request_id is not None:
        object.__setattr__(model, "_request_id", request_id)  # see BaseModel._request_id
    return model


def _first_problem(err: pydantic.ValidationError) -> str:
    problem = err.errors(include_url=False)[0]
    where = ".".join(str(part) for part in problem["loc"]) or "body"
    return f"{where}: {problem['msg']}"


def status_error(
    response: httpx.Response,
    *,
    retry_after: float | None = None,
    idempotency_key: str | None = None,
) -> APIStatusError:
    """The typed error for a 4xx/5xx answer, with the server's message when it gave one."""
    body = _body(response)
    details = _error_details(body)
    message = details.get("message")
    if not isinstance(message, str) or not message:
        message = _fallback_message(response, body)
    return status_error_class(response.status_code)(
        message,
        response=response,
        body=body,
        code=_text(details.get("code")),
        param=_text(details.get("param")),
        retry_after=retry_after,
        idempotency_key=idempotency_key,
    )


def _error_details(body: object) -> dict[str, object]:
    """The error's fields from any body shape a server of this API sends.

    ``{"error": {...}}`` (the API's envelope), ``{"error": "text"}``, a bare
    ``{"message": ..., "code": ...}`` (vLLM-style servers, SGLang) and FastAPI's
    ``{"detail": "text" | [{"loc": [...], "msg": ...}] | {...}}``.
    """
    if not isinstance(body, dict):
        return {}
    fields = cast("dict[str, object]", body)
    error, detail = fields.get("error"), fields.get("detail")
    if isinstance(error, dict):
        return cast("dict[str, object]", error)
    if isinstance(error, str) and error:
        return {"message": error}
    if isinstance(fields.get("message"), str):
        return fields
    if isinstance(detail, str):
        return {"message": detail}
    if isinstance(detail, dict):
        return _error_details({"error": cast("dict[str, object]", detail)})
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        first = cast("dict[str, object]", detail[0])
        loc = first.get("loc")
        where = (
            ".".join(str(part) for part in cast("list[object]", loc))
            if isinstance(loc, list)
            else ""
        )
        message = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        return {"message": message, "param": where or None}
    return {}


def _fallback_message(response: httpx.Response, body: object) -> str:
    reason = response.reason_phrase or "error"
    if isinstance(body, str) and body.strip():
        kind = response.headers.get("content-type", "").split(";")[0] or "text"
        if kind == "text/html":
            return f"{reason} (the answer was an HTML page, likely from a proxy)"
        return f"{reason}: {body.strip()[:200]}"
    return reason


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _body(response: httpx.Response) -> object:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
        return response.text


def connection_error(
    exc: httpx.TransportError, request: httpx.Request | None, idempotency_key: str | None
) -> APIConnectionError:
    """The typed error for a request that got no answer."""
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "timed out" if cls is APITimeoutError else "failed"
    target = f" {request.method} {request.url.path}" if request is not None else ""
    # h11's text for a refused request quotes the header value (an API key, a token): the
    # library's words about what this client sent are never repeated.
    detail = "the request could not be sent as built" if _sent_badly(exc) else str(exc)
    return cls(
        f"request{target} {what}: {type(exc).__name__}: {detail}",
        request=request,
        idempotency_key=idempotency_key,
    )


def _sent_badly(exc: httpx.TransportError) -> bool:
    return isinstance(exc, httpx.LocalProtocolError) or "illegal header" in str(exc).lower()


def unreadable_body_error(
    response: httpx.Response, state: str, max_body_size: int, idempotency_key: str | None
) -> APIResponseValidationError:
    """The error for a successful answer whose body could not be read whole: larger than
    ``max_body_size`` once decoded (``state`` ``"too_large"``) or not in its encoding."""
    path = response.request.url.path
    if state == "too_large":
        message = (
            f"the answer from {path} is larger than max_body_size ({max_body_size} bytes, "
            f"decoded); raise max_body_size= on the client if it is expected"
        )
    else:
        encoding = response.headers.get("content-encoding", "")
        message = f"the answer from {path} is not valid {encoding[:40]!r} as its header says"
    return APIResponseValidationError(
        message, request=response.request, idempotency_key=idempotency_key
    )
