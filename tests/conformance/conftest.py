"""Fixtures of the conformance tests: the servers (session-wide: Prism, the emulator) and
clients that record what they send."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from sora_videos import AsyncSora, Sora
from sora_videos.emulator import Emulator, Timing

from ._openapi import SPEC_PATH
from ._servers import PrismUnavailable, prism_mock

API_KEY = "sk-conformance"

try:
    import schemathesis  # noqa: F401
except ImportError:  # schemathesis 4.32+ needs Python 3.11; the 3.10 run checks the rest
    collect_ignore = ["test_emulator_responses.py"]


def _replayed(response: httpx.Response, raw: bytes) -> httpx.Response:
    stream = httpx.ByteStream(raw)
    return httpx.Response(response.status_code, headers=response.headers, stream=stream)


class RecordingTransport(httpx.BaseTransport):
    """Sends requests on, keeping each request (body read) and each answer's raw body."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[bytes] = []
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        response = self._inner.handle_request(request)
        raw = b"".join(response.iter_raw())
        response.close()
        self.answers.append(raw)
        return _replayed(response, raw)

    def close(self) -> None:
        self._inner.close()


class AsyncRecordingTransport(httpx.AsyncBaseTransport):
    """The async twin of ``RecordingTransport``."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[bytes] = []
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        response = await self._inner.handle_async_request(request)
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
        self.answers.append(raw)
        return _replayed(response, raw)

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture(scope="session")
def prism_url() -> Iterator[str]:
    """A Prism mock of the publisher's description; skipped if Prism is not installed, except
    under ``CI=true``, where a missing Prism is a failure."""
    try:
        with prism_mock(SPEC_PATH) as url:
            yield url
    except PrismUnavailable as missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing} (CI=true: the Prism checks must run)")
        pytest.skip(str(missing))


@pytest.fixture
def recorder() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def async_recorder() -> AsyncRecordingTransport:
    return AsyncRecordingTransport()


@pytest.fixture
def prism_client(prism_url: str, recorder: RecordingTransport) -> Iterator[Sora]:
    """A client of the Prism mock, without retries (a 422 must surface at once)."""
    http = httpx.Client(transport=recorder)
    with Sora(api_key=API_KEY, base_url=prism_url, max_retries=0, http_client=http) as client:
        yield client
    http.close()


@pytest.fixture
async def async_prism_client(
    prism_url: str, async_recorder: AsyncRecordingTransport
) -> AsyncIterator[AsyncSora]:
    """The async twin of ``prism_client``."""
    async with httpx.AsyncClient(transport=async_recorder) as http:
        yield AsyncSora(api_key=API_KEY, base_url=prism_url, max_retries=0, http_client=http)


@dataclass(frozen=True)
class ServedEmulator:
    """The emulator on loopback: ``url`` for the tests' requests, ``client`` (in-process) to set
    up the videos and characters they need."""

    emulator: Emulator
    url: str
    client: Sora

    def completed_video(self) -> str:
        """A new video that is already completed (jobs take no time in this emulator)."""
        return self.client.videos.create_and_poll(prompt="A seed video", poll_interval=0).id

    def mp4(self) -> bytes:
        """A real MP4 file, as the emulator makes them (uploads are probed)."""
        return self.client.videos.download_content(self.completed_video()).read()


@pytest.fixture(scope="session")
def served_emulator() -> Iterator[ServedEmulator]:
    # No time in the queue or rendering: every job completes at once (media stay for an hour).
    emulator = Emulator(timing=Timing(queued=0, rendering=0))
    with emulator, emulator.serve() as url, emulator.client(max_retries=0) as client:
        yield ServedEmulator(emulator, url, client)
