"""Errors in the API's envelope: ``{"error": {"message", "type", "param", "code"}}``."""

from __future__ import annotations

from ._http import Response, json_response

__all__ = ["ApiError", "error_response"]

_TYPES = {401: "invalid_request_error", 429: "requests", 500: "server_error", 503: "server_error"}


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

    def response(self) -> Response:
        """Return the error as an HTTP answer."""
        return error_response(self.status, self.message, param=self.param, code=self.code)


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
    kind = error_type or _TYPES.get(status, "server_error" if status >= 500 else None)
    envelope = {
        "message": message,
        "type": kind or "invalid_request_error",
        "param": param,
        "code": code,
    }
    return json_response(status, {"error": envelope})
