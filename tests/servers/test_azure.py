"""``AzureSora`` / ``AsyncAzureSora``: routes, key, token provider, and secrets that stay put."""

from __future__ import annotations

import itertools
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import httpx
import pytest

from sora_videos import AsyncAzureSora, AuthenticationError, AzureSora, SoraError
from sora_videos.emulator import Emulator

from ..conftest import video_json

KEY = "azure-KEY-0123456789-secret"
ENDPOINT = "https://my-resource.openai.azure.com"


def recording(requests: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=video_json("video_1"))

    return httpx.MockTransport(answer)


def test_requests_go_to_the_v1_route_with_the_key_in_api_key() -> None:
    sent: list[httpx.Request] = []
    http = httpx.Client(transport=recording(sent))
    with AzureSora(azure_endpoint=ENDPOINT + "/", api_key=KEY, http_client=http) as client:
        client.videos.retrieve("video_1")
        client.with_options(timeout=5).videos.retrieve("video_1")
    for request in sent:
        assert str(request.url) == f"{ENDPOINT}/openai/v1/videos/video_1"  # no api-version
        assert request.headers["api-key"] == KEY
        assert "authorization" not in request.headers


@pytest.mark.anyio
async def test_the_async_client_sends_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", ENDPOINT)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_VERSION", "preview")
    sent: list[httpx.Request] = []
    async with AsyncAzureSora(
        http_client=httpx.AsyncClient(transport=_async(recording(sent)))
    ) as client:
        video = await client.videos.create(prompt="a cat", model="my-sora-deployment")
    assert video.id == "video_1"
    assert str(sent[0].url) == f"{ENDPOINT}/openai/v1/videos?api-version=preview"
    assert json.loads(sent[0].content)["model"] == "my-sora-deployment"
    assert sent[0].headers["api-key"] == KEY


def _async(transport: httpx.MockTransport) -> httpx.MockTransport:
    return transport  # MockTransport serves sync and async clients alike


def test_missing_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SoraError, match="azure_endpoint= or set AZURE_OPENAI_ENDPOINT"):
        AzureSora(api_key=KEY)
    with pytest.raises(SoraError, match="api_key= or azure_ad_token_provider="):
        AzureSora(azure_endpoint=ENDPOINT)
    with pytest.raises(ValueError, match="exclude each other"):
        AzureSora(azure_endpoint=ENDPOINT, base_url=ENDPOINT + "/openai/v1", api_key=KEY)


class Tokens:
    """A token provider that hands out ``tok-1``, ``tok-2``..., counting its calls."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"tok-{next(self._numbers)}"


def azure_emulator(seen: list[str], valid: Any = lambda token: True) -> Emulator:
    def check(token: str) -> bool:
        seen.append(token)
        return bool(valid(token))

    return Emulator(dialect="azure", api_keys=[KEY], bearer_tokens=check)


def test_each_request_carries_a_fresh_token() -> None:
    seen: list[str] = []
    tokens = Tokens()
    with azure_emulator(seen) as emu:
        http = httpx.Client(transport=emu.transport())
        with AzureSora(
            base_url=emu.base_url, azure_ad_token_provider=tokens, http_client=http
        ) as client:
            video = client.videos.create(prompt="a cat")
            client.videos.retrieve(video.id)
    assert seen == ["tok-1", "tok-2"]


def test_a_401_asks_for_a_token_once_more_then_succeeds() -> None:
    seen: list[str] = []
    tokens = Tokens()
    with azure_emulator(seen, valid=lambda token: token != "tok-1") as emu:
        http = httpx.Client(transport=emu.transport())
        with AzureSora(
            base_url=emu.base_url, azure_ad_token_provider=tokens, http_client=http
        ) as client:
            video = client.videos.create(prompt="a cat")
    assert (seen, tokens.calls, video.status) == (["tok-1", "tok-2"], 2, "queued")


def test_a_second_401_fails_after_one_refresh() -> None:
    seen: list[str] = []
    with azure_emulator(seen, valid=lambda token: False) as emu:
        http = httpx.Client(transport=emu.transport())
        tokens = Tokens()
        with (
            AzureSora(base_url=emu.base_url, azure_ad_token_provider=tokens, http_client=http) as c,
            pytest.raises(AuthenticationError),
        ):
            c.videos.retrieve("video_1")
    assert tokens.calls == 2


@pytest.mark.anyio
async def test_async_providers_and_sync_ones_serve_the_async_client() -> None:
    seen: list[str] = []
    tokens = Tokens()

    async def async_tokens() -> str:
        await anyio.lowlevel.checkpoint()
        return tokens()

    with azure_emulator(seen, valid=lambda token: token != "tok-1") as emu:
        for provider in (async_tokens, tokens):
            http = httpx.AsyncClient(transport=emu.async_transport())
            async with AsyncAzureSora(
                base_url=emu.base_url, azure_ad_token_provider=provider, http_client=http
            ) as client:
                await client.videos.create(prompt="a cat")
    assert seen == ["tok-1", "tok-2", "tok-3"]  # the 401 once, then every token works


def test_an_async_provider_on_the_sync_client_is_refused() -> None:
    async def provider() -> str:
        return "tok"

    http = httpx.Client(transport=recording([]))
    with (
        AzureSora(azure_endpoint=ENDPOINT, azure_ad_token_provider=provider, http_client=http) as c,
        pytest.raises(TypeError, match="AsyncAzureSora"),
    ):
        c.videos.retrieve("video_1")


def test_neither_key_nor_token_reaches_a_log_a_repr_or_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tokens = Tokens()
    texts: list[str] = []
    with azure_emulator([], valid=lambda token: False) as emu:
        choices: list[dict[str, Any]] = [
            {"api_key": "wrong-" + KEY},
            {"azure_ad_token_provider": tokens},
        ]
        for options in choices:
            http = httpx.Client(transport=emu.transport())
            with AzureSora(base_url=emu.base_url, http_client=http, **options) as client:
                with pytest.raises(AuthenticationError) as raised:
                    client.videos.retrieve("video_1")
                config = client._engine.config
                texts += [repr(client), repr(config), str(raised.value), repr(raised.value)]
    texts.append(caplog.text)
    assert tokens.calls == 2
    for secret in (KEY, "tok-1", "tok-2"):
        assert not [text for text in texts if secret in text]


# --- redirects, over real loopback sockets -------------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    """Records each request's headers; redirects when the server has a ``location``."""

    def do_GET(self) -> None:
        server: Loopback = self.server  # type: ignore[assignment]
        server.seen.append({k.lower(): v for k, v in self.headers.items()})
        if server.location is not None:
            self.send_response(307)
            self.send_header("location", server.location)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        body = json.dumps(video_json("video_1")).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class Loopback(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Recorder)
        self.seen: list[dict[str, str]] = []
        self.location: str | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def two_servers() -> Iterator[tuple[Loopback, Loopback]]:
    servers = (Loopback(), Loopback())
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    yield servers
    for server in servers:
        server.shutdown()
        server.server_close()
    for thread in threads:
        thread.join()


@pytest.mark.parametrize("follow_redirects", [False, True])
@pytest.mark.parametrize("credential", ["api_key", "token"])
def test_credentials_never_follow_a_redirect_to_another_host(
    two_servers: tuple[Loopback, Loopback], credential: str, follow_redirects: bool
) -> None:
    endpoint, elsewhere = two_servers
    endpoint.location = f"{elsewhere.origin}/stolen"
    options: dict[str, Any] = (
        {"api_key": KEY} if credential == "api_key" else {"azure_ad_token_provider": Tokens()}
    )
    http = httpx.Client(follow_redirects=follow_redirects)  # a user's client that follows
    with AzureSora(azure_endpoint=endpoint.origin, http_client=http, **options) as client:
        video = client.videos.retrieve("video_1")
    assert video.id == "video_1"  # the redirect was followed, without the credentials
    assert {"api-key", "authorization"} & set(endpoint.seen[0])
    assert elsewhere.seen
    assert not [h for h in elsewhere.seen if {"api-key", "authorization"} & set(h)]


@pytest.mark.anyio
async def test_the_async_client_keeps_credentials_on_the_origin(
    two_servers: tuple[Loopback, Loopback],
) -> None:
    endpoint, elsewhere = two_servers
    endpoint.location = f"{elsewhere.origin}/stolen"
    http = httpx.AsyncClient(follow_redirects=True)
    async with AsyncAzureSora(azure_endpoint=endpoint.origin, api_key=KEY, http_client=http) as c:
        await c.videos.retrieve("video_1")
    assert endpoint.seen[0]["api-key"] == KEY
    assert "api-key" not in elsewhere.seen[0]


def test_a_redirect_on_the_same_origin_keeps_the_key(
    two_servers: tuple[Loopback, Loopback],
) -> None:
    endpoint, _ = two_servers
    endpoint.location = f"{endpoint.origin}/moved"

    def stop_redirecting(request: httpx.Request) -> None:
        if request.url.path == "/moved":
            endpoint.location = None

    http = httpx.Client(event_hooks={"request": [stop_redirecting]})
    with AzureSora(azure_endpoint=endpoint.origin, api_key=KEY, http_client=http) as client:
        client.videos.retrieve("video_1")
    assert [h.get("api-key") for h in endpoint.seen] == [KEY, KEY]


def test_the_body_cap_is_an_azure_client_setting_too() -> None:
    from sora_videos import APIResponseValidationError
    from sora_videos.emulator import Emulator

    emu = Emulator(dialect="azure")
    transport = httpx.Client(transport=emu.transport())
    with (
        AzureSora(
            base_url=emu.base_url, api_key="k", max_body_size=64, http_client=transport
        ) as client,
        pytest.raises(APIResponseValidationError, match="max_body_size"),
    ):
        client.videos.create(prompt="a video answer longer than 64 bytes")
    transport.close()
