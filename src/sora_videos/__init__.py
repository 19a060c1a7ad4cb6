"""sora_videos: a typed sync and async client for the Videos API (Sora).

from sora_videos import Sora

client = Sora()  # OPENAI_API_KEY, OPENAI_BASE_URL
video = client.videos.create_and_poll(prompt="A calico cat playing a piano", seconds=4)
client.videos.download_content(video.id).write_to_file("cat.mp4")
"""

import importlib as _importlib
import typing as _typing

from ._async.content import AsyncVideoContent
from ._async.pagination import AsyncCursorPage
from ._async.videos import AsyncVideos
from ._azure import AsyncAzureSora, AzureSora
from ._client import NOT_GIVEN, AsyncSora, NotGiven, Sora
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    IncompleteDownloadError,
    InternalServerError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    PollTimeoutError,
    RateLimitError,
    SoraError,
    UnknownServerError,
    UnprocessableEntityError,
    UnsupportedOperationError,
    VideoFailedError,
    VideoNotReadyError,
)
from ._logging import configure_from_env as _configure_from_env
from ._models import Video, VideoCharacter, VideoCreateError, VideoDeleted, VideoList
from ._pagination import AsyncPaginator
from ._raw import RawResponse
from ._sync.content import VideoContent
from ._sync.pagination import CursorPage
from ._sync.videos import Videos
from ._types import (
    FileInput,
    ImageReference,
    InputReference,
    RequestOptions,
    VideoInput,
    VideoModel,
    VideoReference,
    VideoSeconds,
    VideoSize,
    VideoStatus,
    VideoVariant,
)
from ._version import __version__

if _typing.TYPE_CHECKING:
    from ._batch import BatchJob, BatchResult
    from ._manifest import ManifestWarning

_BATCH_NAMES = {"BatchJob": "_batch", "BatchResult": "_batch", "ManifestWarning": "_manifest"}
"""Names whose modules load on first use: the batch machinery (manifest, fleet, worker
pools) is most of what ``import sora_videos`` would otherwise spend on code a caller that
never batches does not run."""


def __getattr__(name: str) -> object:
    if name in _BATCH_NAMES:
        value = getattr(_importlib.import_module(f".{_BATCH_NAMES[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_BATCH_NAMES})


__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAzureSora",
    "AsyncCursorPage",
    "AsyncPaginator",
    "AsyncSora",
    "AsyncVideoContent",
    "AsyncVideos",
    "AuthenticationError",
    "AzureSora",
    "BadRequestError",
    "BatchJob",
    "BatchResult",
    "ConflictError",
    "CursorPage",
    "FileInput",
    "ImageReference",
    "IncompleteDownloadError",
    "InputReference",
    "InternalServerError",
    "ManifestWarning",
    "NotFoundError",
    "NotGiven",
    "PaginationError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "RawResponse",
    "RequestOptions",
    "Sora",
    "SoraError",
    "UnknownServerError",
    "UnprocessableEntityError",
    "UnsupportedOperationError",
    "Video",
    "VideoCharacter",
    "VideoContent",
    "VideoCreateError",
    "VideoDeleted",
    "VideoFailedError",
    "VideoInput",
    "VideoList",
    "VideoModel",
    "VideoNotReadyError",
    "VideoReference",
    "VideoSeconds",
    "VideoSize",
    "VideoStatus",
    "VideoVariant",
    "Videos",
    "__version__",
]

_configure_from_env()  # reads SORA_VIDEOS_LOG / OPENAI_LOG; nothing else
