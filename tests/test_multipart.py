"""Uploads: what users hand us becomes a streamed multipart body, replayable when possible."""

from __future__ import annotations

import io
import os
from pathlib import Path

import httpx
import pytest

from sora_videos import APIConnectionError, Sora
from sora_videos._multipart import MultipartStream, to_file_part

from .conftest import FakeAPI


def test_a_path_is_read_in_chunks_when_sent_not_when_given(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"a" * 600_000)
    part = to_file_part(video, field="video")
    assert (part.filename, part.content_type, part.size) == ("clip.mp4", "video/mp4", 600_000)
    chunks = list(part.chunks())
    assert [len(c) for c in chunks] == [262_144, 262_144, 75_712]
    video.write_bytes(b"b" * 10)  # re-opened on every send, so a retry sees the file as it is
    assert b"".join(part.chunks()) == b"b" * 10


@pytest.mark.parametrize(
    ("value", "filename", "content_type"),
    [
        (b"raw", "input_reference", "application/octet-stream"),
        (("cat.webp", b"raw"), "cat.webp", "image/webp"),
        (("cat.bin", b"raw", "image/png"), "cat.bin", "image/png"),
        ((None, b"raw"), "input_reference", "application/octet-stream"),
    ],
)
def test_file_inputs_and_their_content_types(
    value: object, filename: str, content_type: str
) -> None:
    part = to_file_part(value, field="input_reference")  # type: ignore[arg-type]
    assert (part.filename, part.content_type) == (filename, content_type)
    assert b"".join(part.chunks()) == b"raw"


def test_an_open_file_keeps_its_name_and_is_rewound_to_where_it_started(tmp_path: Path) -> None:
    path = tmp_path / "ref.jpeg"
    path.write_bytes(b"skip|jpeg data")
    with path.open("rb") as file:
        file.seek(5)
        part = to_file_part(file, field="input_reference")
        assert (part.filename, part.content_type, part.size) == ("ref.jpeg", "image/jpeg", 9)
        assert b"".join(part.chunks()) == b"jpeg data"
        assert b"".join(part.chunks()) == b"jpeg data"


def test_bad_inputs_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        to_file_part(tmp_path / "missing.png", field="input_reference")
    with pytest.raises(TypeError, match="binary file object"):
        to_file_part(io.StringIO("text"), field="input_reference")  # type: ignore[arg-type]


class Pipe(io.RawIOBase):
    """A readable, non-seekable stream (like a socket or a pipe)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


def test_the_body_length_is_exact_or_left_to_chunked_encoding() -> None:
    stream = MultipartStream({"prompt": "p"}, {"video": to_file_part(b"12345", field="video")})
    assert stream.content_length() == len(b"".join(stream))
    assert stream.replayable
    piped = MultipartStream({}, {"video": to_file_part(Pipe(b"12345"), field="video")})  # type: ignore[arg-type]
    assert piped.content_length() is None
    assert not piped.replayable


def test_a_stream_that_cannot_be_rewound_is_not_retried(client: Sora, api: FakeAPI) -> None:
    api.script("POST", "/videos/edits", httpx.ConnectError("reset"))
    with pytest.raises(APIConnectionError):
        client.videos.edit(prompt="p", video=("pipe.mp4", Pipe(b"data")))  # type: ignore[arg-type]
    assert len(api.requests) == 1
    assert api.last.headers["transfer-encoding"] == "chunked"


def test_field_names_and_filenames_are_quoted() -> None:
    part = to_file_part(('we"ird\r\nname.png', b"x"), field="input_reference")
    body = b"".join(MultipartStream({}, {"input_reference": part}))
    assert b'filename="we%22ird%0D%0Aname.png"' in body


def test_a_large_file_is_never_held_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    with big.open("wb") as file:
        file.truncate(32 * 1024 * 1024)
    part = to_file_part(os.fspath(big), field="video")
    assert max(len(chunk) for chunk in part.chunks()) <= 256 * 1024
