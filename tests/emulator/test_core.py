"""The pure core: media boxes, ranges, paging, job timelines, forms, faults. No I/O."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from sora_videos.emulator import Body, Fault, ManualClock, Padding, RealClock, Request, Response
from sora_videos.emulator._core import FailurePolicy
from sora_videos.emulator._errors import ApiError
from sora_videos.emulator._faults import Faults, apply_fault
from sora_videos.emulator._forms import parse_form, positive_choice, text, video_reference
from sora_videos.emulator._jobs import Job, JobError, poll_after_ms, status_at, video_json
from sora_videos.emulator._listing import list_query
from sora_videos.emulator._media import media_body
from sora_videos.emulator._mp4 import find, free_box_header, iter_boxes, probe, stretch
from sora_videos.emulator._ranges import Unsatisfiable, parse_range
from sora_videos.emulator._state import MemoryStore, Page, SqliteStore, Store


def job(**changes: object) -> Job:
    fields: dict[str, object] = {
        "id": "video_1",
        "model": "sora-2",
        "prompt": "p",
        "size": "720x1280",
        "seconds": 4,
        "created_at": 100.0,
        "queued_for": 2.0,
        "render_for": 8.0,
        "expires_after": 3600.0,
    }
    fields.update(changes)
    return Job(**fields)  # type: ignore[arg-type]


def test_video_is_the_template_fragment_repeated_with_durations_set() -> None:
    data = media_body("video", "1280x720", 12).read()
    kinds = [box.kind for box in iter_boxes(data)]
    assert kinds[:2] == [b"ftyp", b"moov"]
    assert kinds[2:].count(b"moof") == 12
    assert probe(data) == probe(stretch(media_body("video", "1280x720", 1).read(), 12))
    found = probe(data)
    assert found is not None
    assert (found.width, found.height, found.seconds) == (1280, 720, 12.0)
    mehd = find(data, b"moov", b"mvex", b"mehd")
    assert struct.unpack_from(">I", data, mehd.body + 4)[0] == 12 * 1000


def test_fragments_are_numbered_and_timed_in_sequence() -> None:
    data = media_body("video", "720x1280", 3).read()
    moofs = [b for b in iter_boxes(data) if b.kind == b"moof"]
    numbers = [
        struct.unpack_from(">I", data, find(data, b"mfhd", start=m.body, end=m.end).body + 4)[0]
        for m in moofs
    ]
    assert numbers == [1, 2, 3]
    times = []
    for m in moofs:
        traf = find(data, b"traf", start=m.body, end=m.end)
        tfdt = find(data, b"tfdt", start=traf.body, end=traf.end)
        times.append(struct.unpack_from(">Q", data, tfdt.body + 4)[0])
    assert times == [0, 12800, 25600]


def test_stretch_and_probe_reject_what_they_cannot_use() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        stretch(media_body("video", "720x1280", 1).read(), 0)
    assert probe(b"not a video") is None
    assert probe(b"\x00\x00\x00\x08free") is None
    with pytest.raises(ValueError, match="truncated"):
        list(iter_boxes(b"\x00\x00"))
    with pytest.raises(ValueError, match="bad size"):
        list(iter_boxes(b"\x00\x00\x00\x04abcd"))
    with pytest.raises(ValueError, match="no"):
        find(b"\x00\x00\x00\x08free", b"moov")


def test_box_sizes_of_zero_and_64_bits_are_understood() -> None:
    big = struct.pack(">I4sQ", 1, b"free", 20) + bytes(4)
    assert [(b.kind, b.body, b.end) for b in iter_boxes(big)] == [(b"free", 16, 20)]
    to_end = struct.pack(">I4s", 0, b"mdat") + bytes(10)
    assert next(iter_boxes(to_end)).end == 18


def test_padding_box_headers() -> None:
    assert free_box_header(100) == struct.pack(">I4s", 100, b"free")
    assert free_box_header(2**33) == struct.pack(">I4sQ", 1, b"free", 2**33)
    with pytest.raises(ValueError, match="at least 8"):
        free_box_header(7)


def test_padded_video_has_the_asked_size_and_streams_lazily() -> None:
    body = media_body("video", "720x1280", 4, pad_to=10_000_000)
    assert body.length == 10_000_000
    assert any(isinstance(s, Padding) for s in body.segments)
    assert max(len(c) for c in body.chunks()) <= 64 * 1024
    natural = media_body("video", "720x1280", 4).length
    assert media_body("video", "720x1280", 4, pad_to=natural + 3).length == natural


def test_body_slices_compose() -> None:
    body = Body((b"abcdef", Padding(3), b"xyz"))
    assert body.length == 12
    assert body.read() == b"abcdef\x00\x00\x00xyz"
    assert body.slice(4, 11).read() == b"ef\x00\x00\x00xy"
    assert body.slice(4, 11).slice(1, 3).read() == b"f\x00"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 10)),
        ("bytes=90-", (90, 100)),
        ("bytes=-10", (90, 100)),
        ("bytes=-500", (0, 100)),
        ("bytes=50-5000", (50, 100)),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_ranges(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=5-4", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, 100)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "s.db")
    yield made
    made.close()


def _ids(found: Page | None) -> tuple[list[str], bool] | None:
    return None if found is None else ([j.id for j in found[0]], found[1])


def test_paging_in_both_orders(store: Store) -> None:
    for name in "abcdef":
        store.add_job(job(id=name))
    store.delete_job("f")
    assert _ids(store.page(None, 2, newest_first=True)) == (["e", "d"], True)
    assert _ids(store.page("d", 2, newest_first=True)) == (["c", "b"], True)
    assert _ids(store.page("b", 2, newest_first=True)) == (["a"], False)
    assert _ids(store.page("c", 5, newest_first=False)) == (["d", "e"], False)
    assert _ids(store.page(None, 0, newest_first=False)) == ([], True)
    assert store.page("zz", 2, newest_first=False) is None
    assert store.page("f", 2, newest_first=False) is None  # deleted


def test_paging_over_many_deletions_keeps_the_order(store: Store) -> None:
    for index in range(300):
        store.add_job(job(id=f"v{index:03d}"))
    for index in range(300):
        if index % 3:  # two in three go (the memory store closes up its holes on the way)
            store.delete_job(f"v{index:03d}")
    store.delete_job("v001")  # already gone: nothing happens
    kept = [f"v{index:03d}" for index in range(300) if not index % 3]
    walked: list[str] = []
    after: str | None = None
    while True:
        found = store.page(after, 7, newest_first=True)
        assert found is not None
        walked += [j.id for j in found[0]]
        if not found[1]:
            break
        after = walked[-1]
    assert walked == kept[::-1]
    assert [j.id for j in store.jobs()] == kept


def test_busy_spans_are_the_owners_jobs_not_yet_over(store: Store) -> None:
    store.add_job(job(id="a", owner="k1", created_at=100.0))  # renders 102-110
    store.add_job(job(id="b", owner="k1", created_at=105.0))  # renders 107-115
    store.add_job(job(id="c", owner="k2", created_at=105.0))
    assert sorted(store.busy_spans("k1", 101.0)) == [(102.0, 110.0), (107.0, 115.0)]
    assert store.busy_spans("k1", 110.0) == [(107.0, 115.0)]
    store.delete_job("b")
    assert store.busy_spans("k1", 110.0) == []
    assert store.busy_spans("k2", 0.0) == [(107.0, 115.0)]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": "101"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"order": "up"}, "order"),
    ],
)
def test_list_query_rejects(query: dict[str, str], param: str) -> None:
    with pytest.raises(ApiError) as raised:
        list_query(query)
    assert (raised.value.status, raised.value.param) == (400, param)


def test_list_query_defaults() -> None:
    assert list_query({}) == (None, 20, "desc")


def test_job_timeline() -> None:
    j = job()
    assert [status_at(j, t) for t in (100, 101.9, 102, 109.9, 110)] == [
        "queued",
        "queued",
        "in_progress",
        "in_progress",
        "completed",
    ]
    assert video_json(j, 106)["progress"] == 50
    assert video_json(j, 100)["progress"] == 0
    done = video_json(j, 200)
    assert (done["progress"], done["completed_at"], done["expires_at"]) == (100, 110, 3710)
    assert poll_after_ms(j, 100) == 2000
    assert poll_after_ms(j, 109) == 1000
    assert poll_after_ms(j, 110) is None


def test_failed_job_timeline() -> None:
    j = job(error=JobError("boom", "it broke"))
    assert video_json(j, 105)["error"] is None
    failed = video_json(j, 111)
    assert failed["status"] == "failed"
    assert failed["error"] == {"code": "boom", "message": "it broke"}
    assert failed["completed_at"] is None


def test_failure_policy() -> None:
    policy = FailurePolicy()
    assert policy.decide("fine") is None
    marked = policy.decide("please [fail]")
    assert marked is not None
    assert marked.code == "video_generation_failed"
    coded = policy.decide("[fail:moderation_blocked] x")
    assert coded is not None
    assert coded.code == "moderation_blocked"
    import random

    always = FailurePolicy(rate=1.0, rng=random.Random(0))
    assert always.decide("fine") is not None


def test_clocks() -> None:
    clock = ManualClock(start=10)
    clock.advance(5)
    assert (clock.now(), clock.speed) == (15, 1.0)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(-1)
    real = RealClock(speed=50)
    assert real.speed == 50
    assert real.now() > 1.7e9
    with pytest.raises(ValueError, match="positive"):
        RealClock(speed=0)


def form_request(body: bytes, content_type: str) -> Request:
    return Request("POST", "/v1/videos", headers={"content-type": content_type}, body=body)


def test_forms_from_json_and_multipart() -> None:
    assert parse_form(form_request(b'{"prompt": "x"}', "application/json")) == {"prompt": "x"}
    assert parse_form(form_request(b"", "application/json")) == {}
    multipart = (
        b'--B\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhello\r\n'
        b'--B\r\nContent-Disposition: form-data; name="video"; filename="a.mp4"\r\n'
        b"Content-Type: video/mp4\r\n\r\n\x00\x01\r\n--B--\r\n"
    )
    form = parse_form(form_request(multipart, "multipart/form-data; boundary=B"))
    assert form["prompt"] == "hello"
    upload = video_reference(form)
    assert not isinstance(upload, str)
    assert upload.data == b"\x00\x01"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"{", "application/json"), (b"[1]", "application/json"), (b"x", "multipart/form-data")],
)
def test_bad_bodies(body: bytes, content_type: str) -> None:
    with pytest.raises(ApiError):
        parse_form(form_request(body, content_type))


def test_field_validation() -> None:
    with pytest.raises(ApiError, match="Missing required parameter: 'prompt'"):
        text({}, "prompt", max_length=5)
    with pytest.raises(ApiError, match="too long"):
        text({"prompt": "abcdef"}, "prompt", max_length=5)
    with pytest.raises(ApiError, match="non-empty"):
        text({"prompt": "  "}, "prompt", max_length=5)
    assert positive_choice({"seconds": 8}, "seconds", ("4", "8"), None) == "8"
    with pytest.raises(ApiError, match="Missing"):
        positive_choice({}, "seconds", ("4",), None)
    with pytest.raises(ApiError, match="Supported values"):
        positive_choice({"seconds": True}, "seconds", ("4",), None)


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"video": {"id": "video_1"}}, "video_1"),
        ({"video": '{"id": "video_2"}'}, "video_2"),
        ({"video[id]": "video_3"}, "video_3"),
    ],
)
def test_video_references(form: dict[str, object], expected: str) -> None:
    assert video_reference(form) == expected


@pytest.mark.parametrize("form", [{}, {"video": "nope"}, {"video": {"id": ""}}, {"video": 3}])
def test_bad_video_references(form: dict[str, object]) -> None:
    with pytest.raises(ApiError) as raised:
        video_reference(form)
    assert raised.value.param == "video"


def ok(request: Request) -> Response:
    return Response(200, [("content-type", "application/json")], Body((b'{"id": "video_1"}',)))


def test_fault_rules_match_method_path_and_count() -> None:
    faults = Faults(seed=0)
    rule = faults.add(Fault.status(429, retry_after=2), method="post", path="/videos", times=1)
    assert faults.pick("GET", "/videos") is None
    assert faults.pick("POST", "/videos/x") is None
    assert faults.pick("POST", "/videos") == Fault.status(429, retry_after=2)
    assert faults.pick("POST", "/videos") is None
    assert rule.hits == 1
    faults.add(Fault.drop(), path="/videos/{id}/content")
    assert faults.pick("GET", "/videos/v_1/content") == Fault.drop()
    faults.clear()
    faults.add(Fault.delay(1))
    assert faults.pick("GET", "/anything") == Fault.delay(1)


def test_fault_rates_are_seeded() -> None:
    def draws(seed: int) -> list[bool]:
        faults = Faults(seed=seed)
        faults.add(Fault.status(500), rate=0.5)
        return [faults.pick("GET", "/videos") is not None for _ in range(40)]

    assert draws(3) == draws(3)
    assert 5 < sum(draws(3)) < 35


def test_apply_fault_kinds() -> None:
    request = Request("GET", "/v1/videos")
    limited = apply_fault(Fault.status(429, retry_after=2), request, ok)
    assert (limited.status, limited.header("retry-after")) == (429, "2")
    assert limited.json() == {
        "error": {
            "message": limited.json()["error"]["message"],  # type: ignore[index]
            "type": "requests",
            "param": None,
            "code": None,
        }
    }
    assert apply_fault(Fault.status(500), request, ok).json()["error"]["type"] == "server_error"  # type: ignore[index]
    html = apply_fault(Fault.html(503), request, ok)
    assert html.header("content-type") == "text/html"
    assert b"503 Service Unavailable" in html.body.read()
    assert apply_fault(Fault.drop(), request, ok).disconnect is not None
    assert apply_fault(Fault.drop(after_handling=True), request, ok).status == 200
    assert apply_fault(Fault.delay(3), request, ok).delay == 3
    broken = apply_fault(Fault.malformed_json(), request, ok)
    with pytest.raises(json.JSONDecodeError):
        broken.json()
    cut = apply_fault(Fault.cut(fraction=0.5), request, ok).disconnect
    assert cut is not None
    assert cut.after_bytes == 8
    cut = apply_fault(Fault.cut(after_bytes=10_000), request, ok).disconnect
    assert cut is not None
    assert cut.after_bytes == 16
    with pytest.raises(ValueError, match="exactly one"):
        Fault.cut()


def test_a_spooled_body_parses_like_one_in_memory(tmp_path: Path) -> None:
    multipart = (
        b'--B\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhello\r\n'
        b'--B\r\nContent-Disposition: form-data; name="video"; filename="a.mp4"\r\n'
        b"Content-Type: video/mp4\r\n\r\n" + b"\x00" * 3_000_000 + b"--B-ish\r\n--B--\r\n"
    )
    spool = (tmp_path / "body").open("w+b")
    spool.write(multipart)
    spool.seek(0)
    headers = {"content-type": "multipart/form-data; boundary=B"}
    spooled = parse_form(Request("POST", "/v1/videos", headers=headers, spooled=spool))
    in_memory = parse_form(Request("POST", "/v1/videos", headers=headers, body=multipart))
    assert spooled["prompt"] == in_memory["prompt"] == "hello"
    upload = video_reference(spooled)
    assert not isinstance(upload, str)
    assert upload.data == b"\x00" * 3_000_000 + b"--B-ish"  # a delimiter-like run is data
    assert upload.data == video_reference(in_memory).data  # type: ignore[union-attr]
    json_spool = (tmp_path / "json").open("w+b")
    json_spool.write(b'{"prompt": "x"}')
    json_spool.seek(0)
    request = Request(
        "POST", "/v1/videos", headers={"content-type": "application/json"}, spooled=json_spool
    )
    assert parse_form(request) == {"prompt": "x"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"--B\r\nno blank line after the headers", "multipart/form-data; boundary=B"),
        (
            b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--B--\r\n',
            "multipart/form-data",
        ),
        (
            b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nx',
            "multipart/form-data; boundary=B",
        ),
    ],
)
def test_broken_multipart_bodies_are_400s(body: bytes, content_type: str) -> None:
    with pytest.raises(ApiError):
        parse_form(form_request(body, content_type))
