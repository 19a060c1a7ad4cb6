"""Bad input, generated: hostile answers from a server, and odd arguments from a caller.

Whatever a server (or a proxy) sends back, the SDK raises only its own errors; whatever id a
caller passes, the request stays under ``/v1/videos``. Example counts are kept modest so the
suite stays fast; raise ``HYPOTHESIS_PROFILE`` in ``conftest.py`` to search harder.
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from sora_videos import Sora, SoraError
from sora_videos._poll import poll_delay
from sora_videos._retry import MAX_RETRY_AFTER, retry_after

from .campaign import recorded_waits

BASE = "https://api.test/v1"
MAX_RETRIES = 2

# --- hostile answers ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
VIDEO_FIELDS = ["id", "object", "status", "progress", "created_at", "seconds", "size", "error"]
videoish = st.dictionaries(st.sampled_from(VIDEO_FIELDS), json_values, max_size=8)
errorish = st.fixed_dictionaries(
    {
        "error": json_values
        | st.dictionaries(
            st.sampled_from(["message", "code", "param", "type"]), json_values, max_size=4
        )
    }
)


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    videoish.map(lambda v: json.dumps(v).encode()),
    errorish.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=64),
    st.integers(500, 5_000).map(_nested),  # deep enough to break a recursive decoder
    videoish.map(lambda v: json.dumps(v).encode()[:-3]),  # truncated
)
HEADER_NAMES = [
    "retry-after",
    "retry-after-ms",
    "x-should-retry",
    "content-length",
    "content-range",
    "content-type",
    "openai-poll-after-ms",
    "x-request-id",
]
header_values = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "1e400", "-1", "0", "²", "١٢", "1.5"]),
    st.sampled_from(["bytes 0-1/2", "bytes 5-1/*", "bytes ²-3/4", "Wed, 21 Oct 2015 07:28:00 GMT"]),
    st.sampled_from(["true", "false", "text/html", "application/json; charset=nope"]),
    st.floats().map(str),
)
headers = st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_values), max_size=4)
statuses = st.sampled_from([200, 206, 301, 400, 404, 409, 429, 500, 503]) | st.integers(100, 599)


def _answer(status: int, pairs: list[tuple[str, str]], body: bytes) -> httpx.Response:
    raw = [(name.encode(), value.encode()) for name, value in pairs]
    return httpx.Response(status, headers=raw, content=body)


def _client(answer: httpx.Response) -> Sora:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            answer.status_code, headers=answer.headers.raw, content=answer.content
        )

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return Sora(api_key="sk-hostile", base_url=BASE, http_client=http, max_retries=MAX_RETRIES)


CALLS: dict[str, Callable[[Sora, Path], object]] = {
    "retrieve": lambda sora, _: sora.videos.retrieve("video_1"),
    "list": lambda sora, _: list(sora.videos.list(limit=2)),
    "delete": lambda sora, _: sora.videos.delete("video_1"),
    "create": lambda sora, _: sora.videos.create(prompt="a cat"),
    "read content": lambda sora, _: sora.videos.download_content("video_1").read(),
    "content length": lambda sora, _: sora.videos.download_content("video_1").content_length,
    "download": lambda sora, folder: sora.videos.download("video_1", folder / "v.mp4"),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@settings(max_examples=60, deadline=None)
@given(status=statuses, pairs=headers, body=bodies)
# What the search found, kept as fixed cases:
@example(status=429, pairs=[("retry-after", "nan")], body=b"{}")  # sleep(nan): ValueError
@example(status=503, pairs=[("retry-after-ms", "NaN")], body=b"{}")
@example(status=200, pairs=[], body=_nested(5000))  # RecursionError decoding the body
@example(status=500, pairs=[], body=_nested(5000))
@example(status=200, pairs=[("content-length", "²")], body=b"abc")  # int("²"): ValueError
def test_any_answer_gives_a_result_or_a_documented_error(
    call: Callable[[Sora, Path], object], status: int, pairs: list[tuple[str, str]], body: bytes
) -> None:
    with tempfile.TemporaryDirectory() as folder, _client(_answer(status, pairs, body)) as sora:
        with recorded_waits(sora) as waits, contextlib.suppress(SoraError):
            call(sora, Path(folder))
        assert not [p for p in Path(folder).iterdir() if p.suffix == ".part"]
    assert len(waits) <= MAX_RETRIES * (MAX_RETRIES + 1)
    assert all(math.isfinite(w) and 0 <= w <= MAX_RETRY_AFTER for w in waits), waits


@settings(max_examples=200)
@given(pairs=headers)
@example(pairs=[("retry-after", "nan"), ("openai-poll-after-ms", "nan")])
@example(pairs=[("retry-after-ms", "inf"), ("openai-poll-after-ms", "inf")])
@example(pairs=[("retry-after", "Mon, 01 Jan 0001 00:00:00 -0000")])
def test_waits_read_from_headers_are_finite(pairs: list[tuple[str, str]]) -> None:
    given_headers = httpx.Headers([(n.encode(), v.encode()) for n, v in pairs])
    wait = retry_after(given_headers, now=lambda: 1_445_412_480.0)
    assert wait is None or (math.isfinite(wait) and wait >= 0)
    delay = poll_delay(given_headers, None)
    assert math.isfinite(delay)
    assert 0 <= delay <= 60


# --- odd arguments -----------------------------------------------------------------------------

hostile_ids = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "/",
            "..",
            ".",
            "../..",
            "a/../../admin",
            "?",
            "#",
            "%2F",
            "%2e%2e",
            "..%2F",
            "\x00",
            "\uff0e\uff0e",
            "\u2024\u2024",
            "video_1?variant=x#y",
            "a\r\nHost: evil",
            " ",
            "~",
        ]
    ),
    st.text(min_size=1000, max_size=3000),
    st.lists(st.sampled_from(["..", "/", "%", "?", "#", ".", "\\", "é"]), max_size=12).map("".join),
)
ID_CALLS: dict[str, tuple[Callable[[Sora, str], object], str]] = {
    "retrieve": (lambda sora, id_: sora.videos.retrieve(id_), "/v1/videos/{}"),
    "delete": (lambda sora, id_: sora.videos.delete(id_), "/v1/videos/{}"),
    "remix": (lambda sora, id_: sora.videos.remix(id_, prompt="p"), "/v1/videos/{}/remix"),
    "content": (
        lambda sora, id_: sora.videos.download_content(id_).close(),
        "/v1/videos/{}/content",
    ),
    "character": (lambda sora, id_: sora.videos.get_character(id_), "/v1/videos/characters/{}"),
    "poll": (lambda sora, id_: sora.videos.poll(id_), "/v1/videos/{}"),
}


class Recorder:
    """A server that answers every request with the same body and keeps the requests."""

    def __init__(self, body: object) -> None:
        self.requests: list[httpx.Request] = []
        self.body = body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.body)


COMPLETED = {"id": "video_1", "status": "completed", "deleted": True}


def _recording_client(body: object = COMPLETED) -> tuple[Sora, Recorder]:
    recorder = Recorder(body)
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    return Sora(api_key="sk-test", base_url=BASE, http_client=http, max_retries=0), recorder


@pytest.mark.parametrize("call", ID_CALLS.values(), ids=ID_CALLS.keys())
@settings(max_examples=80, deadline=None)
@given(video_id=hostile_ids)
def test_no_id_leads_outside_its_path(
    call: tuple[Callable[[Sora, str], object], str], video_id: str
) -> None:
    method, template = call
    sora, recorder = _recording_client()
    with sora:
        try:
            method(sora, video_id)
        except (ValueError, TypeError):
            assert video_id in ("", ".", "..") or _has_surrogate(video_id)
            return
    (request,) = recorder.requests
    assert request.url.host == "api.test"
    assert request.url.scheme == "https"
    raw_path = request.url.raw_path.split(b"?")[0].decode("ascii")
    prefix, suffix = template.split("{}")
    assert raw_path.startswith(prefix)
    assert raw_path.endswith(suffix)
    segment = raw_path[len(prefix) : len(raw_path) - len(suffix)]
    assert "/" not in segment
    assert unquote(segment) == video_id
    assert request.url.fragment == ""
    assert set(request.url.params) <= {"variant"}


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@settings(max_examples=100, deadline=None)
@given(
    prompt=st.text(max_size=50),
    seconds=st.none() | st.integers(-5, 100) | st.sampled_from(["4", "8", "x", ""]) | st.booleans(),
    size=st.none() | st.text(max_size=12),
    model=st.none() | st.text(max_size=12),
)
def test_create_sends_what_it_was_given_or_refuses_it(
    prompt: str, seconds: Any, size: str | None, model: str | None
) -> None:
    assume(not _has_surrogate(prompt + (size or "") + (model or "")))
    sora, recorder = _recording_client()
    with sora:
        try:
            sora.videos.create(prompt=prompt, seconds=seconds, size=size, model=model)
        except TypeError:
            assert isinstance(seconds, bool)
            return
    (request,) = recorder.requests
    assert request.url.path == "/v1/videos"
    sent = json.loads(request.content)
    assert sent["prompt"] == prompt
    assert sent.get("seconds") == (None if seconds is None else str(seconds))
    assert request.headers["idempotency-key"].startswith("sora-videos-")


@settings(max_examples=100, deadline=None)
@given(
    after=st.none() | hostile_ids,
    limit=st.none() | st.integers(-10, 200),
    order=st.none() | st.text(max_size=6) | st.sampled_from(["asc", "desc"]),
)
def test_list_parameters_are_checked_or_sent_as_query(
    after: str | None, limit: int | None, order: str | None
) -> None:
    sora, recorder = _recording_client({"object": "list", "data": [], "has_more": False})
    with sora:
        try:
            sora.videos.list(after=after, limit=limit, order=order)
        except (ValueError, TypeError):
            bad_limit = limit is not None and not 0 <= limit <= 100
            bad_order = order not in (None, "asc", "desc")
            assert bad_limit or bad_order or _has_surrogate(after or "")
            return
    (request,) = recorder.requests
    assert request.url.path == "/v1/videos"
    assert request.url.params.get("after") == after
