"""Request bodies (JSON or multipart) turned into plain fields, and those fields validated."""

from __future__ import annotations

import itertools
import json
import mmap
import os
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from email.policy import HTTP
from typing import IO, cast
from urllib.parse import parse_qsl

from ._dialects import SIZES
from ._errors import ApiError
from ._http import Request

__all__ = ["SIZES", "Form", "Upload", "parse_form", "positive_choice", "text", "video_reference"]

Form = dict[str, object]


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body: a view into the body, which is never copied (a large
    body is a mapped temporary file)."""

    filename: str
    content_type: str
    data: memoryview


def _boundary(content_type: str) -> bytes:
    message = Message(policy=HTTP)
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise ApiError(400, "Could not parse the multipart body: no boundary.")
    return boundary.encode("latin-1")


SCAN_CHUNK = 1024 * 1024


class _Body:
    """A request body read in pieces, from memory or from its spool file (never whole)."""

    def __init__(self, content: bytes | IO[bytes]) -> None:
        if isinstance(content, bytes):
            self.size, self.view = len(content), memoryview(content)
            self._fd = -1
        else:
            self._fd = content.fileno()
            self.size = os.fstat(self._fd).st_size
            mapped = mmap.mmap(self._fd, 0, access=mmap.ACCESS_READ) if self.size else b""
            self.view = memoryview(mapped)  # only the pages a reader touches are loaded

    def read(self, start: int, size: int) -> bytes:
        """Bytes ``start`` to ``start + size`` (fewer at the end), read without mapping."""
        if self._fd < 0:
            return bytes(self.view[start : start + size])
        return os.pread(self._fd, size, start)

    def find_all(self, pattern: bytes) -> list[int]:
        """Every offset of ``pattern``, scanning in chunks that overlap by its length."""
        found: list[int] = []
        at = 0
        while at < self.size:
            chunk = self.read(at, SCAN_CHUNK + len(pattern))
            hit = chunk.find(pattern)
            while 0 <= hit < SCAN_CHUNK:
                found.append(at + hit)
                hit = chunk.find(pattern, hit + 1)
            at += SCAN_CHUNK
        return found


def _part(body: _Body, start: int, end: int) -> tuple[str | None, object]:
    head = body.read(start, min(end - start, 16 * 1024))
    head_end = head.find(b"\r\n\r\n")
    if head_end < 0:
        raise ApiError(400, "Could not parse the multipart body: a part has no headers.")
    headers = message_from_bytes(head[: head_end + 4], policy=HTTP)
    name = headers.get_param("name", header="content-disposition")
    key = str(name) if isinstance(name, str) else None
    data_start = start + head_end + 4
    filename = headers.get_filename()
    if filename is None:
        return key, body.read(data_start, end - data_start).decode("utf-8", "replace")
    return key, Upload(filename, headers.get_content_type(), body.view[data_start:end])


def _parse_multipart(content_type: str, content: bytes | IO[bytes]) -> Form:
    """Split a multipart body at its boundaries; a file part stays a view into the body."""
    delimiter = b"\r\n--" + _boundary(content_type)
    body = _Body(content)
    # The first delimiter has no CRLF before it: count it as if it had.
    first = [-2] if body.read(0, len(delimiter) - 2) == delimiter[2:] else []
    marks = first + body.find_all(delimiter)
    form: Form = {}
    for here, after in itertools.pairwise(marks):
        start = here + len(delimiter) + 2  # past the delimiter and its CRLF
        name, value = _part(body, start, after)
        if name is not None:
            form[name] = value
    closing = body.read(marks[-1] + len(delimiter), 2) if marks else b""
    if closing != b"--":
        raise ApiError(400, "Could not parse the multipart body.")
    return form


def parse_form(request: Request) -> Form:
    """Read a JSON, multipart or URL-encoded body into fields.

    Raises:
        ApiError: 400 if the body is neither a JSON object nor valid multipart.
    """
    content_type = request.header("content-type") or ""
    if content_type.startswith("multipart/form-data"):
        return _parse_multipart(content_type, request.spooled or request.body)
    body = request.body if request.spooled is None else request.spooled.read()
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        data: object = json.loads(body or b"{}")
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
