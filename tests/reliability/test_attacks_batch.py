"""Attacks on batches, manifests and saved files, over real sockets.

Every job accounted for, never paid twice, files complete and with the user's permissions.
As in ``test_attacks.py``: ``xfail(strict=True)`` marks a hole still open (issue #11).
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

import anyio
import pytest

from sora_videos import APIResponseValidationError, BatchResult, SoraError

from .attack_kit import KEY, MP4, MiniAPI, async_sora, sora
from .hostile import Answer, HostileServer, Request, json_answer, video_json


@pytest.fixture
def api(hostile: HostileServer) -> MiniAPI:
    """The honest API on the hostile server."""
    hostile.handler = api_ = MiniAPI()
    return api_


def lines(manifest: Path) -> list[dict[str, Any]]:
    """The manifest's records."""
    return [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]


def jobs_in(manifest: Path) -> dict[str, dict[str, Any]]:
    """Each job of the manifest by key: its records merged, later lines winning."""
    jobs: dict[str, dict[str, Any]] = {}
    for record in lines(manifest):
        jobs.setdefault(record["idempotency_key"], {}).update(record)
    return jobs


def settled_jobs(manifest: Path) -> int:
    """How many jobs of the manifest have an outcome."""
    return sum(job.get("status") is not None for job in jobs_in(manifest).values())


def check_accounted(results: list[BatchResult], prompts: list[str]) -> None:
    """One result per prompt, in order, each completed with its file or a typed error."""
    assert [r.job.prompt for r in results] == prompts
    for result in results:
        if result.status == "completed":
            assert result.path is None or result.path.read_bytes().startswith(b"mp4:")
        else:
            assert isinstance(result.error, SoraError)


# --- 1, 3 (batch halves): a bad key or a false encoding stays out of the manifest ----------


@pytest.mark.anyio
async def test_a_crlf_key_never_reaches_the_manifest(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    results: list[BatchResult] = []
    with anyio.move_on_after(2):  # today each create is retried with backoff for 15 s
        async with async_sora(hostile, api_key=KEY + "\r") as client:
            results = await client.videos.batch(["a fox"], manifest=tmp_path / "m.jsonl")
    assert [r.status for r in results] == ["completed"]
    assert KEY not in (tmp_path / "m.jsonl").read_text()


def false_gzip_content(request: Request) -> Answer | None:
    if request.path.endswith("/video_1/content"):
        return Answer(200, [("Content-Type", "video/mp4"), ("Content-Encoding", "gzip")], MP4)
    return None


def test_a_false_encoding_fails_one_job_only(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    api.hooks.append(false_gzip_content)
    prompts = ["a fox", "a hen"]
    with sora(hostile) as client:
        results = client.videos.batch(
            prompts, output_dir=tmp_path, manifest=tmp_path / "m", concurrency=1
        )
    check_accounted(results, prompts)
    assert [r.status for r in results] == ["error", "completed"]
    assert settled_jobs(tmp_path / "m") == 2


@pytest.mark.anyio
async def test_a_false_encoding_fails_one_job_only_async(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    api.hooks.append(false_gzip_content)
    async with async_sora(hostile) as client:
        results = await client.videos.batch(["a fox", "a hen"], output_dir=tmp_path, concurrency=1)
    assert [r.status for r in results] == ["error", "completed"]


# --- 13: a server-supplied id is data ------------------------------------------------------

BAD_IDS = ["..", "", "x" * 300]


@pytest.mark.parametrize("bad_id", BAD_IDS, ids=["dotdot", "empty", "300 chars"])
def test_a_bad_id_fails_its_job_only(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path, bad_id: str
) -> None:
    api.ids = lambda prompt: bad_id if prompt == "bad" else None
    prompts = ["a fox", "bad", "a hen"]
    with sora(hostile) as client:
        results = client.videos.batch(prompts, output_dir=tmp_path / "out", manifest=tmp_path / "m")
    check_accounted(results, prompts)
    assert [results[0].status, results[2].status] == ["completed", "completed"]
    if bad_id != "x" * 300:  # a long id may be saved under a shortened name instead
        assert results[1].status == "error"
    assert settled_jobs(tmp_path / "m") == 3


@pytest.mark.anyio
@pytest.mark.parametrize("bad_id", ["..", "x" * 300], ids=["dotdot", "300 chars"])
async def test_a_bad_id_fails_its_job_only_async(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path, bad_id: str
) -> None:
    api.ids = lambda prompt: bad_id if prompt == "bad" else None
    prompts = ["a fox", "bad", "a hen"]
    async with async_sora(hostile) as client:
        results = await client.videos.batch(prompts, output_dir=tmp_path, manifest=tmp_path / "m")
    check_accounted(results, prompts)
    assert settled_jobs(tmp_path / "m") == 3


@pytest.mark.anyio
@pytest.mark.parametrize("bad_id", ["..", ""])
async def test_create_and_poll_turns_a_bad_id_into_an_sdk_error(
    hostile: HostileServer, bad_id: str
) -> None:
    hostile.handler = lambda request: json_answer(video_json(bad_id, "queued"))
    async with async_sora(hostile) as client:
        with pytest.raises(APIResponseValidationError) as raised:
            await client.videos.create_and_poll(prompt="a fox")
    assert raised.value.idempotency_key == hostile.requests[0].header("idempotency-key")


# --- 14: job identity: minted once, matched by content, never inherited --------------------


def test_adding_a_prompt_on_top_pays_only_for_it(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    with sora(hostile) as client:
        client.videos.batch(["p1", "p2", "p3"], manifest=tmp_path / "m")
        results = client.videos.batch(["p0", "p1", "p2", "p3"], manifest=tmp_path / "m")
    assert [r.status for r in results] == ["completed"] * 4
    assert len(api.jobs) == 4


@pytest.mark.parametrize("manifests", ["none", "other folders"])
def test_a_new_batch_never_inherits_old_jobs(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path, manifests: str
) -> None:
    with sora(hostile) as client:
        for run in ("first", "second"):
            manifest = None if manifests == "none" else tmp_path / run / "m"
            client.videos.batch(["a fox"], output_dir=tmp_path / run, manifest=manifest)
    assert len(api.jobs) == 2
    assert len(set(api.keys)) == 2


@pytest.mark.anyio
async def test_a_key_is_in_the_manifest_before_its_create(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    manifest = tmp_path / "m"
    recorded: list[bool] = []

    def check(request: Request) -> None:
        if request.method == "POST":
            key = request.header("idempotency-key") or "no key"
            recorded.append(manifest.exists() and key in manifest.read_text())

    api.hooks.append(check)  # type: ignore[arg-type]
    async with async_sora(hostile) as client:
        await client.videos.batch(["a fox", "a hen"], manifest=manifest)
    assert recorded == [True, True]


def test_a_rerun_after_a_lost_create_replays_its_key(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    """Guard for the #14 redesign: a job whose create answer was lost is not paid twice."""
    lost: list[Request] = []

    def lose_first_answer(request: Request) -> Answer | None:
        if request.method == "POST" and not lost:
            lost.append(request)
            api.create(request)  # the job is made, the answer never arrives
            return json_answer({"error": {"message": "gone"}}, 502, {"x-should-retry": "false"})
        return None

    api.hooks.append(lose_first_answer)
    with sora(hostile) as client:
        first = client.videos.batch(["a fox", "a fox"], manifest=tmp_path / "m", concurrency=1)
        assert [r.status for r in first] == ["error", "completed"]
        second = client.videos.batch(["a fox", "a fox"], manifest=tmp_path / "m")
    assert [r.status for r in second] == ["completed", "completed"]
    assert len(api.jobs) == 2  # two identical prompts are two jobs, each paid once


# --- 15: a damaged manifest ----------------------------------------------------------------


def reports(caught: list[warnings.WarningMessage], caplog: pytest.LogCaptureFixture) -> str:
    """Everything a user was told, by warnings or log records."""
    return "\n".join([str(w.message) for w in caught] + [r.getMessage() for r in caplog.records])


def test_a_truncated_last_line_is_recovered(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.jsonl"
    with sora(hostile) as client:
        client.videos.batch(["a fox"], manifest=manifest)
        with manifest.open("a") as file:
            file.write('{"prompt": "a hen", "idempotency_k')  # a crash mid-write
        results = client.videos.batch(["a fox", "a hen"], manifest=manifest)
    assert [r.status for r in results] == ["completed", "completed"]
    assert len(api.jobs) == 2


@pytest.mark.anyio
async def test_damaged_lines_are_reported_with_file_and_line(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manifest = tmp_path / "runs.jsonl"
    caplog.set_level(logging.WARNING)
    async with async_sora(hostile) as client:
        await client.videos.batch(["a fox"], manifest=manifest)
        manifest.write_text('[1, 2]\n"text"\n' + manifest.read_text())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = await client.videos.batch(["a fox", "a hen"], manifest=manifest)
    assert [r.status for r in results] == ["completed", "completed"]
    assert len(api.jobs) == 2  # the valid line was recovered: no second job for "a fox"
    told = reports(caught, caplog)
    assert "runs.jsonl" in told
    assert "line 1" in told
    assert "line 2" in told


# --- 16: distinct ids, distinct files -------------------------------------------------------


@pytest.mark.anyio
async def test_ids_that_sanitize_alike_get_distinct_files(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    api.ids = {"a fox": "video:a", "a hen": "video/a"}.get
    async with async_sora(hostile) as client:
        results = await client.videos.batch(["a fox", "a hen"], output_dir=tmp_path)
    paths = [r.path for r in results]
    assert None not in paths
    assert len(set(paths)) == 2
    assert [p.read_bytes() for p in paths if p] == [b"mp4:video:a", b"mp4:video/a"]


# --- 17: a rate-limit burst while polling; a re-run that adds output_dir -------------------


def throttled_polls(count: int) -> Any:
    """The first ``count`` polls are answered 429."""
    seen: list[Request] = []

    def hook(request: Request) -> Answer | None:
        if request.method == "GET" and not request.path.endswith("/content"):
            seen.append(request)
            if len(seen) <= count:
                return json_answer(
                    {"error": {"message": "slow down"}}, 429, {"retry-after-ms": "20"}
                )
        return None

    return hook


def test_a_429_burst_while_polling_is_waited_out(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    api.hooks.append(throttled_polls(4))
    with sora(hostile, max_retries=1) as client:
        (result,) = client.videos.batch(["a fox"], output_dir=tmp_path)
    assert result.status == "completed"


@pytest.mark.anyio
async def test_a_429_burst_while_polling_is_waited_out_async(
    hostile: HostileServer, api: MiniAPI
) -> None:
    api.hooks.append(throttled_polls(4))
    async with async_sora(hostile, max_retries=1) as client:
        (result,) = await client.videos.batch(["a fox"])
    assert result.status == "completed"


def test_a_rerun_with_output_dir_downloads_what_was_not(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    with sora(hostile) as client:
        client.videos.batch(["a fox"], manifest=tmp_path / "m")
        (result,) = client.videos.batch(["a fox"], manifest=tmp_path / "m", output_dir=tmp_path)
    assert result.path is not None
    assert result.path.read_bytes() == b"mp4:video_1"
    assert len(api.jobs) == 1


# --- 19: a job is recorded when created -----------------------------------------------------


def manifest_knows_polled_ids(api: MiniAPI, manifest: Path) -> list[bool]:
    """Checks, at each poll, that the manifest already names the job."""
    known: list[bool] = []

    def check(request: Request) -> None:
        if request.method == "GET" and not request.path.endswith("/content"):
            video_id = request.path.rsplit("/", 1)[1]
            known.append(manifest.exists() and f'"{video_id}"' in manifest.read_text())

    api.hooks.append(check)  # type: ignore[arg-type]
    return known


def test_a_job_is_in_the_manifest_once_created(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    known = manifest_knows_polled_ids(api, tmp_path / "m")
    with sora(hostile) as client:  # one job at a time: each is polled on its own
        client.videos.batch(["a fox", "a hen"], manifest=tmp_path / "m", max_pending=1)
    assert known == [True, True]


@pytest.mark.anyio
async def test_a_cancelled_batch_leaves_its_created_jobs_in_the_manifest(
    hostile: HostileServer, api: MiniAPI, tmp_path: Path
) -> None:
    api.hooks.append(
        lambda request: (
            json_answer(video_json(request.path.rsplit("/", 1)[1], "in_progress"))
            if request.method == "GET"
            else None
        )
    )
    with anyio.move_on_after(0.8):
        async with async_sora(hostile) as client:
            await client.videos.batch(["a", "b", "c"], manifest=tmp_path / "m", poll_interval=0.1)
    records = lines(tmp_path / "m") if (tmp_path / "m").exists() else []
    assert len(api.jobs) == 3
    assert {r.get("id") for r in records} - {None} == set(api.jobs.values())
    assert set(api.jobs) <= {r.get("idempotency_key") for r in records}
