"""SQLite persistence across emulators, the ASGI app's edges, the exports and ``run_server``."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

import sora_videos.emulator as emulator_module
from sora_videos.emulator import BASE_URL, Emulator, ManualClock, RealClock, Timing, run_server
from sora_videos.emulator._asgi import AsgiApp, Message

from .conftest import AUTH


def client_for(emu: Emulator) -> httpx.Client:
    return httpx.Client(transport=emu.transport(), base_url=BASE_URL, headers=AUTH)


def test_jobs_survive_a_restart_with_a_database(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    clock = ManualClock()
    with Emulator(clock=clock, db_path=db) as first, client_for(first) as http:
        ids = [http.post("/videos", json={"prompt": f"v{i}"}).json()["id"] for i in range(3)]
        key = {"Idempotency-Key": "same"}
        once = http.post("/videos", json={"prompt": "k"}, headers=key).json()["id"]
        clock.advance(60)
        http.delete(f"/videos/{ids[0]}")
        made = http.post(
            "/videos/characters",
            data={"name": "Mochi"},
            files={"video": ("c.mp4", http.get(f"/videos/{ids[1]}/content").content)},
        ).json()
        with pytest.raises(httpx.HTTPStatusError):
            http.post("/videos", json={"prompt": ""}).raise_for_status()
    with Emulator(clock=clock, db_path=db) as second, client_for(second) as http:
        listed = [v["id"] for v in http.get("/videos", params={"order": "asc"}).json()["data"]]
        assert listed == [*ids[1:], once]
        assert http.get(f"/videos/{ids[1]}").json()["status"] == "completed"
        again = http.post("/videos", json={"prompt": "k"}, headers={"Idempotency-Key": "same"})
        assert again.json()["id"] == once
        assert http.get(f"/videos/characters/{made['id']}").json() == made
        assert http.get(f"/videos/{ids[0]}").status_code == 404


def test_state_comes_from_timestamps_across_processes(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    timing = Timing(queued=1.0, rendering=0.2)  # queued for 0.5 s at speed 2: room for a busy CI
    writer = Emulator(clock=RealClock(speed=2), db_path=db, timing=timing)
    reader = Emulator(clock=RealClock(), db_path=db)
    with client_for(writer) as w, client_for(reader) as r:
        video = w.post("/videos", json={"prompt": "x"}).json()
        assert r.get(f"/videos/{video['id']}").json()["status"] == "queued"
        time.sleep(0.8)
        assert r.get(f"/videos/{video['id']}").json()["status"] == "completed"
    writer.close()
    reader.close()


def test_concurrent_replays_create_one_job(emu: Emulator) -> None:
    ids: list[str] = []

    def post() -> None:
        with client_for(emu) as http:
            answer = http.post("/videos", json={"prompt": "x"}, headers={"Idempotency-Key": "race"})
            ids.append(answer.json()["id"])

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    assert len(emu.jobs) == 1


@pytest.mark.anyio
async def test_asgi_lifespan_and_other_scopes(emu: Emulator) -> None:
    sent: list[Message] = []
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: Message) -> None:
        sent.append(message)

    await emu.app({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    await emu.app({"type": "websocket"}, receive, send)
    assert len(sent) == 2


@pytest.mark.anyio
async def test_asgi_drop_without_a_socket_raises(emu: Emulator) -> None:
    from sora_videos.emulator import Fault
    from sora_videos.emulator._exchange import Disconnected

    emu.faults.add(Fault.drop())
    body = iter([{"type": "http.request", "body": b"", "more_body": False}])

    async def receive() -> dict[str, Any]:
        return next(body)

    async def send(message: Message) -> None:
        raise AssertionError("nothing should be sent")

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/videos",
        "headers": [(b"authorization", b"Bearer k")],
    }
    with pytest.raises(Disconnected):
        await AsgiApp(emu.handle)(scope, receive, send)
    await anyio.lowlevel.checkpoint()


def test_serve_answers_over_http(emu: Emulator) -> None:
    with emu.serve() as base_url, httpx.Client(base_url=base_url, headers=AUTH) as http:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        assert http.post("/videos", json={"prompt": "x"}).status_code == 200
        assert http.get("/videos").json()["data"][0]["prompt"] == "x"


def test_run_server_builds_an_emulator_and_runs_uvicorn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []

    def fake_run(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    run_server("127.0.0.1", 8089, db_path=tmp_path / "db.sqlite3", speed=10)
    assert calls[0]["port"] == 8089
    assert isinstance(calls[0]["app"], AsgiApp)
    assert (tmp_path / "db.sqlite3").exists()


def test_exports_are_sorted_and_complete() -> None:
    names = emulator_module.__all__
    assert names == sorted(names)
    public = {n for n in dir(emulator_module) if not n.startswith("_") and n != "annotations"}
    assert set(names) == public
