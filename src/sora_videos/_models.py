"""The API's objects as pydantic models: lenient about values and fields the API adds."""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic import ConfigDict, PrivateAttr

from ._types import VideoModel, VideoSeconds, VideoSize, VideoStatus

__all__ = ["BaseModel", "Video", "VideoCharacter", "VideoCreateError", "VideoDeleted"]


class BaseModel(pydantic.BaseModel):
    """Base of every API object: keeps fields this version does not know."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    _request_id: str | None = PrivateAttr(default=None)
    """The ``x-request-id`` of the answer this object came from (openai's name for it)."""

    def __eq__(self, other: object) -> bool:
        # The fields decide; the request an object came with does not (a poll compares states).
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    def to_dict(self) -> dict[str, Any]:
        """The object as JSON-compatible data, unknown fields included."""
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = 2) -> str:
        """The object as a JSON string, unknown fields included."""
        return self.model_dump_json(indent=indent)


class VideoCreateError(BaseModel):
    """Why a video job failed."""

    code: str
    message: str


class Video(BaseModel):
    """A video generation job and, once completed, its result."""

    id: str
    object: str = "video"
    model: VideoModel = "sora-2"
    status: VideoStatus
    progress: int = 0
    created_at: int = 0
    completed_at: int | None = None
    expires_at: int | None = None
    prompt: str | None = None
    size: VideoSize = "720x1280"
    seconds: VideoSeconds = "4"
    remixed_from_video_id: str | None = None
    error: VideoCreateError | None = None


class VideoDeleted(BaseModel):
    """The answer to ``delete``."""

    id: str
    object: str = "video.deleted"
    deleted: bool


class VideoCharacter(BaseModel):
    """A character made from an uploaded video, for use in later prompts."""

    id: str | None = None
    name: str | None = None
    created_at: int = 0


class VideoList(BaseModel):
    """One page of ``list`` as the API sends it (wrapped into a ``CursorPage``)."""

    object: str = "list"
    data: list[Video]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False
