"""Fixtures for the emulator's tests: an emulator on a manual clock and clients wired to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sora_videos.emulator import BASE_URL, Emulator, ManualClock

AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emu(clock: ManualClock) -> Iterator[Emulator]:
    with Emulator(clock=clock, seed=1) as emulator:
        yield emulator


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=emu.transport(), base_url=BASE_URL, headers=AUTH) as client:
        yield client


def make_video(http: httpx.Client, clock: ManualClock, **fields: object) -> dict[str, Any]:
    """Create a job and let the clock run until it has finished."""
    answer = http.post("/videos", json={"prompt": "a calico cat", **fields})
    assert answer.status_code == 200, answer.text
    clock.advance(3600)
    video: dict[str, Any] = http.get(f"/videos/{answer.json()['id']}").json()
    return video


@pytest.fixture(autouse=True)
def sleeps() -> list[float]:
    """Overrides the SDK tests' fixture of the same name: here clients really wait."""
    return []
