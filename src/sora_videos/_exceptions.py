"""The errors this package raises, as one tree.

SoraError
├── APIError                        a request to the API went wrong
│   ├── APIStatusError              the server answered 4xx/5xx
│   │   ├── BadRequestError             400
│   │   ├── AuthenticationError         401
│   │   ├── PermissionDeniedError       403
│   │   ├── NotFoundError               404
│   │   ├── ConflictError               409
│   │   │   └── VideoNotReadyError      /content of a job not done yet (``.video``)
│   │   ├── UnprocessableEntityError    422
│   │   ├── RateLimitError              429
│   │   └── InternalServerError         5xx
│   ├── APIConnectionError          no answer: connection refused, reset, dropped
│   │   └── APITimeoutError         no answer in time
│   ├── APIResponseValidationError  an answer that cannot be parsed
│   └── IncompleteDownloadError     a body shorter (or longer) than its Content-Length
├── PaginationError                 no next page: the last page, or a cursor seen before
├── VideoFailedError                a polled job ended `failed` (``.video``)
├── PollTimeoutError                a poll ran past ``max_wait`` (``.video``, ``.videos``)
├── UnsupportedOperationError       the server does not offer this operation (``.server``)
└── UnknownServerError              no server preset has that name (also a ValueError)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ._models import Video

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "IncompleteDownloadError",
    "InternalServerError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "SoraError",
    "UnknownServerError",
    "UnprocessableEntityError",
    "UnsupportedOperationError",
    "VideoFailedError",
    "VideoNotReadyError",
]


class SoraError(Exception):
    """Base class of every error raised by this package."""


class APIError(SoraError):
    """A request to the API failed.

    Attributes:
        message: What went wrong, in words.
        request: The request that failed, if one was built.
        body: The decoded error body (JSON) or text, if any.
        idempotency_key: The ``Idempotency-Key`` a job-creating request carried, so that a
            caller can reconcile: replaying the same key never creates a second job.
    """

    message: str
    request: httpx.Request | None
    body: object | None
    idempotency_key: str | None

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        body: object | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        self.idempotency_key = idempotency_key

    def __reduce__(self) -> tuple[object, ...]:
        # Keep errors picklable (task queues ship them between processes); the request is
        # dropped because it may hold a live stream.
        return (_rebuild, (type(self), self.message, self.body, self.idempotency_key))


def _rebuild(
    cls: type[APIError], message: str, body: object | None, idempotency_key: str | None
) -> APIError:
    error = cls.__new__(cls)
    APIError.__init__(error, message, body=body, idempotency_key=idempotency_key)
    return error


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status.

    Attributes:
        status_code: The HTTP status.
        request_id: The ``x-request-id`` the server gave the answer, for support requests.
        code: The API's machine-readable error code, if it sent one.
        param: The request parameter the error is about, if the server named one.
        response: The raw ``httpx.Response``.
        retry_after: Seconds the server asked the caller to wait, if it said.
    """

    status_code: int
    request_id: str | None
    code: str | None
    param: str | None
    response: httpx.Response | None
    retry_after: float | None

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object | None,
        code: str | None = None,
        param: str | None = None,
        retry_after: float | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        super().__init__(
            message, request=response.request, body=body, idempotency_key=idempotency_key
        )
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id")
        self.code = code
        self.param = param
        self.retry_after = retry_after

    def __str__(self) -> str:
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.status_code}: {self.message}{rid}"

    def __reduce__(self) -> tuple[object, ...]:
        # The request and response stay behind: the request's headers hold the API key,
        # which would otherwise travel in the pickled bytes.
        state = {k: v for k, v in self.__dict__.items() if k not in ("request", "response")}
        return (_rebuild_status, (type(self), state))


def _rebuild_status(cls: type[APIStatusError], state: dict[str, object]) -> APIStatusError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state, request=None, response=None)
    return error


class BadRequestError(APIStatusError):
    """400: the request was malformed or a parameter was invalid (see ``param``)."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this (organization, project or model access)."""


class NotFoundError(APIStatusError):
    """404: no such video, character or asset (or it expired or was deleted)."""


class ConflictError(APIStatusError):
    """409: the resource is in a state that does not allow this yet."""


class VideoNotReadyError(ConflictError):
    """The job's media was asked for before the job completed.

    Servers say so differently (409, or 404 "Generation is still in-progress", or 400 "not
    ready"); whatever the status, the job's own state (retrieved once) decides, so this is
    never a missing video. Wait with ``videos.poll`` first.

    Attributes:
        video: The job as retrieved after the refusal (still ``queued``, ``in_progress``...).
    """

    video: Video

    def __init__(self, error: APIStatusError, video: Video) -> None:
        assert error.response is not None  # a fresh error always holds its response
        super().__init__(
            f"video {video.id} is {video.status} ({video.progress}%), not completed: its "
            f"content is not ready yet; wait with videos.poll() before downloading",
            response=error.response,
            body=error.body,
            code=error.code,
            param=error.param,
        )
        self.video = video


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests or not enough quota; see ``retry_after``."""


class InternalServerError(APIStatusError):
    """5xx: the server failed; retried automatically within ``max_retries``."""


class APIConnectionError(APIError):
    """No answer came back: the connection failed, was refused, reset or dropped."""


class APITimeoutError(APIConnectionError):
    """No answer came back in time (see the ``timeout`` option)."""


class APIResponseValidationError(APIError):
    """The server answered, but its body does not have the documented shape."""


class IncompleteDownloadError(APIError):
    """A download ended with a byte count other than the announced ``Content-Length``.

    Attributes:
        expected: The announced length in bytes.
        received: The bytes actually received.
    """

    expected: int
    received: int

    def __init__(self, *, expected: int, received: int, request: httpx.Request | None = None):
        super().__init__(
            f"download incomplete: received {received} of {expected} bytes", request=request
        )
        self.expected = expected
        self.received = received

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self)._restore, (self.expected, self.received))

    @classmethod
    def _restore(cls, expected: int, received: int) -> IncompleteDownloadError:
        return cls(expected=expected, received=received)


class PaginationError(SoraError):
    """There is no next page: this is the last one, or the server sent a cursor seen before
    (a cycle that would otherwise page forever)."""


class VideoFailedError(SoraError):
    """A polled video job ended without a video (``failed``, ``cancelled``, ``expired``...).

    Attributes:
        video: The failed job; ``video.error`` holds the server's code and message.
    """

    video: Video

    def __init__(self, video: Video) -> None:
        detail = str(video.error) if video.error else "no error detail given"
        super().__init__(f"video {video.id} {video.status} ({detail})")
        self.video = video

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.video,))


class PollTimeoutError(SoraError):
    """Polling ran past ``max_wait`` before the job (or jobs) finished.

    The jobs themselves go on: poll again later with their ids.

    Attributes:
        video: The last state seen (of the first job still running, when several were).
        videos: The last state of every job still running (``[video]`` for one job).
        max_wait: The wait that ran out, in seconds.
    """

    video: Video
    videos: list[Video]

    def __init__(
        self, video: Video, max_wait: float, *, videos: Sequence[Video] | None = None
    ) -> None:
        others = "" if not videos or len(videos) < 2 else f" (and {len(videos) - 1} more)"
        super().__init__(
            f"video {video.id} still {video.status} ({video.progress}%){others} after "
            f"{max_wait:g} s; poll it again later with its id"
        )
        self.video = video
        self.videos = list(videos) if videos else [video]
        self.max_wait = max_wait

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_timeout, (self.video, self.max_wait, self.videos))


def _rebuild_timeout(video: Video, max_wait: float, videos: list[Video]) -> PollTimeoutError:
    return PollTimeoutError(video, max_wait, videos=videos)


class UnsupportedOperationError(SoraError):
    """The chosen server does not offer this operation (e.g. ``remix`` on vLLM-Omni).

    Raised before any request is sent.

    Attributes:
        server: The server profile's name.
        operation: The operation asked for.
    """

    server: str
    operation: str

    def __init__(self, *, server: str, operation: str) -> None:
        super().__init__(
            f"the {server} server does not offer {operation}; if yours does, pass a "
            f"ServerProfile whose operations include it"
        )
        self.server = server
        self.operation = operation

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_unsupported, (self.server, self.operation))


def _rebuild_unsupported(server: str, operation: str) -> UnsupportedOperationError:
    return UnsupportedOperationError(server=server, operation=operation)


class UnknownServerError(SoraError, ValueError):
    """A server name that is no preset's; the message lists the valid names."""


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The error class for an HTTP error status."""
    if status_code >= 500:
        return InternalServerError
    return STATUS_ERRORS.get(status_code, APIStatusError)
