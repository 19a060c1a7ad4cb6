"""Shared fixtures: a scriptable fake of the API on ``httpx.MockTransport``, sync and async."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import anyio.lowlevel
import httpx
import pytest

from sora_videos import AsyncSora, Sora
from sora_videos._config import ClientConfig

BASE_URL = "http://api.test/v1"
API_KEY = "sk-test-SECRET-0123456789"


def client_config(**settings: Any) -> ClientConfig:
    """Client settings for tests of the pure core: the test key, ``http://api.test/v1``, no
    environment; ``settings`` are ``ClientConfig.resolve``'s arguments to change."""
    defaults: dict[str, Any] = {
        "api_key": API_KEY,
        "base_url": "http://api.test/v1",
        "organization": None,
        "project": None,
        "timeout": 10.0,
        "max_retries": 2,
        "default_headers": None,
        "environ": {},
    }
    return ClientConfig.resolve(**{**defaults, **settings})


def video_json(video_id: str = "video_1", **changes: Any) -> dict[str, Any]:
    """A ``Video`` as the API sends it."""
    body: dict[str, Any] = {
        "id": video_id,
        "object": "video",
        "model": "sora-2",
        "status": "completed",
        "progress": 100,
        "created_at": 1_700_000_000,
        "completed_at": 1_700_000_060,
        "expires_at": 1_700_086_400,
        "prompt": "A calico cat playing a piano",
        "size": "720x1280",
        "seconds": "4",
        "remixed_from_video_id": None,
        "error": None,
    }
    body.update(changes)
    return body


def error_json(message: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    """OpenAI's error envelope."""
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }


Handler = Callable[[httpx.Request], httpx.Response]


class FakeAPI:
    """Answers requests from a queue of scripted responses per ``(method, path)``, or from a
    default handler, and records every request (with its body read)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.scripts: dict[tuple[str, str], list[httpx.Response | Exception]] = {}
        self.fallback: Handler = lambda request: httpx.Response(200, json=video_json())

    def script(self, method: str, path: str, *answers: httpx.Response | Exception) -> None:
        """Queue answers for ``method path`` (path below ``/v1``), used once each in order."""
        self.scripts.setdefault((method, "/v1" + path), []).extend(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        queue = self.scripts.get((request.method, request.url.path))
        if queue:
            answer = queue.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return self.fallback(request)

    @property
    def last(self) -> httpx.Request:
        """The most recent request."""
        return self.requests[-1]

    def json_of(self, request: httpx.Request) -> Any:
        """A recorded request's JSON body."""
        return json.loads(request.content)


@pytest.fixture
def api() -> FakeAPI:
    return FakeAPI()


ClientT = TypeVar("ClientT", Sora, AsyncSora)
AnyClientT = TypeVar("AnyClientT", bound="Sora | AsyncSora")


def sleeping_with(client: AnyClientT, wait: Callable[[float], object]) -> AnyClientT:
    """The client, its engine's waits (retries, polls, pacing) handed to ``wait`` instead of
    slept (its engine's ``sleep``, injected); an async client still yields to its loop."""
    if isinstance(client, Sora):
        client._engine.sleep = wait
        return client

    async def sleep(seconds: float) -> None:
        wait(seconds)
        await anyio.lowlevel.checkpoint()

    client._engine.sleep = sleep
    return client


def recording_waits(client: ClientT, waits: list[float]) -> ClientT:
    """The client, recording its waits in ``waits`` instead of sleeping."""
    return sleeping_with(client, waits.append)


@pytest.fixture
def client(api: FakeAPI, sleeps: list[float]) -> Iterator[Sora]:
    http = httpx.Client(transport=httpx.MockTransport(api))
    with Sora(api_key=API_KEY, base_url=BASE_URL, http_client=http, max_retries=2) as sora:
        yield recording_waits(sora, sleeps)
    http.close()


@pytest.fixture
def async_client(api: FakeAPI, sleeps: list[float]) -> AsyncSora:
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    sora = AsyncSora(api_key=API_KEY, base_url=BASE_URL, http_client=http, max_retries=2)
    return recording_waits(sora, sleeps)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sleeps() -> list[float]:
    """Waits of the ``client`` and ``async_client`` fixtures (see ``recording_waits``), so
    tests stay fast and can assert the waits."""
    return []
