"""Every endpoint through real HTTP requests, with the in-process sync transport."""

from __future__ import annotations

import httpx
import pytest

from sora_videos.emulator import BASE_URL, Emulator, ManualClock, Timing

from .conftest import make_video


def error_of(answer: httpx.Response) -> dict[str, object]:
    error: dict[str, object] = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert answer.headers["x-request-id"].startswith("req_")
    return error


def test_a_job_goes_from_queued_to_completed(http: httpx.Client, clock: ManualClock) -> None:
    created = http.post("/videos", json={"prompt": "a cat", "seconds": "8", "size": "1280x720"})
    video = created.json()
    assert (video["status"], video["progress"], video["seconds"], video["size"]) == (
        "queued",
        0,
        "8",
        "1280x720",
    )
    assert video["model"] == "sora-2"
    assert video["expires_at"] is None
    assert int(created.headers["openai-poll-after-ms"]) == 2000
    seen = []
    for _ in range(12):
        clock.advance(2)
        seen.append(http.get(f"/videos/{video['id']}").json())
    progress = [v["progress"] for v in seen if v["status"] == "in_progress"]
    assert progress == sorted(progress)
    assert len(set(progress)) > 3
    done = seen[-1]
    assert (done["status"], done["progress"]) == ("completed", 100)
    assert done["expires_at"] == done["completed_at"] + 3600
    assert "openai-poll-after-ms" not in http.get(f"/videos/{video['id']}").headers


def test_a_prompt_marker_makes_the_job_fail(http: httpx.Client, clock: ManualClock) -> None:
    video = make_video(http, clock, prompt="a cat [fail:moderation_blocked]")
    assert video["status"] == "failed"
    assert video["error"] == {
        "code": "moderation_blocked",
        "message": "Video generation failed (moderation_blocked): the prompt asked for it.",
    }
    content = http.get(f"/videos/{video['id']}/content")
    assert (content.status_code, error_of(content)["code"]) == (409, "video_failed")


def test_a_seeded_failure_rate(clock: ManualClock) -> None:
    def outcomes() -> list[object]:
        emulator = Emulator(clock=clock, failure_rate=0.5, seed=7)
        with httpx.Client(transport=emulator.transport(), base_url=BASE_URL) as client:
            client.headers["Authorization"] = "Bearer k"
            ids = [client.post("/videos", json={"prompt": "x"}).json()["id"] for _ in range(10)]
        clock.advance(100)
        by_id = {v["id"]: v["status"] for v in emulator.jobs}
        return [by_id[i] for i in ids]

    first = outcomes()
    assert first == outcomes()
    assert {"failed", "completed"} == set(first)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"prompt": "x", "seconds": "5"}, "seconds"),
        ({"prompt": "x", "seconds": 16}, "seconds"),
        ({"prompt": "x", "size": "640x480"}, "size"),
        ({"prompt": ""}, "prompt"),
        ({}, "prompt"),
        ({"prompt": "x" * 32001}, "prompt"),
        ({"prompt": "x", "input_reference": {}}, "input_reference"),
    ],
)
def test_invalid_create_parameters(http: httpx.Client, body: dict[str, object], param: str) -> None:
    answer = http.post("/videos", json=body)
    error = error_of(answer)
    assert (answer.status_code, error["param"], error["type"]) == (
        400,
        param,
        "invalid_request_error",
    )
    assert f"'{param}'" in str(error["message"])


def test_create_accepts_multipart_and_references(http: httpx.Client) -> None:
    answer = http.post(
        "/videos",
        data={"prompt": "x", "seconds": "12", "model": "sora-2-pro"},
        files={"input_reference": ("ref.png", b"\x89PNG", "image/png")},
    )
    assert (answer.json()["seconds"], answer.json()["model"]) == ("12", "sora-2-pro")
    by_url = http.post("/videos", json={"prompt": "x", "input_reference": {"file_id": "file-1"}})
    assert by_url.status_code == 200


def test_no_bearer_key_is_401(emu: Emulator) -> None:
    with httpx.Client(transport=emu.transport(), base_url=BASE_URL) as client:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}):
            answer = client.get("/videos", headers=headers)
            assert answer.status_code == 401
            assert "API key" in str(error_of(answer)["message"])


def test_unknown_things_are_404(http: httpx.Client) -> None:
    for path in ("/videos/video_nope", "/videos/video_nope/content", "/videos/characters/char_x"):
        answer = http.get(path)
        assert answer.status_code == 404
        assert path.rsplit("/", 2)[-1] in str(error_of(answer)["message"]) or "nope" in answer.text
    assert http.delete("/videos/video_nope").status_code == 404
    assert http.get("/elsewhere").status_code == 404
    wrong = http.put("/videos")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST, GET")


def test_paging(http: httpx.Client, clock: ManualClock) -> None:
    ids = [http.post("/videos", json={"prompt": f"v{i}"}).json()["id"] for i in range(25)]
    first = http.get("/videos").json()
    assert first["object"] == "list"
    assert len(first["data"]) == 20
    assert first["has_more"]
    assert [v["id"] for v in first["data"]] == ids[::-1][:20]
    assert (first["first_id"], first["last_id"]) == (ids[24], ids[5])
    rest = http.get("/videos", params={"after": first["last_id"]}).json()
    assert [v["id"] for v in rest["data"]] == ids[4::-1]
    assert not rest["has_more"]
    asc = http.get("/videos", params={"order": "asc", "limit": 3, "after": ids[1]}).json()
    assert [v["id"] for v in asc["data"]] == ids[2:5]
    empty = http.get("/videos", params={"limit": 0}).json()
    assert (empty["data"], empty["first_id"], empty["last_id"]) == ([], None, None)
    for params in ({"limit": 101}, {"order": "sideways"}, {"after": "video_gone"}):
        assert http.get("/videos", params=params).status_code == 400


def test_delete_only_when_finished(http: httpx.Client, clock: ManualClock) -> None:
    running = http.post("/videos", json={"prompt": "x"}).json()
    refused = http.delete(f"/videos/{running['id']}")
    assert (refused.status_code, error_of(refused)["code"]) == (409, "invalid_video_status")
    clock.advance(60)
    deleted = http.delete(f"/videos/{running['id']}")
    assert deleted.json() == {"object": "video.deleted", "deleted": True, "id": running["id"]}
    assert http.get(f"/videos/{running['id']}").status_code == 404
    assert http.delete(f"/videos/{running['id']}").status_code == 404
    failed = make_video(http, clock, prompt="[fail]")
    assert http.delete(f"/videos/{failed['id']}").status_code == 200


def test_remix(http: httpx.Client, clock: ManualClock) -> None:
    source = make_video(http, clock, seconds="8", size="1792x1024", model="sora-2-pro")
    remix = http.post(f"/videos/{source['id']}/remix", json={"prompt": "at night"}).json()
    assert remix["remixed_from_video_id"] == source["id"]
    assert (remix["seconds"], remix["size"], remix["model"], remix["prompt"]) == (
        "8",
        "1792x1024",
        "sora-2-pro",
        "at night",
    )
    early = http.post(f"/videos/{remix['id']}/remix", json={"prompt": "again"})
    assert (early.status_code, error_of(early)["param"]) == (400, "video_id")
    assert http.post("/videos/video_nope/remix", json={"prompt": "x"}).status_code == 404
    multipart = http.post(f"/videos/{source['id']}/remix", data={"prompt": "by form"})
    assert multipart.json()["prompt"] == "by form"


def test_extend_totals_the_seconds(http: httpx.Client, clock: ManualClock) -> None:
    source = make_video(http, clock, seconds="8")
    body = {"video": {"id": source["id"]}, "prompt": "and then", "seconds": "12"}
    extended = http.post("/videos/extensions", json=body).json()
    assert extended["seconds"] == "20"
    clock.advance(3600)
    again = http.post(
        "/videos/extensions", json={**body, "video": {"id": extended["id"]}, "seconds": 20}
    ).json()
    assert again["seconds"] == "40"
    bad = http.post("/videos/extensions", json={**body, "seconds": "24"})
    assert error_of(bad)["param"] == "seconds"


def test_edit_from_an_id_or_an_upload(http: httpx.Client, clock: ManualClock) -> None:
    source = make_video(http, clock, size="1280x720", seconds="4")
    by_id = http.post("/videos/edits", json={"video": {"id": source["id"]}, "prompt": "blue"})
    assert (by_id.json()["size"], by_id.json()["seconds"]) == ("1280x720", "4")
    mp4 = http.get(f"/videos/{source['id']}/content").content
    uploaded = http.post(
        "/videos/edits", data={"prompt": "red"}, files={"video": ("in.mp4", mp4, "video/mp4")}
    )
    assert (uploaded.json()["size"], uploaded.json()["seconds"]) == ("1280x720", "4")
    extended = http.post(
        "/videos/extensions",
        data={"prompt": "more", "seconds": "4"},
        files={"video": ("in.mp4", mp4, "video/mp4")},
    )
    assert extended.json()["seconds"] == "8"
    junk = http.post(
        "/videos/edits", data={"prompt": "x"}, files={"video": ("a.mp4", b"junk", "video/mp4")}
    )
    assert (junk.status_code, error_of(junk)["param"]) == (400, "video")
    running = http.post("/videos", json={"prompt": "x"}).json()
    early = http.post("/videos/edits", json={"video": {"id": running["id"]}, "prompt": "x"})
    assert (early.status_code, error_of(early)["code"]) == (400, "invalid_video_status")


def test_characters(http: httpx.Client, clock: ManualClock) -> None:
    source = make_video(http, clock)
    mp4 = http.get(f"/videos/{source['id']}/content").content
    made = http.post(
        "/videos/characters",
        data={"name": "Mochi"},
        files={"video": ("c.mp4", mp4, "video/mp4")},
        headers={"Idempotency-Key": "char-1"},
    ).json()
    assert made["id"].startswith("char_")
    assert made["name"] == "Mochi"
    assert http.get(f"/videos/characters/{made['id']}").json() == made
    replay = http.post(
        "/videos/characters",
        data={"name": "Mochi"},
        files={"video": ("c.mp4", mp4, "video/mp4")},
        headers={"Idempotency-Key": "char-1"},
    )
    assert replay.json() == made
    no_video = http.post("/videos/characters", data={"name": "Mochi"})
    assert error_of(no_video)["param"] == "video"
    long_name = http.post(
        "/videos/characters", data={"name": "x" * 81}, files={"video": ("c.mp4", mp4)}
    )
    assert error_of(long_name)["param"] == "name"


def test_idempotency_key_replays_the_first_job(http: httpx.Client, emu: Emulator) -> None:
    headers = {"Idempotency-Key": "key-1"}
    first = http.post("/videos", json={"prompt": "x"}, headers=headers).json()
    second = http.post("/videos", json={"prompt": "x"}, headers=headers).json()
    other = http.post("/videos", json={"prompt": "x"}, headers={"Idempotency-Key": "key-2"})
    assert first["id"] == second["id"] != other.json()["id"]
    assert len(emu.jobs) == 2
    assert [r.headers.get("idempotency-key") for r in emu.requests] == ["key-1", "key-1", "key-2"]


def test_content_variants_and_ranges(http: httpx.Client, clock: ManualClock) -> None:
    video = make_video(http, clock, size="1024x1792")
    path = f"/videos/{video['id']}/content"
    whole = http.get(path)
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.content[4:8] == b"ftyp"
    assert int(whole.headers["content-length"]) == len(whole.content)
    assert whole.headers["accept-ranges"] == "bytes"
    thumb = http.get(path, params={"variant": "thumbnail"})
    assert thumb.headers["content-type"] == "image/webp"
    assert thumb.content[8:12] == b"WEBP"
    sprites = http.get(path, params={"variant": "spritesheet"})
    assert sprites.headers["content-type"] == "image/jpeg"
    assert sprites.content[:2] == b"\xff\xd8"
    part = http.get(path, headers={"Range": "bytes=100-"})
    assert part.status_code == 206
    assert part.content == whole.content[100:]
    total = len(whole.content)
    assert part.headers["content-range"] == f"bytes 100-{total - 1}/{total}"
    tail = http.get(path, headers={"Range": "bytes=-10"})
    assert tail.content == whole.content[-10:]
    beyond = http.get(path, headers={"Range": f"bytes={total}-"})
    assert (beyond.status_code, beyond.headers["content-range"]) == (416, f"bytes */{total}")
    bad = http.get(path, params={"variant": "poster"})
    assert (bad.status_code, error_of(bad)["param"]) == (400, "variant")


def test_content_before_completion_and_after_expiry(http: httpx.Client, clock: ManualClock) -> None:
    video = http.post("/videos", json={"prompt": "x"}).json()
    early = http.get(f"/videos/{video['id']}/content")
    assert (early.status_code, error_of(early)["code"]) == (409, "video_not_ready")
    clock.advance(3600 + 10)
    expired = http.get(f"/videos/{video['id']}/content")
    assert (expired.status_code, error_of(expired)["code"]) == (404, "video_expired")
    assert "expired" in str(error_of(expired)["message"])


def test_a_large_video_streams_in_chunks(
    emu: Emulator, http: httpx.Client, clock: ManualClock
) -> None:
    emu.video_size_override = 50 * 1024 * 1024
    video = make_video(http, clock)
    with http.stream("GET", f"/videos/{video['id']}/content") as answer:
        assert answer.headers["content-length"] == str(50 * 1024 * 1024)
        sizes = [len(chunk) for chunk in answer.iter_raw()]
    assert sum(sizes) == 50 * 1024 * 1024
    assert max(sizes) <= 64 * 1024
    assert emu.requests[-1].bytes_sent == 50 * 1024 * 1024
    assert emu.video_size_override == 50 * 1024 * 1024


def test_timings_scale_with_the_clock_speed_and_video_length(clock: ManualClock) -> None:
    emulator = Emulator(clock=clock, timing=Timing(queued=1, rendering=4, expires_after=60))
    with httpx.Client(transport=emulator.transport(), base_url=BASE_URL) as client:
        client.headers["Authorization"] = "Bearer k"
        video = client.post("/videos", json={"prompt": "x", "seconds": "12"}).json()
        clock.advance(12.9)
        assert client.get(f"/videos/{video['id']}").json()["status"] == "in_progress"
        clock.advance(0.2)
        done = client.get(f"/videos/{video['id']}").json()
    assert done["status"] == "completed"
    assert done["expires_at"] == done["completed_at"] + 60


def test_the_log_never_keeps_the_key(http: httpx.Client, emu: Emulator) -> None:
    http.get("/videos", params={"limit": 2})
    record = emu.requests[0]
    assert (record.method, record.path, record.query, record.status) == (
        "GET",
        "/v1/videos",
        {"limit": "2"},
        200,
    )
    assert "authorization" not in record.headers
    assert "sk-test" not in repr(list(emu.requests))
    assert emu.requests.matching("GET", "/videos") == [record]
    assert emu.requests[:1] == [record]
    emu.requests.clear()
    assert len(emu.requests) == 0
