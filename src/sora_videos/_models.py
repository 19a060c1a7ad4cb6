"""The API's objects as pydantic models: lenient about values and fields the API adds.

Servers that speak the API differ in small ways (see docs/servers.md); every model here
accepts all of them: ``seconds`` as a string, a number or null, ``progress`` missing or null,
``error`` as an object or a plain string with an integer ``code``, ``object`` missing, any
``status`` word, and a delete answered with the video object.
"""

from __future__ import annotations

import builtins
import math
import re
from collections.abc import Mapping
from typing import Any, ClassVar, cast

import pydantic
from pydantic import ConfigDict, ValidationInfo, field_validator, model_validator

from ._types import VideoModel, VideoSeconds, VideoSize, VideoStatus

__all__ = [
    "MAX_ID_LENGTH",
    "BaseModel",
    "Video",
    "VideoCharacter",
    "VideoCreateError",
    "VideoDeleted",
    "check_server_id",
]

MAX_ID_LENGTH = 512


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1: one search per listed id


def check_server_id(value: str) -> str:
    """A job id the server sent, if it can be used in a URL and a file name.

    Raises:
        ValueError: It is empty, ``.`` or ``..``, longer than ``MAX_ID_LENGTH`` or holds a
            control character (the value is not quoted: it is untrusted text).
    """
    if value in ("", ".", "..") or len(value) > MAX_ID_LENGTH:
        raise ValueError(f"unusable id from the server ({len(value)} characters)")
    if _CONTROL.search(value):
        raise ValueError("unusable id from the server (control characters)")
    return value


class BaseModel(pydantic.BaseModel):
    """Base of every API object: keeps fields this version does not know."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    # Set on the instance by ``parse_model`` (outside pydantic: a private attribute would cost
    # every object of a listing a post-init call), read like openai's ``_request_id``.
    _request_id: ClassVar[str | None] = None
    """The ``x-request-id`` of the answer this object came from (openai's name for it)."""

    def __eq__(self, other: object) -> bool:
        # The fields decide; the request an object came with does not (a poll compares states).
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and _field_values(self) == _field_values(other)
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    def to_dict(self) -> dict[str, Any]:
        """The object as JSON-compatible data, unknown fields included."""
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = 2) -> str:
        """The object as a JSON string, unknown fields included."""
        return self.model_dump_json(indent=indent)


class VideoCreateError(BaseModel):
    """Why a video job failed: the server's code (if it sent one) and message."""

    code: str | None = None
    message: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        # Some servers send the error as a plain string.
        return {"message": data} if isinstance(data, str) else data

    @field_validator("code", mode="before")
    @classmethod
    def _code_as_text(cls, value: object) -> object:
        return value if value is None or isinstance(value, str) else str(value)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


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
    size: VideoSize | None = "720x1280"
    seconds: VideoSeconds | None = "4"
    remixed_from_video_id: str | None = None
    error: VideoCreateError | None = None

    # Field validators and one "after" validator only: a "before" model validator would make
    # pydantic build every object of a listing as a dict first, doubling the cost of a page.

    @field_validator("seconds", mode="before")
    @classmethod
    def _seconds_as_text(cls, value: builtins.object) -> builtins.object:
        return value if type(value) is str else seconds_text(value)

    @field_validator("progress", mode="before")
    @classmethod
    def _progress_as_int(cls, value: builtins.object) -> builtins.object:
        if type(value) is int:
            return value
        if value is None:
            return 0
        if isinstance(value, float) and math.isfinite(value):
            return round(value)
        return value

    @model_validator(mode="after")
    def _checked(self) -> Video:
        # A server's id is data: it goes into URLs and file names, so it is checked here,
        # where every answer becomes a Video (a bad one is that answer's validation error).
        check_server_id(self.id)
        error = self.error
        if error is not None and not error.message and error.code is None:
            self.error = None  # an empty error string: no error
        # TensorRT-LLM reports the clip length as ``duration`` and sends no ``seconds``.
        extra = self.__pydantic_extra__
        if extra and "duration" in extra and "seconds" not in self.model_fields_set:
            self.seconds = cast("VideoSeconds | None", seconds_text(extra["duration"]))
        return self


class VideoDeleted(BaseModel):
    """The answer to ``delete``.

    A server that answers with the video object itself (``status: "deleted"``, as SGLang
    does) gives ``deleted=True``; its other fields are kept. An answer without an ``id``
    (TensorRT-LLM sends only ``{"deleted": true}``) takes the id that was asked for, given
    as the validation context ``{"video_id": ...}``.
    """

    id: str
    object: str = "video.deleted"
    deleted: bool

    @model_validator(mode="before")
    @classmethod
    def _from_other_shapes(cls, data: builtins.object, info: ValidationInfo) -> builtins.object:
        fields = _fields(data)
        if fields is None:
            return data
        if "deleted" not in fields and fields.get("status") == "deleted":
            fields = {**fields, "deleted": True}
        context = _fields(info.context)
        if "id" not in fields and context is not None and "video_id" in context:
            fields = {**fields, "id": context["video_id"]}
        return fields


def _field_values(model: BaseModel) -> Mapping[str, object]:
    values: Mapping[str, object] = model.__dict__
    if "_request_id" in values:
        values = {k: v for k, v in values.items() if k != "_request_id"}
    return values


def _fields(data: object) -> dict[str, object] | None:
    return cast("dict[str, object]", data) if isinstance(data, dict) else None


def seconds_text(value: object) -> object:
    """A clip length as the API spells it: ``4``, ``4.0`` and ``"4"`` all become ``"4"``.

    Anything that is not a finite number is returned unchanged for validation to judge.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


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
