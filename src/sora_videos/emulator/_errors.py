"""Errors in the API's envelope (``{"error": {"message", "type", "param", "code"}}``) or in the
shape a dialect's server writes them."""

from __future__ import annotations

from http import HTTPStatus

from ._dialects import ErrorStyle
from ._http import Response, json_response

__all__ = ["ApiError", "error_body", "error_response"]

_TYPES = {401: "invalid_request_error", 429: "requests", 500: "server_error", 503: "server_error"}
# The ``err_type`` words of TensorRT-LLM's create_error_response (serve/openai_server.py).
_TRTLLM_TYPES = {404: "NotFoundError", 500: "InternalServerError", 501: "NotImplementedError"}


class ApiError(Exception):
    """An answer the API gives as an error; raised inside handlers, turned into a response.

    Args:
        status: The HTTP status.
        message: What went wrong, for a person.
        param: The request parameter at fault, if any.
        code: A machine-readable code, if any.
    """

    def __init__(
        self, status: int, message: str, *, param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code

    def response(self, style: ErrorStyle = "openai") -> Response:
        """Return the error as an HTTP answer, its body written in ``style``."""
        if style in ("openai", "azure"):
            return error_response(self.status, self.message, param=self.param, code=self.code)
        return json_response(self.status, error_body(style, self.status, self.message, self.param))


def error_body(style: ErrorStyle, status: int, message: str, param: str | None = None) -> object:
    """Return an error body as a dialect's server writes it.

    ``openai``: the publisher's envelope; ``azure``: ``{"error": {"code": "404", "message"}}``
    (Azure's own answers, e.g. an unknown route); ``vllm``: vLLM's ``ErrorResponse`` (``type``
    is the status phrase, ``code`` an integer); ``fastapi``: FastAPI's default
    ``{"detail": ...}``; ``trtllm``: TensorRT-LLM's flat ``ErrorResponse`` (``type`` is an
    exception name such as ``NotFoundError``).
    """
    phrase = HTTPStatus(status).phrase
    if style == "fastapi":
        return {"detail": message}
    if style == "azure":
        return {"error": {"code": str(status), "message": message}}
    if style == "trtllm":
        return {
            "object": "error",
            "message": message,
            "type": phrase,
            "param": param,
            "code": status,
        }
    if style == "vllm":
        return {"error": {"message": message, "type": phrase, "param": param, "code": status}}
    return _envelope(status, message, param=param, code=None, error_type=None)


def _envelope(
    status: int, message: str, *, param: str | None, code: str | None, error_type: str | None
) -> dict[str, object]:
    kind = error_type or _TYPES.get(status, "server_error" if status >= 500 else None)
    return {
        "error": {
            "message": message,
            "type": kind or "invalid_request_error",
            "param": param,
            "code": code,
        }
    }


def error_response(
    status: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    error_type: str | None = None,
) -> Response:
    """Build an error answer in the API's envelope.

    Args:
        status: The HTTP status.
        message: What went wrong, for a person.
        param: The request parameter at fault, if any.
        code: A machine-readable code, if any.
        error_type: The envelope's ``type``; derived from ``status`` when omitted.

    Returns:
        The JSON error response.
    """
    body = _envelope(status, message, param=param, code=code, error_type=error_type)
    return json_response(status, body)
