"""The publisher's SDK (openai-python, the ``bench`` group) against each emulated server.

Not a test of this package: a record of what ``openai`` does with each server, shown in
docs/servers.md (``test_the_documented_results_are_the_measured_ones``). Skipped when the
``openai`` package is not installed. The emulator is served over loopback HTTP (openai has its
own HTTP stack), on a manual clock that openai's poll waits move forward.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sora_videos.emulator import Emulator, ManualClock

from .test_compat_matrix import DIALECTS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # deprecated in openai

COLUMNS = ("create_and_poll", "a failed job", "download")

OPENAI_SDK: dict[str, dict[str, str]] = {
    "openai": {"create_and_poll": "completed", "a failed job": "failed", "download": "ok"},
    "azure (`AzureOpenAI`)": {
        "create_and_poll": "NotFoundError (404)",
        "a failed job": "NotFoundError (404)",
        "download": "NotFoundError (404)",
    },
    "azure (`OpenAI`, `base_url=.../openai/v1`)": {
        "create_and_poll": "completed",
        "a failed job": "failed",
        "download": "ok",
    },
    "litellm": {
        "create_and_poll": "returns while `processing`",
        "a failed job": "returns while `processing`",
        "download": "ok",
    },
    "vllm-omni": {
        "create_and_poll": "completed",
        "a failed job": "InternalServerError (500), after 2 retries",
        "download": "ok",
    },
    "sglang": {
        "create_and_poll": "BadRequestError (400)",
        "a failed job": "BadRequestError (400)",
        "download": "BadRequestError (400)",
    },
    "tensorrt-llm": {
        "create_and_poll": "returns while `generating`",
        "a failed job": "returns while `generating`",
        "download": "ok",
    },
}
"""What openai-python does with each server; the row names a client when Azure needs two."""


def _outcome(run: Callable[[], Any]) -> tuple[str, Any]:
    import openai  # pyright: ignore[reportMissingImports]

    try:
        return "", run()
    except openai.APIStatusError as err:
        retries = int(err.response.request.headers.get("x-stainless-retry-count", "0"))
        again = f", after {retries} retries" if retries else ""
        return f"{type(err).__name__} ({err.status_code}){again}", None


def _poll_word(video: Any) -> str:
    if video.status in ("completed", "failed"):
        return str(video.status)
    return f"returns while `{video.status}`"


def measure(client: Any, clock: ManualClock) -> dict[str, str]:
    """What ``client`` (an ``openai.OpenAI``) gets from the three workflows."""
    client.videos._sleep = clock.advance  # openai's poll waits move the emulator's clock
    results: dict[str, str] = {}
    error, video = _outcome(lambda: client.videos.create_and_poll(prompt="a cat"))
    results["create_and_poll"] = error or _poll_word(video)
    error, failed = _outcome(lambda: client.videos.create_and_poll(prompt="[fail] a cat"))
    results["a failed job"] = error or _poll_word(failed)
    if video is None:
        results["download"] = results["create_and_poll"]
        return results
    clock.advance(120)  # done whatever the poll said (and not yet expired)
    error, media = _outcome(lambda: client.videos.download_content(video.id).read())
    results["download"] = error or ("ok" if media[4:8] == b"ftyp" else "not an MP4")
    return results


def _client(row: str, base_url: str) -> Any:
    import openai  # pyright: ignore[reportMissingImports]

    if "AzureOpenAI" in row:
        endpoint = base_url.removesuffix("/openai/v1")
        return openai.AzureOpenAI(api_key="k", azure_endpoint=endpoint, api_version="preview")
    return openai.OpenAI(api_key="k", base_url=base_url)


@pytest.mark.parametrize("row", list(OPENAI_SDK))
def test_what_openai_python_does_with_each_server(row: str) -> None:
    pytest.importorskip("openai")
    dialect = row.split(" ")[0]
    assert dialect in DIALECTS
    clock = ManualClock()
    emu = Emulator(dialect=dialect, clock=clock)  # type: ignore[arg-type]
    with emu, emu.serve() as base_url, _client(row, base_url) as client:
        assert measure(client, clock) == OPENAI_SDK[row]


def render_table() -> str:
    """``OPENAI_SDK`` as the Markdown table of docs/servers.md."""
    lines = ["| server | " + " | ".join(COLUMNS) + " |", "|---|" + "---|" * len(COLUMNS)]
    for row, cells in OPENAI_SDK.items():
        lines.append(f"| {row} | " + " | ".join(cells[c] for c in COLUMNS) + " |")
    return "\n".join(lines)


def test_the_documented_results_are_the_measured_ones() -> None:
    docs = Path(__file__).parents[2] / "docs" / "servers.md"
    assert render_table() in docs.read_text(encoding="utf-8"), render_table()
