"""The public surface: one door, sorted and complete, sync and async in step, cheap to import."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import sora_videos
from sora_videos import (
    AsyncCursorPage,
    AsyncSora,
    AsyncVideoContent,
    AsyncVideos,
    CursorPage,
    Sora,
    VideoContent,
    Videos,
)
from sora_videos._async.raw import AsyncVideosWithRawResponse, AsyncVideosWithStreamingResponse
from sora_videos._sync.raw import VideosWithRawResponse, VideosWithStreamingResponse


def test_all_is_sorted_and_names_every_public_object() -> None:
    exported = sora_videos.__all__
    assert exported == sorted(exported, key=lambda name: (not name.isupper(), name))
    public = {name for name in dir(sora_videos) if not name.startswith("_")}
    modules = {name for name in public if inspect.ismodule(getattr(sora_videos, name))}
    assert public - modules == set(exported) - {"__version__"}


def public_methods(cls: type) -> dict[str, object]:
    members: dict[str, object] = {}
    for klass in reversed(cls.__mro__[:-1]):  # base classes first, so overrides win
        members.update(
            (name, member)
            for name, member in vars(klass).items()
            if not name.startswith("_")
            and (inspect.isfunction(member) or isinstance(member, property))
        )
    return members


TWINS = [
    (Sora, AsyncSora),
    (sora_videos.AzureSora, sora_videos.AsyncAzureSora),
    (Videos, AsyncVideos),
    (VideoContent, AsyncVideoContent),
    (CursorPage, AsyncCursorPage),
    (VideosWithRawResponse, AsyncVideosWithRawResponse),
    (VideosWithStreamingResponse, AsyncVideosWithStreamingResponse),
]
# Where the two differ on purpose: the sync page is iterable, the async list is a paginator,
# an async body is read with ``await read()`` before ``content``/``text`` give it.
DIFFERENT_DOCS = {"list", "content", "text"}


@pytest.mark.parametrize(("sync", "async_"), TWINS)
def test_sync_and_async_twins_have_the_same_methods_signatures_and_docs(
    sync: type, async_: type
) -> None:
    sync_methods, async_methods = public_methods(sync), public_methods(async_)
    assert sync_methods.keys() == async_methods.keys()
    for name, method in sync_methods.items():
        twin = async_methods[name]
        if isinstance(method, property):
            continue
        assert inspect.isfunction(method)
        assert inspect.isfunction(twin)
        sync_sig, async_sig = inspect.signature(method), inspect.signature(twin)
        assert list(sync_sig.parameters) == list(async_sig.parameters), name
        for parameter in sync_sig.parameters.values():
            other = async_sig.parameters[parameter.name]
            assert (parameter.kind, parameter.default) == (other.kind, other.default), name
            if parameter.name != "http_client":
                assert parameter.annotation == other.annotation, (name, parameter.name)
        if name not in DIFFERENT_DOCS:
            assert inspect.getdoc(method) == inspect.getdoc(twin), name


def test_async_twins_are_async_where_the_sync_ones_do_io() -> None:
    for name in ("create", "retrieve", "download_content", "poll", "download", "batch"):
        assert inspect.iscoroutinefunction(getattr(AsyncVideos, name)), name
    assert not inspect.iscoroutinefunction(AsyncVideos.list)  # a paginator, awaited or iterated
    assert inspect.isasyncgenfunction(AsyncVideos.as_completed)  # `async for`
    for name in ("read", "write_to_file", "stream_to_file", "close"):
        assert inspect.iscoroutinefunction(getattr(AsyncVideoContent, name)), name
    assert inspect.iscoroutinefunction(AsyncCursorPage.get_next_page)


def test_every_request_method_takes_the_common_options() -> None:
    for name in (
        "create",
        "remix",
        "edit",
        "extend",
        "list",
        "retrieve",
        "delete",
        "download_content",
        "create_character",
        "get_character",
        "poll",
    ):
        parameters = inspect.signature(getattr(Videos, name)).parameters
        assert parameters["options"].kind is inspect.Parameter.VAR_KEYWORD, name
        assert "RequestOptions" in str(parameters["options"].annotation), name


def test_job_creating_methods_take_an_idempotency_key() -> None:
    for name in (
        "create",
        "remix",
        "edit",
        "extend",
        "create_character",
        "create_and_poll",
        "remix_and_poll",
    ):
        assert "idempotency_key" in inspect.signature(getattr(Videos, name)).parameters, name


def test_importing_the_package_loads_nothing_optional() -> None:
    # Measured against what importing the runtime dependencies loads by itself (httpx, for
    # one, imports rich when it is installed).
    code = (
        "import sys, httpx, pydantic, anyio, typing_extensions; before = set(sys.modules);"
        "import sora_videos; sora_videos.Sora(api_key='k');"
        "new = set(sys.modules) - before;"
        "print(sorted(new))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    extra = eval(loaded.stdout)  # a printed list of module names
    assert not [m for m in extra if m.split(".")[0] in ("rich", "uvicorn", "sqlite3")]
    optional = ("sora_videos.emulator", "sora_videos._cli")
    assert not [m for m in extra if ".".join(m.split(".")[:2]) in optional]
    assert "sora_videos._client" in extra


def test_the_package_is_typed() -> None:
    from importlib.resources import files

    assert files("sora_videos").joinpath("py.typed").is_file()
