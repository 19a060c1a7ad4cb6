"""sora_videos: a typed sync and async client for the Videos API (Sora).

from sora_videos import Sora

client = Sora()  # OPENAI_API_KEY, OPENAI_BASE_URL
video = client.videos.create_and_poll(prompt="A calico cat playing a piano", seconds=4)
client.videos.download_content(video.id).write_to_file("cat.mp4")
"""

from ._async.content import AsyncVideoContent
from ._async.pagination import AsyncCursorPage
from ._async.videos import AsyncVideos
from ._azure import AsyncAzureSora, AzureSora
from ._batch import BatchJob, BatchResult
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
from ._manifest import ManifestWarning
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
