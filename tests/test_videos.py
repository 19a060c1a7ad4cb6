"""Every endpoint through ``Sora`` and ``AsyncSora`` over ``httpx.MockTransport``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest

from sora_videos import (
    AsyncSora,
    BadRequestError,
    NotFoundError,
    PaginationError,
    RateLimitError,
    Sora,
    Video,
    VideoCharacter,
)

from .conftest import FakeAPI, error_json, video_json

QUEUED = video_json("video_new", status="queued", progress=0, completed_at=None, expires_at=None)


def multipart_fields(request: httpx.Request) -> dict[str, bytes]:
    """A recorded multipart body's parts, by field name."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    fields: dict[str, bytes] = {}
    for part in request.content.split(b"--" + boundary)[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        fields[name] = value[:-2]
    return fields


def test_create_sends_json_with_an_idempotency_key(client: Sora, api: FakeAPI) -> None:
    api.script("POST", "/videos", httpx.Response(200, json=QUEUED))
    video = client.videos.create(prompt="A cat", model="sora-2", seconds=8, size="1280x720")
    assert isinstance(video, Video)
    assert video.status == "queued"
    assert api.last.headers["content-type"] == "application/json"
    assert api.json_of(api.last) == {
        "prompt": "A cat",
        "model": "sora-2",
        "seconds": "8",
        "size": "1280x720",
    }
    assert api.last.headers["idempotency-key"].startswith("sora-videos-")


def test_create_uploads_a_path_as_multipart(client: Sora, api: FakeAPI, tmp_path: Path) -> None:
    image = tmp_path / "start.png"
    image.write_bytes(b"\x89PNG fake image bytes")
    client.videos.create(prompt="A cat", input_reference=image, idempotency_key="mine")
    request = api.last
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.headers["idempotency-key"] == "mine"
    assert int(request.headers["content-length"]) == len(request.content)
    fields = multipart_fields(request)
    assert fields["prompt"] == b"A cat"
    assert fields["input_reference"] == b"\x89PNG fake image bytes"
    assert b'filename="start.png"\r\nContent-Type: image/png' in request.content


def test_a_retried_upload_sends_the_whole_file_again(
    client: Sora, api: FakeAPI, sleeps: list[float]
) -> None:
    api.script("POST", "/videos", httpx.Response(503), httpx.Response(200, json=QUEUED))
    upload = io.BytesIO(b"header-skipped|reference image")
    upload.seek(15)
    client.videos.create(prompt="p", input_reference=("ref.jpg", upload, "image/jpeg"))
    first, second = api.requests
    assert first.content == second.content
    assert multipart_fields(second)["input_reference"] == b"reference image"
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert len(sleeps) == 1


def test_remix_edit_extend_and_characters(client: Sora, api: FakeAPI) -> None:
    client.videos.remix("video_1", prompt="at night")
    assert (api.last.method, api.last.url.path) == ("POST", "/v1/videos/video_1/remix")
    assert api.json_of(api.last) == {"prompt": "at night"}

    client.videos.edit(prompt="brighter", video={"id": "video_1"})
    assert api.last.url.path == "/v1/videos/edits"
    assert api.json_of(api.last) == {"prompt": "brighter", "video": {"id": "video_1"}}

    client.videos.extend(prompt="then it bows", seconds=4, video=b"mp4 bytes")
    assert api.last.url.path == "/v1/videos/extensions"
    assert multipart_fields(api.last) == {
        "prompt": b"then it bows",
        "seconds": b"4",
        "video": b"mp4 bytes",
    }

    api.fallback = lambda request: httpx.Response(
        200, json={"id": "char_1", "name": "Mochi", "created_at": 1}
    )
    character = client.videos.create_character(name="Mochi", video=("cat.mp4", b"mp4"))
    assert isinstance(character, VideoCharacter)
    assert character.name == "Mochi"
    assert b"Content-Type: video/mp4" in api.last.content
    assert client.videos.get_character("char_1").id == "char_1"
    assert api.last.url.path == "/v1/videos/characters/char_1"


def test_retrieve_and_delete(client: Sora, api: FakeAPI) -> None:
    assert client.videos.retrieve("video_1").id == "video_1"
    api.script(
        "DELETE",
        "/videos/video_1",
        httpx.Response(200, json={"id": "video_1", "object": "video.deleted", "deleted": True}),
    )
    deleted = client.videos.delete("video_1")
    assert deleted.deleted
    assert deleted.id == "video_1"


def test_errors_are_typed_and_carry_the_server_details(client: Sora, api: FakeAPI) -> None:
    api.script(
        "GET",
        "/videos/nope",
        httpx.Response(
            404,
            json=error_json("No video 'nope'", code="not_found"),
            headers={"x-request-id": "req_42"},
        ),
    )
    with pytest.raises(NotFoundError) as raised:
        client.videos.retrieve("nope")
    error = raised.value
    assert (error.status_code, error.code, error.request_id) == (404, "not_found", "req_42")
    assert str(error) == "404: No video 'nope' (request id req_42)"
    assert len(api.requests) == 1  # a 404 is not retried


def test_a_bad_parameter_names_it(client: Sora, api: FakeAPI) -> None:
    api.script(
        "POST",
        "/videos",
        httpx.Response(400, json=error_json("seconds must be 4, 8 or 12", param="seconds")),
    )
    with pytest.raises(BadRequestError) as raised:
        client.videos.create(prompt="p", seconds=5)
    assert raised.value.param == "seconds"
    assert raised.value.idempotency_key == api.last.headers["idempotency-key"]


def test_429s_are_retried_after_the_servers_wait_then_raised(
    client: Sora, api: FakeAPI, sleeps: list[float]
) -> None:
    busy = httpx.Response(429, json=error_json("slow down"), headers={"retry-after": "2"})
    api.script("GET", "/videos/v", busy, busy, busy)
    with pytest.raises(RateLimitError):
        client.videos.retrieve("v")
    assert len(api.requests) == 3  # the first try and max_retries=2 retries, not one more
    assert sleeps == [2.0, 2.0]


def test_list_walks_every_page_lazily(client: Sora, api: FakeAPI) -> None:
    pages = {
        None: (["v1", "v2"], True),
        "v2": (["v3", "v4"], True),
        "v4": (["v5"], False),
    }

    def listing(request: httpx.Request) -> httpx.Response:
        ids, more = pages[request.url.params.get("after")]
        data = [video_json(i) for i in ids]
        return httpx.Response(
            200,
            json={
                "object": "list",
                "data": data,
                "first_id": ids[0],
                "last_id": ids[-1],
                "has_more": more,
            },
        )

    api.fallback = listing
    page = client.videos.list(limit=2, order="asc")
    assert len(api.requests) == 1
    assert api.last.url.params["limit"] == "2"
    assert api.last.url.params["order"] == "asc"
    assert [v.id for v in page.data] == ["v1", "v2"]
    assert page.has_next_page()
    assert [v.id for v in page] == ["v1", "v2", "v3", "v4", "v5"]
    assert [r.url.params.get("after") for r in api.requests] == [None, "v2", "v4"]
    assert all(r.url.params["limit"] == "2" for r in api.requests)
    assert [len(p.data) for p in page.iter_pages()] == [2, 2, 1]


def test_list_raises_a_typed_error_when_a_server_repeats_its_cursor(
    client: Sora, api: FakeAPI
) -> None:
    stuck = {
        "object": "list",
        "data": [video_json("v1")],
        "first_id": "v1",
        "last_id": "v1",
        "has_more": True,
    }
    api.fallback = lambda request: httpx.Response(200, json=stuck)
    seen: list[str] = []
    with pytest.raises(PaginationError, match="'v1' again"):
        seen.extend(v.id for v in client.videos.list())
    assert seen == ["v1", "v1"]
    assert len(api.requests) == 2


def test_list_stops_on_a_cursor_cycle_of_two(client: Sora, api: FakeAPI) -> None:
    # A, B, A, B...: each page names the other as the next one.
    def listing(request: httpx.Request) -> httpx.Response:
        current = "b" if request.url.params.get("after") == "a" else "a"
        body = {"data": [video_json(current)], "first_id": current, "last_id": current}
        return httpx.Response(200, json={"object": "list", **body, "has_more": True})

    api.fallback = listing
    with pytest.raises(PaginationError):
        list(client.videos.list())
    assert [r.url.params.get("after") for r in api.requests] == [None, "a", "b"]


def test_the_last_page_has_no_next_page(client: Sora, api: FakeAPI) -> None:
    empty = {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": True}
    api.fallback = lambda request: httpx.Response(200, json=empty)
    page = client.videos.list()
    assert not page.has_next_page()
    with pytest.raises(PaginationError, match="last page"):
        page.get_next_page()


def test_poll_and_create_and_poll(client: Sora, api: FakeAPI, sleeps: list[float]) -> None:
    states = iter(
        [
            video_json("video_new", status="queued", progress=0),
            video_json("video_new", status="in_progress", progress=50),
            video_json("video_new", status="completed", progress=100),
        ]
    )
    api.script("POST", "/videos", httpx.Response(200, json=QUEUED))
    api.fallback = lambda request: httpx.Response(
        200, json=next(states), headers={"openai-poll-after-ms": "1200"}
    )
    progress: list[str] = []
    video = client.videos.create_and_poll(
        prompt="p", on_progress=lambda v: progress.append(v.status)
    )
    assert video.status == "completed"
    assert [r.method for r in api.requests] == ["POST", "GET", "GET", "GET"]
    assert progress == ["queued", "in_progress", "completed"]
    assert sleeps == [1.2, 1.2]


def test_remix_and_poll(client: Sora, api: FakeAPI) -> None:
    api.script("POST", "/videos/video_1/remix", httpx.Response(200, json=QUEUED))
    video = client.videos.remix_and_poll("video_1", prompt="again")
    assert video.status == "completed"
    assert api.last.url.path == "/v1/videos/video_new"


def test_raw_response_gives_headers_and_the_parsed_result(client: Sora, api: FakeAPI) -> None:
    api.fallback = lambda request: httpx.Response(
        200, json=video_json(), headers={"x-request-id": "req_7", "openai-poll-after-ms": "900"}
    )
    raw = client.videos.with_raw_response.retrieve("video_1")
    assert raw.status_code == 200
    assert raw.request_id == "req_7"
    assert raw.headers["openai-poll-after-ms"] == "900"
    assert raw.parse().id == "video_1"
    assert raw.parse() is raw.parse()


def test_unknown_values_and_fields_are_kept(client: Sora, api: FakeAPI) -> None:
    api.fallback = lambda request: httpx.Response(
        200, json=video_json(model="sora-3", seconds="string", size="4096x2160", watermark=True)
    )
    video = client.videos.retrieve("video_1")
    assert (video.model, video.seconds, video.size) == ("sora-3", "string", "4096x2160")
    assert video.to_dict()["watermark"] is True
    assert json.loads(video.to_json())["model"] == "sora-3"


def test_a_body_of_the_wrong_shape_is_a_validation_error(client: Sora, api: FakeAPI) -> None:
    from sora_videos import APIResponseValidationError

    api.fallback = lambda request: httpx.Response(200, json={"id": 1})
    with pytest.raises(APIResponseValidationError, match="id: Input should be a valid string"):
        client.videos.retrieve("video_1")
    api.fallback = lambda request: httpx.Response(200, text="<html>ok</html>")
    with pytest.raises(APIResponseValidationError):
        client.videos.retrieve("video_1")


# Async: the same behaviours through AsyncSora, on asyncio and trio.


@pytest.mark.anyio
async def test_async_create_retrieve_delete(async_client: AsyncSora, api: FakeAPI) -> None:
    api.script("POST", "/videos", httpx.Response(200, json=QUEUED))
    created = await async_client.videos.create(prompt="A cat", seconds=4, input_reference=b"img")
    assert created.id == "video_new"
    assert multipart_fields(api.last)["seconds"] == b"4"
    assert (await async_client.videos.retrieve("video_1")).status == "completed"
    api.script(
        "DELETE",
        "/videos/video_1",
        httpx.Response(200, json={"id": "video_1", "object": "video.deleted", "deleted": True}),
    )
    assert (await async_client.videos.delete("video_1")).deleted
    await async_client.close()


@pytest.mark.anyio
async def test_async_remix_edit_extend_characters(async_client: AsyncSora, api: FakeAPI) -> None:
    await async_client.videos.remix("video_1", prompt="x")
    assert api.last.url.path == "/v1/videos/video_1/remix"
    await async_client.videos.edit(prompt="x", video=("clip.mp4", b"mp4"))
    assert multipart_fields(api.last)["video"] == b"mp4"
    await async_client.videos.extend(prompt="x", seconds="8", video={"id": "video_1"})
    assert api.json_of(api.last) == {"prompt": "x", "seconds": "8", "video": {"id": "video_1"}}
    api.fallback = lambda request: httpx.Response(
        200, json={"id": "c", "name": "n", "created_at": 1}
    )
    assert (await async_client.videos.create_character(name="n", video=b"mp4")).id == "c"
    assert (await async_client.videos.get_character("c")).name == "n"


@pytest.mark.anyio
async def test_async_list_is_awaitable_and_async_iterable(
    async_client: AsyncSora, api: FakeAPI
) -> None:
    def listing(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        ids = ["v1", "v2"] if after is None else ["v3"]
        return httpx.Response(
            200,
            json={
                "object": "list",
                "data": [video_json(i) for i in ids],
                "first_id": ids[0],
                "last_id": ids[-1],
                "has_more": after is None,
            },
        )

    api.fallback = listing
    page = await async_client.videos.list(limit=2)
    assert [v.id for v in page.data] == ["v1", "v2"]
    assert [v.id async for v in async_client.videos.list(limit=2)] == ["v1", "v2", "v3"]
    assert [len(p.data) async for p in page.iter_pages()] == [2, 1]
    last = await page.get_next_page()
    with pytest.raises(PaginationError, match="last page"):
        await last.get_next_page()


@pytest.mark.anyio
async def test_async_poll_awaits_async_callbacks(
    async_client: AsyncSora, api: FakeAPI, sleeps: list[float]
) -> None:
    states = iter([video_json(status="in_progress", progress=30), video_json(status="completed")])
    api.fallback = lambda request: httpx.Response(200, json=next(states))
    seen: list[int] = []

    async def on_progress(video: Video) -> None:
        seen.append(video.progress)

    video = await async_client.videos.poll("video_1", on_progress=on_progress)
    assert video.status == "completed"
    assert seen == [30, 100]
    assert sleeps == [1.0]


@pytest.mark.anyio
async def test_async_create_and_remix_and_poll(async_client: AsyncSora, api: FakeAPI) -> None:
    api.script("POST", "/videos", httpx.Response(200, json=QUEUED))
    assert (await async_client.videos.create_and_poll(prompt="p")).status == "completed"
    assert (await async_client.videos.remix_and_poll("video_1", prompt="q")).status == "completed"


@pytest.mark.anyio
async def test_async_raw_response_and_errors(async_client: AsyncSora, api: FakeAPI) -> None:
    raw = await async_client.videos.with_raw_response.retrieve("video_1")
    assert raw.parse().id == "video_1"
    raw_page = await async_client.videos.with_raw_response.list()
    assert raw_page.status_code == 200
    api.script("GET", "/videos/gone", httpx.Response(404, json=error_json("gone")))
    with pytest.raises(NotFoundError, match="gone"):
        await async_client.videos.retrieve("gone")


def test_a_proxys_html_error_page_is_named_as_such(client: Sora, api: FakeAPI) -> None:
    from sora_videos import InternalServerError

    page = httpx.Response(
        502, text="<html><h1>Bad Gateway</h1></html>", headers={"content-type": "text/html"}
    )
    api.script("GET", "/videos/v", page, page, page)
    with pytest.raises(InternalServerError, match="HTML page, likely from a proxy"):
        client.videos.retrieve("v")
    api.script("GET", "/videos/w", httpx.Response(418, text="short and stout"))
    with pytest.raises(Exception, match="short and stout") as raised:
        client.videos.retrieve("w")
    assert getattr(raised.value, "status_code", None) == 418
