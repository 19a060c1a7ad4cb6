"""The API key stays secret: not in any repr or str, log record, pickled or copied error, nor
in a request to another host after a redirect; plain http to a remote host is warned about."""

from __future__ import annotations

import copy
import logging
import pickle
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from sora_videos import AsyncSora, Sora, SoraError
from sora_videos import _operations as ops
from sora_videos._engine import to_httpx
from sora_videos._request import build_request
from sora_videos._steps import Send
from sora_videos.emulator import Emulator, Fault, ManualClock

from .campaign import recorded_waits

KEY = "sk-proj-TOPSECRET-5f3a9c1e7b"
BASE = "https://api.test/v1"


def _server(request: httpx.Request) -> httpx.Response:
    """Answers by path: ``/v1/videos/<status>`` fails with that status, a few special ids."""
    name = request.url.path.rsplit("/", 2)[-2 if request.url.path.endswith("/content") else -1]
    if name.isdigit():
        return httpx.Response(int(name), json={"error": {"message": "failed", "code": "x"}})
    if name == "drop":
        raise httpx.RemoteProtocolError("Server disconnected", request=request)
    if name == "slow":
        raise httpx.ReadTimeout("timed out", request=request)
    if name == "garbled":
        return httpx.Response(200, content=b'{"id": "v", "sta')
    if name == "short":
        return httpx.Response(200, headers={"content-length": "10"}, content=b"abc")
    status = "failed" if name == "failed" else "queued"
    return httpx.Response(200, json={"id": name, "status": status})


ERRORS: dict[str, Callable[[Sora], object]] = {
    **{
        str(status): (lambda sora, s=status: sora.videos.retrieve(str(s)))
        for status in (400, 401, 403, 404, 409, 422, 429, 500, 503)
    },
    "connection": lambda sora: sora.videos.retrieve("drop"),
    "timeout": lambda sora: sora.videos.retrieve("slow"),
    "validation": lambda sora: sora.videos.retrieve("garbled"),
    "incomplete download": lambda sora: sora.videos.download_content("short").read(),
    "video failed": lambda sora: sora.videos.poll("failed"),
    "poll timeout": lambda sora: sora.videos.poll("queued", max_wait=0),
}


@pytest.fixture
def sora() -> Iterator[Sora]:
    http = httpx.Client(transport=httpx.MockTransport(_server))
    with Sora(api_key=KEY, base_url=BASE, http_client=http) as client, recorded_waits(client):
        yield client


def _error(sora: Sora, name: str) -> SoraError:
    with pytest.raises(SoraError) as raised:
        ERRORS[name](sora)
    return raised.value


def _texts(error: BaseException) -> list[str]:
    return [str(error), repr(error), repr(vars(error)), repr(error.args)]


@pytest.mark.parametrize("name", ERRORS)
def test_no_error_shows_the_key(sora: Sora, name: str) -> None:
    error = _error(sora, name)
    for text in _texts(error):
        assert KEY not in text


@pytest.mark.parametrize("name", ERRORS)
def test_no_pickled_or_copied_error_carries_the_key(sora: Sora, name: str) -> None:
    error = _error(sora, name)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(error, protocol=protocol)
        assert KEY.encode() not in data  # not even in transit (found: the request's headers)
        restored = pickle.loads(data)
        assert type(restored) is type(error)
        assert str(restored) == str(error)
    for text in _texts(copy.deepcopy(error)) + _texts(copy.copy(error)):
        assert KEY not in text


def test_no_client_options_or_request_shows_the_key(sora: Sora) -> None:
    config = sora._engine.config
    request = build_request(
        config,
        ops.create(
            prompt="p",
            model=None,
            seconds=None,
            size=None,
            input_reference=None,
            idempotency_key=None,
        ),
        {},
    )
    built = to_httpx(sora._engine.http, request)
    copy_ = sora.with_options(max_retries=0, default_headers={"X-Team": "a"})
    texts = [repr(sora), str(sora), repr(copy_), repr(config), str(config), repr(request)]
    texts += [repr(Send(request)), repr(built), repr(built.headers), str(built.headers)]
    texts += [repr(AsyncSora(api_key=KEY, base_url=BASE))]
    for text in texts:
        assert KEY not in text
    assert built.headers["authorization"] == f"Bearer {KEY}"  # yet it is sent


def test_no_log_record_shows_the_key(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    # Over a real socket, so that httpx's and httpcore's own debug logs run too.
    caplog.set_level(logging.DEBUG)
    with Emulator(clock=ManualClock()) as emu, emu.serve() as base_url:
        emu.faults.add(Fault.status(429, retry_after=0), method="POST", times=1)
        emu.faults.add(Fault.drop(), method="GET", times=1)
        emu.faults.add(Fault.status(500), method="DELETE")
        with Sora(api_key=KEY, base_url=base_url, max_retries=1) as client, recorded_waits(client):
            video = client.videos.create(prompt="a lighthouse")
            client.videos.retrieve(video.id)
            with pytest.raises(SoraError):
                client.videos.delete(video.id)
            with pytest.raises(SoraError):
                client.videos.download(video.id, tmp_path / "v.mp4")
    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"sora_videos", "httpx", "httpcore"} <= loggers
    assert KEY not in caplog.text
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)


class TwoHosts:
    """``api.test`` redirects every request to ``elsewhere.test``; both record what they get."""

    def __init__(self) -> None:
        self.seen: dict[str, list[httpx.Headers]] = {"api.test": [], "elsewhere.test": []}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen[request.url.host].append(request.headers)
        if request.url.host == "api.test":
            target = request.url.copy_with(host="elsewhere.test")
            return httpx.Response(307, headers={"location": str(target)})
        return httpx.Response(200, json={"id": "v", "status": "queued"})


def test_a_redirect_is_not_followed_by_default() -> None:
    hosts = TwoHosts()
    http = httpx.Client(transport=httpx.MockTransport(hosts))
    with (
        Sora(api_key=KEY, base_url=BASE, http_client=http) as sora,
        pytest.raises(SoraError, match="307"),
    ):
        sora.videos.retrieve("v")
    assert hosts.seen["elsewhere.test"] == []


@pytest.mark.parametrize("redirect_status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_never_carries_the_key(redirect_status: int) -> None:
    hosts = TwoHosts()

    def handler(request: httpx.Request) -> httpx.Response:
        answer = hosts(request)
        if answer.status_code == 307:
            return httpx.Response(redirect_status, headers=answer.headers)
        return answer

    # A caller's own client that follows redirects, the one way the SDK can be redirected.
    http = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    with Sora(api_key=KEY, base_url=BASE, http_client=http) as sora:
        assert sora.videos.retrieve("v").id == "v"
    (first,) = hosts.seen["api.test"]
    (second,) = hosts.seen["elsewhere.test"]
    assert first["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in second


def test_plain_http_to_a_remote_host_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.warns(UserWarning, match="unencrypted") as warned:
        Sora(api_key=KEY, base_url="http://api.example.com/v1").close()
    assert KEY not in str(warned[0].message)
    with pytest.warns(UserWarning, match="unencrypted"):
        AsyncSora(api_key=KEY, base_url="http://10.0.0.8/v1")
    with Sora(api_key=KEY, base_url=BASE) as sora, pytest.warns(UserWarning, match="unencrypted"):
        sora.with_options(base_url="http://gateway.internal/v1")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://proxy.corp.example:8080/v1")
    with pytest.warns(UserWarning, match="unencrypted"):
        Sora(api_key=KEY).close()


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example.com/v1",
        "http://127.0.0.1:8089/v1",
        "http://[::1]:1/v1",
        "http://localhost/v1",
        "http://127.8.9.10/v1",
    ],
)
def test_https_and_loopback_do_not_warn(url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Sora(api_key=KEY, base_url=url).close()
