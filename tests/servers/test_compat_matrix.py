"""The compatibility matrix: every workflow against every server's dialect, sync and async.

``MATRIX`` says what each server gives for each workflow; every cell is a test against
``Emulator(dialect=...)`` with a sync client and an async one (asyncio and trio), and
docs/servers.md shows ``MATRIX`` as a table (``test_the_documented_matrix_is_the_tested_one``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sora_videos import (
    NotFoundError,
    UnsupportedOperationError,
    Video,
    VideoFailedError,
    VideoNotReadyError,
)
from sora_videos.emulator import Emulator, Fault

from .harness import MODES, Mode, Workflow, collect, emulated, run, settle

DIALECTS = ("openai", "azure", "litellm", "vllm-omni", "sglang", "tensorrt-llm")
OK = "ok"
UNSUPPORTED = "unsupported"  # UnsupportedOperationError before any request
NOT_FOUND = "not found"  # NotFoundError: the server's 404 cannot be told from a missing video
NA = "n/a"


def _row(default: str, **cells: str) -> dict[str, str]:
    return {dialect: cells.get(dialect.replace("-", "_"), default) for dialect in DIALECTS}


_JOBS_ONLY = {"vllm_omni": UNSUPPORTED, "sglang": UNSUPPORTED, "tensorrt_llm": UNSUPPORTED}

MATRIX: dict[str, dict[str, str]] = {
    "create_and_poll": _row(OK),
    "a failed job ends the poll (VideoFailedError)": _row(OK),
    "download before completion (VideoNotReadyError)": _row(OK),
    "download, resumed after a cut": _row(OK),
    "list, auto-paging": _row(OK),
    "delete": _row(OK, litellm=UNSUPPORTED),
    "remix": _row(OK, **_JOBS_ONLY),
    "edit": _row(OK, azure=UNSUPPORTED, **_JOBS_ONLY),
    "extend": _row(OK, azure=UNSUPPORTED, **_JOBS_ONLY),
    "characters": _row(OK, azure=UNSUPPORTED, **_JOBS_ONLY),
    'a missing route, profile unknown (server="openai")': _row(
        UNSUPPORTED, openai=NA, azure=NOT_FOUND
    ),
}


# --- the workflows ---------------------------------------------------------------------------


async def finished(client: Any, prompt: str = "a calico cat") -> Video:
    video: Video = await settle(client.videos.create_and_poll(prompt=prompt))
    return video


async def create_and_poll(client: Any, emu: Emulator) -> None:
    video = await finished(client)
    assert video.status == "completed"
    assert [job["id"] for job in emu.jobs] == [video.id]
    create = emu.requests.matching("POST", "/videos")[0]
    encoding = create.headers["content-type"].split(";")[0]
    form = client.server.create_encoding == "multipart"
    assert encoding == ("multipart/form-data" if form else "application/json")


async def failed_job(client: Any, emu: Emulator) -> None:
    with pytest.raises(VideoFailedError) as raised:
        await settle(client.videos.create_and_poll(prompt="[fail] a calico cat"))
    video = raised.value.video
    assert video.status == "failed"
    answers = [r.status for r in emu.requests.matching("GET")]  # only retrieves here
    assert answers[:-1] == [200] * (len(answers) - 1)  # the failed answer was not retried
    assert answers[-1] in (200, 500)  # vLLM-Omni answers a failed job with 500 and the video


async def not_ready(client: Any, emu: Emulator, tmp: Path) -> None:
    video: Video = await settle(client.videos.create(prompt="a calico cat"))
    with pytest.raises(VideoNotReadyError) as raised:
        await settle(client.videos.download(video.id, tmp / "early.mp4"))
    assert raised.value.video.id == video.id
    assert not isinstance(raised.value, NotFoundError)
    assert list(tmp.iterdir()) == []


async def resumed_download(client: Any, emu: Emulator, tmp: Path) -> None:
    video = await finished(client)
    # The next GET is the download (a path pattern would not match LiteLLM's ids with "/").
    rule = emu.faults.add(Fault.cut(fraction=0.5), method="GET", times=1)
    cut = await settle(client.videos.download(video.id, tmp / "cut.mp4"))
    assert rule.hits == 1
    whole = await settle(client.videos.download(video.id, tmp / "whole.mp4"))
    assert cut.read_bytes() == whole.read_bytes()
    assert cut.read_bytes()[4:8] == b"ftyp"  # an MP4
    ranged = [r for r in emu.requests.matching("GET") if "range" in r.headers]
    assert len(ranged) == 1
    assert ranged[0].headers["range"] == f"bytes={len(cut.read_bytes()) // 2}-"


async def auto_paging(client: Any, emu: Emulator) -> None:
    made = [await settle(client.videos.create(prompt=f"cat {n}")) for n in range(5)]
    listed = await collect(client.videos.list(limit=2))
    assert sorted(v.id for v in listed) == sorted(v.id for v in made)


async def delete(client: Any, emu: Emulator) -> None:
    video = await finished(client)
    deleted = await settle(client.videos.delete(video.id))
    assert (deleted.id, deleted.deleted) == (video.id, True)
    with pytest.raises(NotFoundError):
        await settle(client.videos.retrieve(video.id))


async def remix(client: Any, emu: Emulator) -> None:
    video = await finished(client)
    remixed: Video = await settle(client.videos.remix_and_poll(video.id, prompt="at night"))
    assert remixed.id != video.id
    assert remixed.remixed_from_video_id == video.id


async def edit(client: Any, emu: Emulator) -> None:
    video = await finished(client)
    job: Video = await settle(client.videos.edit(prompt="in snow", video=video))
    assert (await settle(client.videos.poll(job.id))).status == "completed"


async def extend(client: Any, emu: Emulator) -> None:
    video = await finished(client)
    job: Video = await settle(client.videos.extend(prompt="then", seconds=4, video=video))
    assert (await settle(client.videos.poll(job.id))).status == "completed"


async def characters(client: Any, emu: Emulator) -> None:
    video = await finished(client)
    content = await settle(client.videos.download_content(video.id))
    media = await settle(content.read())
    made = await settle(
        client.videos.create_character(name="Mo", video=("mo.mp4", media, "video/mp4"))
    )
    assert (await settle(client.videos.get_character(made.id))).name == "Mo"


PROBES: dict[str, Any] = {
    "delete": lambda c: c.videos.delete("video_1"),
    "remix": lambda c: c.videos.remix("video_1", prompt="p"),
    "edit": lambda c: c.videos.edit(prompt="p", video={"id": "video_1"}),
    "extend": lambda c: c.videos.extend(prompt="p", seconds=4, video={"id": "video_1"}),
    "characters": lambda c: c.videos.create_character(name="Mo", video=b"\0" * 64),
}
"""One call per optional operation, to check that it fails before any request."""


def _workflow(row: str, tmp: Path) -> Workflow:
    with_tmp = {
        "download before completion (VideoNotReadyError)": not_ready,
        "download, resumed after a cut": resumed_download,
    }
    if row in with_tmp:
        flow = with_tmp[row]

        async def in_tmp(client: Any, emu: Emulator) -> None:
            await flow(client, emu, tmp)

        return in_tmp
    plain: dict[str, Workflow] = {
        "create_and_poll": create_and_poll,
        "a failed job ends the poll (VideoFailedError)": failed_job,
        "list, auto-paging": auto_paging,
        "delete": delete,
        "remix": remix,
        "edit": edit,
        "extend": extend,
        "characters": characters,
    }
    return plain[row]


def unsupported(row: str) -> Workflow:
    async def probe(client: Any, emu: Emulator) -> None:
        with pytest.raises(UnsupportedOperationError) as raised:
            await settle(PROBES[row](client))
        assert (raised.value.server, len(emu.requests)) == (client.server.name, 0)

    return probe


def _missing_operation(dialect: str) -> str:
    from sora_videos import servers

    missing = [row for row in PROBES if not _offers(servers.PRESETS[dialect], row)]
    return missing[0]


def _offers(profile: Any, row: str) -> bool:
    return ("create_character" if row == "characters" else row) in profile.operations


def unknown_server_probe(dialect: str, outcome: str) -> Workflow:
    operation = _missing_operation(dialect)

    async def probe(client: Any, emu: Emulator) -> None:
        expected = UnsupportedOperationError if outcome == UNSUPPORTED else NotFoundError
        with pytest.raises(expected):
            await settle(PROBES[operation](client))
        assert len(emu.requests) == 1  # asked once, not retried

    return probe


CELLS = [
    (row, dialect, mode)
    for row in MATRIX
    for dialect in DIALECTS
    for mode in MODES
    if MATRIX[row][dialect] != NA
]


@pytest.mark.parametrize(("row", "dialect", "mode"), CELLS)
def test_matrix_cell(row: str, dialect: str, mode: Mode, tmp_path: Path) -> None:
    outcome = MATRIX[row][dialect]
    options: dict[str, Any] = {}
    if row.startswith("a missing route"):
        workflow = unknown_server_probe(dialect, outcome)
        options["server"] = "openai"
    elif outcome == UNSUPPORTED:
        workflow = unsupported(row)
    else:
        workflow = _workflow(row, tmp_path)
    with emulated(dialect) as (emu, clock):
        run(workflow, emu, clock, mode, **options)


def render_table() -> str:
    """``MATRIX`` as the Markdown table of docs/servers.md."""
    words = {
        OK: "✓",
        UNSUPPORTED: "`UnsupportedOperationError`",
        NOT_FOUND: "`NotFoundError`",
        NA: "—",
    }
    lines = [
        "| workflow | " + " | ".join(DIALECTS) + " |",
        "|---|" + "---|" * len(DIALECTS),
    ]
    for row, cells in MATRIX.items():
        lines.append(f"| {row} | " + " | ".join(words[cells[d]] for d in DIALECTS) + " |")
    return "\n".join(lines)


def test_the_documented_matrix_is_the_tested_one() -> None:
    docs = Path(__file__).parents[2] / "docs" / "servers.md"
    assert render_table() in docs.read_text(encoding="utf-8"), render_table()


def test_the_matrix_agrees_with_the_presets() -> None:
    from sora_videos import servers

    for row in PROBES:
        for dialect in DIALECTS:
            offered = _offers(servers.PRESETS[dialect], row)
            assert offered == (MATRIX[row][dialect] == OK), (row, dialect)
