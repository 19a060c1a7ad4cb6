"""Request bodies (JSON or multipart) turned into plain fields, and those fields validated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from email.policy import HTTP
from typing import cast
from urllib.parse import parse_qsl

from ._errors import ApiError
from ._http import Request

__all__ = ["Form", "Upload", "parse_form", "positive_choice", "text", "video_reference"]

Form = dict[str, object]
SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body."""

    filename: str
    content_type: str
    data: bytes


def _part_value(part: Message) -> object:
    payload = cast("bytes", part.get_payload(decode=True) or b"")
    filename = part.get_filename()
    if filename is None:
        return payload.decode("utf-8", "replace")
    return Upload(filename, part.get_content_type(), payload)


def _parse_multipart(content_type: str, body: bytes) -> Form:
    message = message_from_bytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body, policy=HTTP
    )
    if not message.is_multipart():
        raise ApiError(400, "Could not parse the multipart body.")
    form: Form = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            form[name] = _part_value(part)
    return form


def parse_form(request: Request) -> Form:
    """Read a JSON, multipart or URL-encoded body into fields.

    Raises:
        ApiError: 400 if the body is neither a JSON object nor valid multipart.
    """
    content_type = request.header("content-type") or ""
    if content_type.startswith("multipart/form-data"):
        return _parse_multipart(content_type, request.body)
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        data: object = json.loads(request.body or b"{}")
    except ValueError:
        raise ApiError(400, "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return cast("Form", data)


def text(form: Form, name: str, *, max_length: int, default: str | None = None) -> str:
    """Return a required (or defaulted) non-empty string field.

    Raises:
        ApiError: 400 naming the field if it is missing, empty, too long or not a string.
    """
    value = form.get(name, default)
    if value is None:
        raise ApiError(400, f"Missing required parameter: '{name}'.", param=name)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"Invalid '{name}': expected a non-empty string.", param=name)
    if len(value) > max_length:
        message = f"Invalid '{name}': string too long ({len(value)} > {max_length} characters)."
        raise ApiError(400, message, param=name)
    return value


def positive_choice(form: Form, name: str, allowed: tuple[str, ...], default: str | None) -> str:
    """Return a field whose value must be one of ``allowed`` (numbers are read as strings).

    Raises:
        ApiError: 400 naming the field and the allowed values.
    """
    value = form.get(name, default)
    value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if value is None:
        raise ApiError(400, f"Missing required parameter: '{name}'.", param=name)
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        message = f"Invalid '{name}': {value!r}. Supported values are: {choices}."
        raise ApiError(400, message, param=name, code="invalid_value")
    return str(value)


def _reference_id(value: object) -> str | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict):
        found = cast("dict[str, object]", value).get("id")
        return found if isinstance(found, str) and found else None
    return None


def video_reference(form: Form) -> str | Upload:
    """Return the source of an edit or extension: a video id or an uploaded file.

    Accepts ``{"video": {"id": ...}}`` in JSON, and in multipart a file part ``video``, a
    ``video`` part holding that JSON object, or a ``video[id]`` part.

    Raises:
        ApiError: 400 if no usable ``video`` was given.
    """
    value = form.get("video", form.get("video[id]"))
    if isinstance(value, Upload):
        return value
    if "video[id]" in form and isinstance(value, str) and value:
        return value
    found = _reference_id(value)
    if found is None:
        message = "Invalid 'video': expected an object {'id': '<video id>'} or a video file."
        raise ApiError(400, message, param="video")
    return found
