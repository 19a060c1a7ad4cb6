"""Attacks on single calls, over real sockets: secrets, hostile encodings, bombs, media.

Each test asserts what issue #11 asks for, from a user's point of view, through the public API
only; each was a hole and failed before its fix. Paging, polling and time:
``test_attacks_calls.py``; batches and manifests: ``test_attacks_batch.py``; saved files:
``test_attacks_files.py``.
"""

from __future__ import annotations

import logging
import pickle
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sora_videos import (
    APIError,
    APIResponseValidationError,
    AsyncSora,
    InternalServerError,
    Sora,
    SoraError,
)

from .attack_kit import KEY, MP4, async_sora, media, ranged, sora
from .hostile import Answer, HostileServer, gzip_bomb, gzip_bytes, json_answer, video_json

MIB = 1024 * 1024


# --- 1, 2: secrets -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["\r", "\n", "\r\n", " \t"])
def test_a_key_read_with_its_line_ending_is_stripped(hostile: HostileServer, suffix: str) -> None:
    hostile.handler = lambda request: json_answer(video_json("v"))
    with sora(hostile, api_key=KEY + suffix) as client:
        assert client.videos.retrieve("v").id == "v"
    assert hostile.requests[-1].all("authorization") == [f"Bearer {KEY}"]


@pytest.mark.anyio
async def test_an_environment_key_with_crlf_is_stripped(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY + "\r\n")
    hostile.handler = lambda request: json_answer(video_json("v"))
    async with AsyncSora(base_url=hostile.base_url, max_retries=0) as client:
        assert (await client.videos.retrieve("v")).id == "v"
    assert hostile.requests[-1].all("authorization") == [f"Bearer {KEY}"]


@pytest.mark.parametrize(
    "bad", ["sk-proj-AT\x00TACK-7c1d", "sk-proj-AT\x1b]0;x\x07TACK", "sk-AT\nTACK"]
)
def test_a_key_with_a_control_character_is_refused_without_showing_it(
    hostile: HostileServer, bad: str
) -> None:
    with pytest.raises(SoraError) as raised:
        sora(hostile, api_key=bad)
    texts = [str(raised.value), repr(raised.value), repr(raised.value.args)]
    for piece in ("AT", "TACK", "7c1d"):
        assert not any(piece in text for text in texts)
    assert hostile.requests == []


def test_no_error_or_log_carries_a_header_value(
    hostile: HostileServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hostile.handler = lambda request: json_answer(video_json("v"))
    with sora(hostile) as client, pytest.raises(SoraError) as raised:
        client.videos.retrieve("v", extra_headers={"X-Tenant": "tenant-HIDDEN-42\r\n"})
    for text in (str(raised.value), repr(raised.value), repr(vars(raised.value)), caplog.text):
        assert "HIDDEN" not in text


BAD_VALUE = "tenant-HIDDEN-42\r\nX-Injected: 1"
HEADER_PLACES: dict[str, Callable[[Sora], object]] = {
    "default_headers": lambda client: client.with_options(
        default_headers={"X-Tenant": BAD_VALUE}
    ).videos.retrieve("v"),
    "idempotency_key": lambda client: client.videos.create(prompt="p", idempotency_key=BAD_VALUE),
    "extra_headers": lambda client: client.videos.create(
        prompt="p", extra_headers={"Idempotency-Key": BAD_VALUE}
    ),
}


@pytest.mark.parametrize("call", HEADER_PLACES.values(), ids=HEADER_PLACES.keys())
def test_a_header_value_with_a_line_break_is_refused_wherever_it_is_given(
    hostile: HostileServer, call: Callable[[Sora], object]
) -> None:
    # The client's own headers are checked once per client, the others per request.
    hostile.handler = lambda request: json_answer(video_json("v"))
    with sora(hostile) as client, pytest.raises(SoraError) as raised:
        call(client)
    assert "HIDDEN" not in str(raised.value)
    assert hostile.requests == []


def test_a_pickled_raw_response_does_not_carry_the_key(hostile: HostileServer) -> None:
    hostile.handler = lambda request: json_answer(video_json("v"), headers={"x-request-id": "r1"})
    with sora(hostile) as client:
        raw = client.videos.with_raw_response.retrieve("v")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(raw, protocol=protocol)
        assert KEY.encode() not in data
        restored = pickle.loads(data)
        assert (restored.status_code, restored.request_id) == (200, "r1")
        assert restored.parse().id == "v"


@pytest.mark.anyio
async def test_a_pickled_async_raw_response_does_not_carry_the_key(hostile: HostileServer) -> None:
    hostile.handler = lambda request: json_answer(video_json("v"))
    async with async_sora(hostile) as client:
        raw = await client.videos.with_raw_response.retrieve("v")
    assert KEY.encode() not in pickle.dumps(raw)


# --- 3: false Content-Encoding -----------------------------------------------------------


def false_encoding(
    encoding: str, body: bytes, status: int = 200, kind: str = "application/json"
) -> Answer:
    return Answer(status, [("Content-Type", kind), ("Content-Encoding", encoding)], body)


CALLS: dict[str, Callable[[Sora, Path], object]] = {
    "create": lambda client, _: client.videos.create(prompt="a fox"),
    "retrieve": lambda client, _: client.videos.retrieve("v"),
    "list": lambda client, _: client.videos.list(),
    "read": lambda client, _: client.videos.download_content("v").read(),
    "download": lambda client, tmp: client.videos.download("v", tmp / "v.mp4"),
}


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
@pytest.mark.parametrize("call", CALLS)
def test_a_false_content_encoding_is_an_sdk_error(
    hostile: HostileServer, tmp_path: Path, call: str, encoding: str
) -> None:
    body = MP4 if call in ("read", "download") else b'{"id": "v", "status": "queued"}'
    hostile.handler = lambda request: false_encoding(encoding, body)
    with sora(hostile) as client, pytest.raises(APIError) as raised:
        CALLS[call](client, tmp_path)
    if call == "create":
        assert raised.value.idempotency_key == hostile.requests[-1].header("idempotency-key")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
@pytest.mark.parametrize("call", ["retrieve", "download"])
async def test_a_false_content_encoding_on_an_error_is_an_sdk_error(
    hostile: HostileServer, tmp_path: Path, call: str
) -> None:
    hostile.handler = lambda request: false_encoding("gzip", b'{"error": {}}', status=502)
    async with async_sora(hostile) as client:
        if call == "retrieve":
            with pytest.raises(InternalServerError):
                await client.videos.retrieve("v")
        else:
            with pytest.raises(InternalServerError):
                await client.videos.download("v", tmp_path / "v.mp4")
    assert list(tmp_path.iterdir()) == []


# --- 4: bombs and huge bodies: bounded memory ---------------------------------------------


def traced_peak(call: Callable[[], object]) -> int:
    """The peak of memory allocated while ``call`` runs (an SDK error is expected or not)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        call()
    except SoraError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


@pytest.fixture
def bomb() -> bytes:
    """A gzip body of about 50 KiB that decodes to 48 MiB of would-be JSON."""
    return gzip_bomb(48 * MIB, prefix=b'{"id": "v", "status": "queued", "pad": "')


def gzipped(body: bytes, status: int = 200) -> Answer:
    return Answer(
        status, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body
    )


@pytest.mark.parametrize("status", [200, 503])
def test_a_gzip_bomb_is_cut_short(hostile: HostileServer, bomb: bytes, status: int) -> None:
    hostile.script(json_answer(video_json("v")), gzipped(bomb, status))
    with sora(hostile) as client:
        reference = traced_peak(lambda: client.videos.retrieve("v"))
        with pytest.raises(SoraError):
            client.videos.retrieve("v")
        hostile.script(gzipped(bomb, status))
        peak = traced_peak(lambda: client.videos.retrieve("v"))
    assert peak < reference + 24 * MIB


@pytest.mark.anyio
async def test_a_gzip_bomb_is_cut_short_async(hostile: HostileServer, bomb: bytes) -> None:
    hostile.handler = lambda request: gzipped(bomb)
    async with async_sora(hostile) as client:
        tracemalloc.start()
        try:
            with pytest.raises(APIResponseValidationError):
                await client.videos.retrieve("v")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 24 * MIB


def test_a_huge_error_body_on_a_download_is_not_kept(
    hostile: HostileServer, tmp_path: Path
) -> None:
    page = b"<html>" + b"x" * (32 * MIB)
    hostile.script(Answer(503, [("Content-Type", "text/html")], page))
    with sora(hostile) as client:
        errors: list[SoraError] = []

        def download() -> None:
            try:
                client.videos.download("v", tmp_path / "v.mp4")
            except SoraError as err:
                errors.append(err)

        peak = traced_peak(download)
    del page
    (error,) = errors
    assert isinstance(error, InternalServerError)
    assert len(str(error.body)) < 8 * MIB
    assert peak < 24 * MIB
    assert list(tmp_path.iterdir()) == []


def test_the_body_cap_is_a_client_setting(hostile: HostileServer) -> None:
    answer = json_answer(video_json("v", prompt="p" * 4096))
    hostile.script(answer, answer)
    with (
        sora(hostile, max_body_size=1024) as client,
        pytest.raises(APIResponseValidationError) as raised,
    ):
        client.videos.retrieve("v")
    assert "max_body_size" in str(raised.value)
    with sora(hostile, max_body_size=MIB) as client:
        assert client.videos.retrieve("v").prompt == "p" * 4096


# --- 5: compressed media -------------------------------------------------------------------


@pytest.mark.anyio
async def test_media_is_asked_in_identity(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.handler = lambda request: media()
    async with async_sora(hostile) as client:
        await client.videos.download("v", tmp_path / "v.mp4")
        assert await (await client.videos.download_content("v")).read() == MP4
    assert [r.header("accept-encoding") for r in hostile.requests] == ["identity", "identity"]


@pytest.mark.parametrize("how", ["download", "read", "write_to_file"])
def test_media_compressed_anyway_is_saved_decoded(
    hostile: HostileServer, tmp_path: Path, how: str
) -> None:
    packed = gzip_bytes(MP4)
    hostile.handler = lambda request: Answer(
        200, [("Content-Type", "video/mp4"), ("Content-Encoding", "gzip")], packed
    )
    target = tmp_path / "v.mp4"
    with sora(hostile) as client:
        if how == "download":
            client.videos.download("v", target)
        elif how == "write_to_file":
            client.videos.download_content("v").write_to_file(target)
        else:
            target.write_bytes(client.videos.download_content("v").read())
    assert target.read_bytes() == MP4


@pytest.mark.anyio
async def test_media_compressed_anyway_is_saved_decoded_async(
    hostile: HostileServer, tmp_path: Path
) -> None:
    packed = gzip_bytes(MP4)
    hostile.handler = lambda request: Answer(
        200, [("Content-Type", "video/mp4"), ("Content-Encoding", "gzip")], packed
    )
    async with async_sora(hostile) as client:
        await client.videos.download("v", tmp_path / "v.mp4")
    assert (tmp_path / "v.mp4").read_bytes() == MP4


# --- 6: a resume never stitches two versions -----------------------------------------------

V2 = MP4[::-1]


def test_a_resume_sends_if_range_with_the_first_etag(
    hostile: HostileServer, tmp_path: Path
) -> None:
    hostile.handler = ranged([(MP4, '"v1"')])
    hostile.script(ranged([(MP4, '"v1"')], cut_at=0.5))
    with sora(hostile, max_retries=2) as client:
        client.videos.download("v", tmp_path / "v.mp4")
    first, second = hostile.requests
    assert first.header("if-range") is None
    assert second.header("range") == f"bytes={len(MP4) // 2}-"
    assert second.header("if-range") == '"v1"'
    assert (tmp_path / "v.mp4").read_bytes() == MP4


@pytest.mark.anyio
async def test_a_changed_etag_on_resume_starts_over(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.script(ranged([(MP4, '"v1"')], cut_at=0.5))
    hostile.handler = ranged([(V2, '"v2"')])  # ignores If-Range, as some servers do
    async with async_sora(hostile, max_retries=2) as client:
        await client.videos.download("v", tmp_path / "v.mp4")
    assert (tmp_path / "v.mp4").read_bytes() == V2
    assert len(hostile.requests) <= 3


def test_a_changed_total_on_resume_starts_over(hostile: HostileServer, tmp_path: Path) -> None:
    longer = V2 + b"more"
    hostile.script(ranged([(MP4, None)], cut_at=0.5))
    hostile.handler = ranged([(longer, None)])
    with sora(hostile, max_retries=2) as client:
        client.videos.download("v", tmp_path / "v.mp4")
    assert (tmp_path / "v.mp4").read_bytes() == longer


# --- 7: the media type is checked ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "body"),
    [("text/html; charset=utf-8", b"<html>Sign in</html>"), ("application/json", b'{"id": "v"}')],
)
def test_a_page_is_not_saved_as_a_video(
    hostile: HostileServer, tmp_path: Path, kind: str, body: bytes
) -> None:
    hostile.handler = lambda request: media(body, content_type=kind)
    with sora(hostile) as client:
        with pytest.raises(APIResponseValidationError):
            client.videos.download("v", tmp_path / "v.mp4")
        with pytest.raises(APIResponseValidationError):
            client.videos.download_content("v").write_to_file(tmp_path / "v.mp4")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
async def test_a_page_is_not_saved_as_a_video_async(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.handler = lambda request: media(b"<html>Sign in</html>", content_type="text/html")
    async with async_sora(hostile) as client:
        with pytest.raises(APIResponseValidationError):
            await client.videos.download("v", tmp_path / "v.mp4")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("variant", "kind"),
    [
        ("video", "video/mp4"),
        ("video", "application/octet-stream"),  # servers that do not label media
        ("thumbnail", "image/webp"),
        ("thumbnail", "image/png"),  # LiteLLM sniffs the type from the bytes
        ("spritesheet", "image/jpeg"),
    ],
)
def test_media_types_servers_send_are_accepted(
    hostile: HostileServer, tmp_path: Path, variant: Any, kind: str
) -> None:
    """Guard for the #7 fix: what the API and the known servers send still downloads."""
    hostile.handler = lambda request: media(MP4, content_type=kind)
    with sora(hostile) as client:
        client.videos.download("v", tmp_path / "f", variant=variant)
    assert (tmp_path / "f").read_bytes() == MP4


@pytest.mark.anyio
async def test_a_false_content_encoding_on_media_is_an_sdk_error_async(
    hostile: HostileServer, tmp_path: Path
) -> None:
    """Found by the hostile campaign: the async download's writer task group let the
    ``httpx.DecodingError`` out as an ``ExceptionGroup``."""
    hostile.handler = lambda request: false_encoding("gzip", MP4, kind="video/mp4")
    async with async_sora(hostile) as client:
        with pytest.raises(APIResponseValidationError):
            await client.videos.download("v", tmp_path / "v.mp4")
    assert list(tmp_path.iterdir()) == []


def test_the_body_cap_follows_with_options(hostile: HostileServer) -> None:
    answer = json_answer(video_json("v", prompt="p" * 4096))
    hostile.script(answer, answer)
    with sora(hostile) as client:
        small = client.with_options(max_body_size=1024)
        with pytest.raises(APIResponseValidationError, match="max_body_size"):
            small.videos.retrieve("v")
        assert client.videos.retrieve("v").prompt == "p" * 4096
