"""Injected faults as a client sees them: in-process (sync, asyncio, trio) and over a socket."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from sora_videos.emulator import BASE_URL, Emulator, Fault, ManualClock

from .conftest import AUTH, make_video


@pytest.fixture(params=["in-process", "socket"])
def sync_http(request: pytest.FixtureRequest, emu: Emulator) -> Iterator[httpx.Client]:
    if request.param == "in-process":
        with httpx.Client(transport=emu.transport(), base_url=BASE_URL, headers=AUTH) as client:
            yield client
        return
    with emu.serve() as base_url, httpx.Client(base_url=base_url, headers=AUTH) as client:
        yield client


def test_429_with_retry_after(sync_http: httpx.Client, emu: Emulator) -> None:
    emu.faults.add(Fault.status(429, retry_after=2), path="/videos", method="POST", times=1)
    limited = sync_http.post("/videos", json={"prompt": "x"})
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "2")
    assert limited.json()["error"]["type"] == "requests"
    assert limited.headers["x-request-id"].startswith("req_")
    assert sync_http.post("/videos", json={"prompt": "x"}).status_code == 200
    assert len(emu.jobs) == 1
    assert [r.fault for r in emu.requests] == ["status", None]


def test_drop_before_answering_creates_nothing(sync_http: httpx.Client, emu: Emulator) -> None:
    emu.faults.add(Fault.drop(), method="POST", times=1)
    with pytest.raises(httpx.TransportError):
        sync_http.post("/videos", json={"prompt": "x"})
    assert emu.jobs == []
    assert emu.requests[0].status is None


def test_drop_after_handling_creates_the_job(sync_http: httpx.Client, emu: Emulator) -> None:
    emu.faults.add(Fault.drop(after_handling=True), method="POST", times=1)
    with pytest.raises(httpx.TransportError):
        sync_http.post("/videos", json={"prompt": "x"}, headers={"Idempotency-Key": "k"})
    assert len(emu.jobs) == 1
    retried = sync_http.post("/videos", json={"prompt": "x"}, headers={"Idempotency-Key": "k"})
    assert retried.json()["id"] == emu.jobs[0]["id"]
    assert len(emu.jobs) == 1


def test_download_cut_short(sync_http: httpx.Client, emu: Emulator, clock: ManualClock) -> None:
    video = make_video(sync_http, clock)
    path = f"/videos/{video['id']}/content"
    total = int(sync_http.get(path).headers["content-length"])
    emu.faults.add(Fault.cut(after_bytes=1000), path="/videos/{id}/content", times=1)
    received = bytearray()

    def download() -> None:
        with sync_http.stream("GET", path) as answer:
            for chunk in answer.iter_raw():
                received.extend(chunk)

    with pytest.raises(httpx.TransportError):
        download()
    assert len(received) == 1000
    rest = sync_http.get(path, headers={"Range": f"bytes={len(received)}-"})
    assert rest.status_code == 206
    assert len(rest.content) == total - 1000
    resumed = emu.requests[-1]
    assert (resumed.headers["range"], resumed.status, resumed.bytes_sent) == (
        "bytes=1000-",
        206,
        total - 1000,
    )


def test_malformed_json_and_html_pages(sync_http: httpx.Client, emu: Emulator) -> None:
    emu.faults.add(Fault.malformed_json(), times=1)
    broken = sync_http.get("/videos")
    with pytest.raises(json.JSONDecodeError):
        broken.json()
    emu.faults.add(Fault.html(502), times=1)
    page = sync_http.get("/videos")
    assert page.status_code == 502
    assert page.headers["content-type"] == "text/html"
    emu.faults.add(Fault.status(503), times=1)
    assert sync_http.get("/videos").status_code == 503


def test_a_slow_answer_times_out(sync_http: httpx.Client, emu: Emulator) -> None:
    emu.faults.add(Fault.delay(0.5), times=1)
    with pytest.raises(httpx.ReadTimeout):
        sync_http.get("/videos", timeout=0.05)
    emu.faults.add(Fault.delay(0.05), times=1)
    assert sync_http.get("/videos", timeout=5).status_code == 200


@pytest.mark.anyio
async def test_faults_in_process_async(emu: Emulator, clock: ManualClock) -> None:
    transport = emu.async_transport()
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=AUTH) as http:
        video = (await http.post("/videos", json={"prompt": "x"})).json()
        clock.advance(60)
        emu.faults.add(Fault.drop(), times=1)
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/videos")
        emu.faults.add(Fault.cut(fraction=0.5), times=1)
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"/videos/{video['id']}/content")
        emu.faults.add(Fault.delay(1), times=1)
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/videos", timeout=0.05)
        emu.faults.add(Fault.delay(0.01), times=1)
        assert (await http.get("/videos")).status_code == 200


@pytest.mark.anyio
async def test_faults_over_a_socket_async(emu: Emulator, clock: ManualClock) -> None:
    with emu.serve() as base_url:
        async with httpx.AsyncClient(base_url=base_url, headers=AUTH) as http:
            video = (await http.post("/videos", json={"prompt": "x"})).json()
            clock.advance(60)
            emu.faults.add(Fault.drop(after_handling=True), times=1)
            with pytest.raises(httpx.TransportError):
                await http.get("/videos")
            emu.faults.add(Fault.cut(fraction=0.25), times=1)
            with pytest.raises(httpx.TransportError):
                await http.get(f"/videos/{video['id']}/content")
            full = await http.get(f"/videos/{video['id']}/content")
            assert full.status_code == 200
            assert full.content[4:8] == b"ftyp"
