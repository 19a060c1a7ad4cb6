"""The pure parts of reading hostile answers: bounded decoding, header merging, key checks,
resume and media-type checks, the poll floor. No transport."""

from __future__ import annotations

import zlib

import httpx
import pytest

from sora_videos import SoraError
from sora_videos._body import Decoder, already_read
from sora_videos._config import checked_api_key
from sora_videos._download import media_type_error, resume_point
from sora_videos._poll import poll_delay
from sora_videos._request import merged_headers
from sora_videos._response import connection_error

MIB = 1024 * 1024


def compress(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def test_a_bomb_is_decoded_no_further_than_asked() -> None:
    bomb = compress(b"\0" * (64 * MIB), zlib.MAX_WBITS | 16)
    decoder = Decoder("gzip")
    out = decoder.decode(bomb, 1000)
    assert len(out) == 1000
    assert decoder.pending  # the rest waits, undecoded
    assert len(decoder.decode(b"", 5000)) == 5000


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])  # zlib-wrapped, raw
def test_deflate_is_decoded_either_way_servers_send_it(wbits: int) -> None:
    decoder = Decoder("deflate")
    assert decoder.decode(compress(b"hello" * 100, wbits), 10_000) == b"hello" * 100


def test_a_false_encoding_is_an_error_and_unknown_ones_are_left_to_httpx() -> None:
    with pytest.raises(zlib.error):
        Decoder("gzip").decode(b'{"id": "v"}', 100)
    assert Decoder("identity").handles
    assert Decoder("").decode(b"abc", 2) == b"ab"
    assert not Decoder("br").handles
    assert not Decoder("gzip, gzip").handles


def test_a_body_already_in_memory_is_checked_against_the_cap() -> None:
    assert already_read(httpx.Response(200, content=b"x" * 10), 10) == "complete"
    response = httpx.Response(200, content=b"x" * 11)
    assert already_read(response, 10) == "too_large"
    assert response.content == b""  # not kept
    assert already_read(httpx.Response(200, stream=httpx.ByteStream(b"x")), 10) is None


@pytest.mark.parametrize("spelling", ["Idempotency-Key", "idempotency-key", "IDEMPOTENCY-KEY"])
def test_headers_merge_without_regard_to_case(spelling: str) -> None:
    merged = merged_headers({"Idempotency-Key": "generated", "Accept": "a"}, {spelling: "mine"})
    assert merged == {"Accept": "a", spelling: "mine"}


@pytest.mark.parametrize("value", ["a\r\nInjected: 1", "a\nb", "nul\0", "del\x7f"])
def test_a_header_value_with_a_control_character_is_refused_unseen(value: str) -> None:
    with pytest.raises(SoraError) as raised:
        merged_headers({}, {"X-Tenant": value})
    assert value.strip() not in str(raised.value)
    assert "X-Tenant" in str(raised.value)
    assert merged_headers({}, {"X-Tab": "a\tb"}) == {"X-Tab": "a\tb"}  # a tab is allowed


def test_keys_are_stripped_and_refused_with_inner_control_characters() -> None:
    assert checked_api_key(" sk-abc\r\n") == "sk-abc"
    for bad in ("sk-a\0bc", "sk-a\nbc", "sk-é"):
        with pytest.raises(SoraError) as raised:
            checked_api_key(bad)
        assert "sk-" not in str(raised.value)


def ranged(start: int, total: int, etag: str | None = None) -> httpx.Response:
    headers = {"Content-Range": f"bytes {start}-{total - 1}/{total}"}
    if etag:
        headers["ETag"] = etag
    return httpx.Response(206, headers=headers)


def test_a_206_of_another_version_does_not_continue() -> None:
    assert resume_point(ranged(10, 100, '"a"'), 10, etag='"a"', total=100) == (True, 100)
    assert resume_point(ranged(10, 100, '"b"'), 10, etag='"a"', total=100) == (False, 100)
    assert resume_point(ranged(10, 120), 10, total=100) == (False, 120)
    assert resume_point(ranged(10, 100), 10) == (True, 100)  # nothing known to compare


@pytest.mark.parametrize(
    ("kind", "accepted"),
    [
        ("video/mp4", True),
        ("image/webp", True),
        ("image/png", True),
        ("application/octet-stream", True),
        (None, True),
        ("text/html; charset=utf-8", False),
        ("application/json", False),
        ("text/plain", False),
    ],
)
def test_only_media_is_accepted(kind: str | None, accepted: bool) -> None:
    headers = {} if kind is None else {"Content-Type": kind}
    response = httpx.Response(200, headers=headers, request=httpx.Request("GET", "http://t/c"))
    assert (media_type_error(response, "video") is None) is accepted


@pytest.mark.parametrize(("hint", "wait"), [("0", 0.1), ("-5", 0.1), ("1", 0.1), ("2500", 2.5)])
def test_the_poll_wait_has_a_floor_and_honours_larger_hints(hint: str, wait: float) -> None:
    assert poll_delay({"openai-poll-after-ms": hint}, None) == wait


def test_a_refused_header_is_never_quoted_in_the_error() -> None:
    exc = httpx.LocalProtocolError("Illegal header value b'Bearer sk-SECRET\\r'")
    error = connection_error(exc, httpx.Request("GET", "http://t/v1/videos/v"), None)
    assert "SECRET" not in str(error)
    assert "could not be sent" in str(error)
