"""What the command line says when something fails: one line, an exit status, and a way on."""

from __future__ import annotations

from http import HTTPStatus

from .._exceptions import APIConnectionError, APIStatusError, SoraError, VideoFailedError

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "CommandError",
    "Resumable",
    "Terminated",
    "UsageError",
    "describe",
    "failure_reason",
]

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class UsageError(Exception):
    """Arguments that parse but make no sense together (exit status 2)."""


class CommandError(Exception):
    """A failure the command line explains in its own words (exit status 1)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM: the command stops as on Ctrl-C, cleaning up after itself."""


class Resumable(Exception):
    """A failure, or Ctrl-C, once a job exists: what went wrong, and how to carry on.

    Args:
        cause: What stopped the command.
        hint: What to run to pick the job(s) up again.
    """

    def __init__(self, cause: BaseException, hint: str) -> None:
        super().__init__(hint)
        self.cause = cause
        self.hint = hint


def describe(error: BaseException) -> tuple[str, int] | None:
    """The one-line message and exit status for an expected failure, or ``None`` for a bug.

    Args:
        error: What was raised while running a command.

    Returns:
        ``(message, exit_status)``, or ``None`` if the error is not one a user can cause.
    """
    if isinstance(error, Terminated):
        return "terminated", EXIT_TERMINATED
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", EXIT_INTERRUPTED
    if isinstance(error, VideoFailedError):
        return _failed_message(error), EXIT_FAILURE
    if isinstance(error, APIStatusError):
        return _status_message(error), EXIT_FAILURE
    if isinstance(error, APIConnectionError):
        return _connection_message(error), EXIT_FAILURE
    if isinstance(error, (SoraError, CommandError, ImportError)):
        return str(error), EXIT_FAILURE
    if isinstance(error, OSError):
        return _os_message(error), EXIT_FAILURE
    if isinstance(error, (UsageError, ValueError)):
        return str(error), EXIT_USAGE
    return None


def _failed_message(error: VideoFailedError) -> str:
    return f"video {error.video.id} failed: {failure_reason(error)}"


def failure_reason(error: VideoFailedError) -> str:
    """Why a job failed, in the server's words, naming its code once."""
    if error.video.error is None:
        return "no reason given"
    code, message = error.video.error.code, error.video.error.message
    return message if code and code in message else f"{message} [{code}]"


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
