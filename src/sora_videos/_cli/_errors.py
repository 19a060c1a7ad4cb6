"""What the command line says when something fails: one line and an exit status."""

from __future__ import annotations

from http import HTTPStatus

from .._exceptions import APIConnectionError, APIStatusError, SoraError

__all__ = ["EXIT_FAILURE", "EXIT_INTERRUPTED", "EXIT_USAGE", "UsageError", "describe"]

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Arguments that parse but make no sense together."""


def describe(error: Exception) -> tuple[str, int] | None:
    """The one-line message and exit status for an expected failure, or ``None`` for a bug.

    Args:
        error: What was raised while running a command.

    Returns:
        ``(message, exit_status)``, or ``None`` if the error is not one a user can cause.
    """
    if isinstance(error, APIStatusError):
        return _status_message(error), EXIT_FAILURE
    if isinstance(error, APIConnectionError):
        return _connection_message(error), EXIT_FAILURE
    if isinstance(error, SoraError):
        return str(error), EXIT_FAILURE
    if isinstance(error, OSError):
        return _os_message(error), EXIT_FAILURE
    if isinstance(error, (UsageError, ValueError)):
        return str(error), EXIT_USAGE
    if isinstance(error, ImportError):
        return str(error), EXIT_FAILURE
    return None


def _status_message(error: APIStatusError) -> str:
    try:
        phrase = f" {HTTPStatus(error.status_code).phrase}"
    except ValueError:
        phrase = ""
    code = f" [{error.code}]" if error.code else ""
    request_id = error.request_id or "none given"
    return f"{error.status_code}{phrase}{code}: {error.message} (request id: {request_id})"


def _connection_message(error: APIConnectionError) -> str:
    if error.request is None:
        return error.message
    url = error.request.url
    return f"no answer from {url.scheme}://{url.netloc.decode()}: {error.message}"


def _os_message(error: OSError) -> str:
    if error.filename is None or error.strerror is None:
        return str(error)
    return f"{error.strerror}: {error.filename}"
