"""Per-key rate limits and running-job limits, and the fixed poll hint, on the emulator's clock."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from sora_videos.emulator import BASE_URL, Emulator, ManualClock, RateLimit, RealClock, Timing
from sora_videos.emulator._limits import go_duration, slot_start

KEY_A = {"Authorization": "Bearer sk-a"}
KEY_B = {"Authorization": "Bearer sk-b"}


def client(emu: Emulator) -> httpx.Client:
    return httpx.Client(transport=emu.transport(), base_url=BASE_URL)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.0201, "21ms"),
        (0.02, "20ms"),
        (1, "1s"),
        (1.5, "1.5s"),
        (59.9999, "1m0s"),
        (360, "6m0s"),
        (3723, "1h2m3s"),
    ],
)
def test_reset_durations_are_written_as_openai_writes_them(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


def test_a_new_job_starts_when_a_slot_frees_first_come_first_served() -> None:
    assert slot_start(5.0, [], 1) == 5.0
    assert slot_start(5.0, [(0.0, 10.0)], 2) == 5.0
    assert slot_start(5.0, [(0.0, 10.0), (1.0, 7.0)], 2) == 7.0
    assert slot_start(5.0, [(0.0, 10.0), (10.0, 20.0)], 1) == 20.0  # never before a queued one


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="requests >= 1"):
        RateLimit(0)
    with pytest.raises(ValueError, match="period > 0"):
        RateLimit(1, period=0)
    with pytest.raises(ValueError, match="max_running_per_key"):
        Emulator(max_running_per_key=0)


def test_rate_limit_answers_429_with_headers_and_counts_each_key_apart(
    clock: ManualClock,
) -> None:
    emu = Emulator(clock=clock, rate_limit=RateLimit(3, period=60))
    with emu, client(emu) as http:
        remaining = []
        for _ in range(3):
            answer = http.get("/videos", headers=KEY_A)
            assert answer.status_code == 200
            assert answer.headers["x-ratelimit-limit-requests"] == "3"
            remaining.append(answer.headers["x-ratelimit-remaining-requests"])
            clock.advance(10)
        assert remaining == ["2", "1", "0"]
        refused = http.get("/videos", headers=KEY_A)  # 30 s after the first request
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limit_exceeded"
        assert refused.headers["retry-after"] == "30"
        assert refused.headers["x-ratelimit-remaining-requests"] == "0"
        assert refused.headers["x-ratelimit-reset-requests"] == "50s"
        assert http.get("/videos", headers=KEY_B).status_code == 200
        clock.advance(30)
        again = http.get("/videos", headers=KEY_A)
        assert again.status_code == 200
        assert again.headers["x-ratelimit-remaining-requests"] == "0"
        assert again.headers["x-ratelimit-reset-requests"] == "1m0s"
        clock.advance(60)
        assert http.get("/videos", headers=KEY_A).headers["x-ratelimit-remaining-requests"] == "2"
    assert [r.status for r in emu.requests if r.status == 429] == [429]


def test_rate_limit_period_is_scaled_by_the_clock_speed() -> None:
    emu = Emulator(clock=RealClock(speed=60), rate_limit=RateLimit(2, period=60))
    with emu, client(emu) as http:
        assert http.get("/videos", headers=KEY_A).status_code == 200
        assert http.get("/videos", headers=KEY_A).status_code == 200
        refused = http.get("/videos", headers=KEY_A)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"  # the minute lasts one second
        assert refused.headers["x-ratelimit-reset-requests"].endswith("ms")
        time.sleep(1.05)
        assert http.get("/videos", headers=KEY_A).status_code == 200


def test_jobs_beyond_the_running_limit_stay_queued_until_a_slot_frees(
    clock: ManualClock,
) -> None:
    emu = Emulator(clock=clock, max_running_per_key=2, timing=Timing(queued=1, rendering=8))
    with emu, client(emu) as http:
        a = [http.post("/videos", json={"prompt": f"a{i}"}, headers=KEY_A).json() for i in range(3)]
        b = http.post("/videos", json={"prompt": "b"}, headers=KEY_B).json()

        def statuses() -> list[str]:
            got = [http.get(f"/videos/{v['id']}", headers=KEY_A).json() for v in [*a, b]]
            return [str(v["status"]) for v in got]

        clock.advance(2)
        assert statuses() == ["in_progress", "in_progress", "queued", "in_progress"]
        third = http.get(f"/videos/{a[2]['id']}", headers=KEY_A)
        assert third.headers["openai-poll-after-ms"] == "5000"  # slot at 9 s; hints cap at 5 s
        clock.advance(7.5)  # the first two finish at 9 s
        assert statuses() == ["completed", "completed", "in_progress", "completed"]
        clock.advance(8)
        assert statuses()[2] == "completed"


@pytest.mark.anyio
async def test_running_limit_holds_for_async_clients_and_across_emulators_sharing_a_db(
    tmp_path: Path, clock: ManualClock
) -> None:
    db = tmp_path / "limits.sqlite3"
    first = Emulator(clock=clock, db_path=db, max_running_per_key=1)
    second = Emulator(clock=clock, db_path=db, max_running_per_key=1)
    ids = []
    for emu in (first, second):
        async with httpx.AsyncClient(
            transport=emu.async_transport(), base_url=BASE_URL, headers=KEY_A
        ) as http:
            ids.append((await http.post("/videos", json={"prompt": "x"})).json()["id"])
    clock.advance(3)
    async with httpx.AsyncClient(
        transport=second.async_transport(), base_url=BASE_URL, headers=KEY_A
    ) as http:
        shown = [(await http.get(f"/videos/{i}")).json()["status"] for i in ids]
    assert shown == ["in_progress", "queued"]
    first.close()
    second.close()


def test_fixed_poll_hint_on_retrieve_and_list_while_running_scaled_by_speed() -> None:
    emu = Emulator(clock=RealClock(speed=4), timing=Timing(queued=40, poll_after=1.0))
    with emu, client(emu) as http:
        video = http.post("/videos", json={"prompt": "x"}, headers=KEY_A).json()
        retrieved = http.get(f"/videos/{video['id']}", headers=KEY_A)
        assert retrieved.headers["openai-poll-after-ms"] == "250"
        listed = http.get("/videos", headers=KEY_A)
        assert listed.headers["openai-poll-after-ms"] == "250"


def test_no_poll_hint_once_every_listed_job_is_done(clock: ManualClock) -> None:
    emu = Emulator(clock=clock, timing=Timing(poll_after=1.0))
    with emu, client(emu) as http:
        video = http.post("/videos", json={"prompt": "x"}, headers=KEY_A).json()
        clock.advance(3600)
        assert (
            "openai-poll-after-ms" not in http.get(f"/videos/{video['id']}", headers=KEY_A).headers
        )
        assert "openai-poll-after-ms" not in http.get("/videos", headers=KEY_A).headers


@pytest.mark.anyio
async def test_rate_limit_for_async_clients(clock: ManualClock) -> None:
    emu = Emulator(clock=clock, rate_limit=RateLimit(1, period=10))
    async with httpx.AsyncClient(
        transport=emu.async_transport(), base_url=BASE_URL, headers=KEY_A
    ) as http:
        first = await http.post("/videos", json={"prompt": "x"})
        assert first.headers["x-ratelimit-remaining-requests"] == "0"
        assert first.headers["x-ratelimit-reset-requests"] == "10s"
        refused = await http.post("/videos", json={"prompt": "x"})
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "10")
        clock.advance(10)
        assert (await http.get("/videos")).status_code == 200
    assert len(emu.jobs) == 1  # the refused create made no job
    emu.close()


@pytest.mark.parametrize("persisted", [False, True], ids=["memory", "sqlite"])
def test_a_page_and_a_create_read_only_the_jobs_they_need(
    clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, persisted: bool
) -> None:
    # Work per request must not grow with the jobs stored: a 100,000-job batch made both
    # quadratic when each listing and each create under a running limit read every job.
    db = tmp_path / "jobs.sqlite3" if persisted else None
    emu = Emulator(clock=clock, db_path=db, max_running_per_key=5, timing=Timing(rendering=8))
    with emu, client(emu) as http:
        for index in range(300):
            assert http.post("/videos", json={"prompt": f"p{index}"}, headers=KEY_A).is_success
            clock.advance(1)

        def refuse() -> object:
            raise AssertionError("every stored job was read")

        monkeypatch.setattr(emu._core.store, "jobs", refuse)  # pyright: ignore[reportPrivateUsage]
        page = http.get("/videos", params={"limit": 10}, headers=KEY_A).json()
        assert len(page["data"]) == 10
        assert page["has_more"]
        after = http.get("/videos", params={"after": page["last_id"]}, headers=KEY_A).json()
        assert after["data"][0]["prompt"] == "p289"
        assert http.post("/videos", json={"prompt": "last"}, headers=KEY_A).is_success
