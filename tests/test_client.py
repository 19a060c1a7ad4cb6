"""Client settings, the environment, ownership of the pool, and keeping the key secret."""

from __future__ import annotations

import copy
import logging
import pickle
import warnings

import httpx
import pytest

import sora_videos
from sora_videos import AsyncSora, AuthenticationError, Sora, SoraError
from sora_videos._logging import configure_from_env

from .conftest import API_KEY, FakeAPI, error_json


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8089/v1")
    monkeypatch.setenv("OPENAI_ORG_ID", "org_env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj_env")
    with Sora() as client:
        assert str(client.base_url) == "http://127.0.0.1:8089/v1/"
        headers = client._engine.config.headers()
    assert headers["Authorization"] == "Bearer sk-env"
    assert headers["OpenAI-Organization"] == "org_env"
    assert headers["OpenAI-Project"] == "proj_env"


def test_the_default_server_is_the_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with Sora(api_key="k") as client:
        assert str(client.base_url) == "https://api.openai.com/v1/"
        assert client.max_retries == 2
        assert client.timeout.read == 600.0


def test_no_key_names_both_ways_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    for cls in (Sora, AsyncSora):
        with pytest.raises(SoraError, match=r"api_key=.*OPENAI_API_KEY"):
            cls()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        Sora(api_key="k", max_retries=-1)
    with pytest.raises(ValueError, match="base_url"):
        Sora(api_key="k", base_url="ftp://files.example")


def test_plain_http_to_a_remote_host_warns_but_loopback_does_not() -> None:
    with pytest.warns(UserWarning, match="unencrypted"):
        Sora(api_key="k", base_url="http://gateway.example.com/v1").close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for url in ("http://127.0.0.1:4010", "http://localhost:8089/v1", "http://[::1]:1/v1"):
            Sora(api_key="k", base_url=url).close()


def test_with_options_copies_and_shares_the_pool(api: FakeAPI) -> None:
    http = httpx.Client(transport=httpx.MockTransport(api))
    client = Sora(api_key=API_KEY, base_url="http://api.test/v1", http_client=http)
    quick = client.with_options(timeout=5, max_retries=0, default_headers={"X-A": "1"})
    assert quick.timeout == httpx.Timeout(5)
    assert quick.max_retries == 0
    assert client.max_retries == 2
    assert quick.with_options(timeout=None).timeout == httpx.Timeout(None)
    quick.videos.retrieve("v")
    assert api.last.headers["x-a"] == "1"
    quick.close()
    client.close()
    assert not http.is_closed  # the caller's pool is the caller's to close
    http.close()


def test_a_client_closes_the_pool_it_made() -> None:
    client = Sora(api_key="k", base_url="http://127.0.0.1:9/v1")
    copy_ = client.with_options(max_retries=0)
    copy_.close()
    assert not client._engine.http.is_closed
    client.close()
    assert client._engine.http.is_closed


@pytest.mark.anyio
async def test_an_async_client_closes_the_pool_it_made() -> None:
    async with AsyncSora(api_key="k", base_url="http://127.0.0.1:9/v1") as client:
        http = client._engine.http
        assert client.with_options(max_retries=1).max_retries == 1
    assert http.is_closed


def test_the_key_never_shows_in_reprs_errors_or_logs(
    client: Sora, api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.script("GET", "/videos/v", httpx.Response(401, json=error_json("Incorrect API key")))
    caplog.set_level(logging.DEBUG, logger="sora_videos")
    with pytest.raises(AuthenticationError) as raised:
        client.videos.retrieve("v")
    error = raised.value
    texts = [repr(client), str(client), repr(client._engine.config), str(error), repr(error)]
    texts += [record.getMessage() for record in caplog.records]
    texts.append(repr(pickle.loads(pickle.dumps(error)).__dict__))
    texts.append(repr(copy.deepcopy(error).__dict__))
    assert caplog.records, "the request should have been logged at DEBUG"
    for text in texts:
        assert API_KEY not in text


def test_errors_survive_pickling_with_their_details(client: Sora, api: FakeAPI) -> None:
    api.script(
        "GET",
        "/videos/v",
        httpx.Response(
            401,
            json=error_json("bad key", code="invalid_api_key"),
            headers={"x-request-id": "req_9"},
        ),
    )
    with pytest.raises(AuthenticationError) as raised:
        client.videos.retrieve("v")
    restored = pickle.loads(pickle.dumps(raised.value))
    assert type(restored) is AuthenticationError
    assert (restored.status_code, restored.code, restored.request_id) == (
        401,
        "invalid_api_key",
        "req_9",
    )
    assert str(restored) == str(raised.value)


def test_sora_videos_log_turns_on_a_handler() -> None:
    logger = logging.getLogger("sora_videos")
    before = list(logger.handlers)
    try:
        configure_from_env("nothing")
        assert logger.handlers == before
        configure_from_env("debug")
        configure_from_env("debug")
        added = [h for h in logger.handlers if h not in before]
        assert len(added) == 1
        assert logger.level == logging.DEBUG
        configure_from_env("info")
        assert logger.level == logging.INFO
    finally:
        logger.handlers = before
        logger.setLevel(logging.NOTSET)


def test_version_is_exported() -> None:
    assert sora_videos.__version__.count(".") == 2


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:4010", "http://127.0.0.1:4010/", "http://h.test/v1//"]
)
def test_paths_join_the_base_url_with_exactly_one_slash(base_url: str, api: FakeAPI) -> None:
    http = httpx.Client(transport=httpx.MockTransport(api))
    with Sora(api_key="k", base_url=base_url, http_client=http) as client:
        client.videos.retrieve("v")
    assert api.last.url.raw_path.endswith(b"/videos/v")
    assert b"//" not in api.last.url.raw_path
