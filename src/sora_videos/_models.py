"""The API's objects as pydantic models: lenient about values and fields the API adds.

Servers that speak the API differ in small ways (see docs/servers.md); every model here
accepts all of them: ``seconds`` as a string, a number or null, ``progress`` missing or null,
``error`` as an object or a plain string with an integer ``code``, ``object`` missing, any
``status`` word, and a delete answered with the video object.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, cast

import pydantic
from pydantic import AfterValidator, ConfigDict, ValidationInfo, field_validator, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from ._types import VideoModel, VideoSeconds, VideoSize, VideoStatus

__all__ = [
    "MAX_ID_LENGTH",
    "BaseModel",
    "Video",
    "VideoCharacter",
    "VideoCreateError",
    "VideoDeleted",
]

MAX_ID_LENGTH = 512

_C = "\\x00-\\x1f\\x7f-\\x9f"  # C0, DEL and C1 control characters
_USABLE_ID = f"^(?:[^.{_C}]|\\.[^.{_C}]|\\.\\.[^{_C}])[^{_C}]*$"  # not "", "." or ".."


class _ServerId:
    """A job id the server sent, checked where every answer becomes a ``Video``: it goes into
    URLs and file names, so it must not be empty, ``.`` or ``..``, longer than
    ``MAX_ID_LENGTH`` or hold a control character (the value is untrusted text and is not
    quoted in the error). The check runs in pydantic-core: a listing pays no Python call."""

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        usable = core_schema.custom_error_schema(
            core_schema.str_schema(max_length=MAX_ID_LENGTH, pattern=_USABLE_ID),
            custom_error_type="unusable_id",
            custom_error_message=(
                "unusable id from the server (empty, '.', '..', over "
                f"{MAX_ID_LENGTH} characters, or with control characters)"
            ),
        )
        return core_schema.chain_schema([core_schema.str_schema(), usable])  # not a string: said


class _Lenient:
    """Values of the declared type pass in pydantic-core; any other value goes through
    ``convert`` first (a Python call only for the server that sends the odd shape)."""

    def __init__(self, convert: Callable[[Any], Any], expected: str) -> None:
        self.convert = convert
        self.expected = expected

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        declared = handler(source)
        converted = core_schema.no_info_before_validator_function(self.convert, declared)
        return core_schema.custom_error_schema(
            core_schema.union_schema([declared, converted], mode="left_to_right"),
            custom_error_type="lenient_type",
            custom_error_message=f"Input should be {self.expected}",
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: pydantic.GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        union = cast(
            "core_schema.UnionSchema", cast("core_schema.CustomErrorSchema", schema)["schema"]
        )
        return handler(cast("core_schema.CoreSchema", union["choices"][0]))  # the declared type


def _progress_int(value: object) -> object:
    if value is None:
        return 0
    if isinstance(value, float) and math.isfinite(value):
        return round(value)
    return value


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


def _none_if_empty(error: VideoCreateError) -> VideoCreateError | None:
    return None if not error.message and error.code is None else error  # an empty error string


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

    id: Annotated[str, _ServerId()]
    object: str = "video"
    model: VideoModel = "sora-2"
    status: VideoStatus
    progress: Annotated[int, _Lenient(_progress_int, "an integer or null")] = 0
    created_at: int = 0
    completed_at: int | None = None
    expires_at: int | None = None
    prompt: str | None = None
    size: VideoSize | None = "720x1280"
    seconds: Annotated[
        VideoSeconds | None, _Lenient(seconds_text, "a string, a number or null")
    ] = "4"
    remixed_from_video_id: str | None = None
    error: Annotated[VideoCreateError, AfterValidator(_none_if_empty)] | None = None

    # The odd shapes servers send are taken in pydantic-core (``_Lenient``, ``_ServerId``),
    # so that a listed video costs no Python call but this one: a "before" model validator
    # would make pydantic build every object of a listing as a dict first.

    @model_validator(mode="after")
    def _duration_as_seconds(self) -> Video:
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
