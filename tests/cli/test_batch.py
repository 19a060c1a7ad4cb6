"""``sora-videos batch``: one line per job, every job accounted for, a re-run resumes, and an
interruption stops at once and says how to carry on."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import anyio
import pytest

import sora_videos
from sora_videos._cli._batch import read_prompts, still_running

from .conftest import Run, Terminal, sora_argv, user_env


def write_prompts(path: Path) -> Path:
    path.write_text("a cat\n# a comment\n\na dog [fail]\nan owl\n", encoding="utf-8")
    return path


def test_batch_runs_every_prompt_and_says_which_did_not_complete(cli: Run, tmp_path: Path) -> None:
    prompts = write_prompts(tmp_path / "prompts.txt")
    done = cli("batch", str(prompts), "--concurrency", "2", "--output-dir", "out", "--emulator")
    assert done.code == 1
    assert "1 of 3 jobs did not complete" in done.err
    assert done.out.count("completed ") == 2
    assert "failed" in done.out
    assert "a dog [fail]" in done.out  # the prompt as written
    assert len(list((tmp_path / "out").glob("*.mp4"))) == 2
    lines = (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(r["status"] for r in records if r["event"] == "settled") == [
        "completed",
        "completed",
        "failed",
    ]


def test_each_job_is_listed_once(cli: Run, tmp_path: Path) -> None:
    prompts = write_prompts(tmp_path / "prompts.txt")
    done = cli("batch", str(prompts), "--emulator")
    ids = [str(video["id"]) for video in cli("list", "--json", "--emulator").json()["data"]]
    assert len(ids) == 3
    for video_id in ids:
        assert (done.out + done.err).count(video_id) == 1


def test_batch_json_and_rerun_reuse_the_same_jobs(cli: Run, tmp_path: Path) -> None:
    prompts = write_prompts(tmp_path / "prompts.txt")
    first = cli("batch", str(prompts), "--output-dir", "out", "--json", "--emulator")
    again = cli("batch", str(prompts), "--output-dir", "out", "--json", "--emulator")
    ids = [[record["id"] for record in run.json()] for run in (first, again)]
    assert ids[0] == ids[1]
    assert [r["status"] for r in again.json()] == ["completed", "failed", "completed"]
    listed = cli("list", "--json", "--emulator").json()["data"]
    assert len(listed) == 3  # the re-run created nothing new


def test_without_a_manifest_option_one_is_kept_beside_the_prompts(cli: Run, tmp_path: Path) -> None:
    prompts = write_prompts(tmp_path / "prompts.txt")
    cli("batch", str(prompts), "--emulator")
    again = cli("batch", str(prompts), "--emulator")
    assert (tmp_path / "prompts.manifest.jsonl").is_file()
    assert len(cli("list", "--json", "--emulator").json()["data"]) == 3
    assert "manifest " + str(tmp_path / "prompts.manifest.jsonl") in again.err


def test_an_empty_prompts_file_is_a_usage_error(cli: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n", encoding="utf-8")
    done = cli("batch", str(empty), "--emulator")
    assert done.code == 2
    assert "no prompts" in done.err


def test_only_newlines_end_a_prompt(cli: Run, tmp_path: Path) -> None:
    prompts = tmp_path / "prompts.txt"
    text = "a cat\u2028on a mat\r\na dog\x85in fog\nan owl\x0cat night\ra fox\n"
    prompts.write_text(text, encoding="utf-8", newline="")
    expected = ["a cat\u2028on a mat", "a dog\x85in fog", "an owl\x0cat night\ra fox"]
    assert read_prompts(prompts) == expected
    done = cli("batch", str(prompts), "--json", "--emulator")
    assert [record["prompt"] for record in done.json()] == expected
    assert len(cli("list", "--json", "--emulator").json()["data"]) == 3


def test_still_running_reads_the_manifest_leniently(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    lines = [
        {"id": "video_a", "status": "created"},
        {"id": "video_b", "status": "created"},
        {"id": "video_b", "status": "completed"},
        {"id": None, "status": "error"},
        ["not", "a", "record"],
    ]
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"id": "vid')
    assert still_running(manifest) == ["video_a"]
    assert still_running(tmp_path / "missing.jsonl") == []


def job_count(home: Path) -> int:
    """How many jobs the emulator's state holds (read beside the running command)."""
    db = home / "cache" / "sora-videos" / "emulator.sqlite3"
    try:
        with sqlite3.connect(db) as conn:
            found: int = conn.execute("select count(*) from jobs").fetchone()[0]
            return found
    except sqlite3.Error:  # not created yet
        return 0


def wait_for_jobs(home: Path, count: int) -> None:
    """Until the emulator's state holds ``count`` jobs."""
    deadline = time.monotonic() + 60
    while job_count(home) < count:
        assert time.monotonic() < deadline, "the jobs were never created"
        time.sleep(0.1)


@pytest.mark.slow  # the command line in a subprocess, on a real terminal (a pty)
@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
)
def test_an_interrupted_batch_stops_at_once_and_says_how_to_carry_on(
    tmp_path: Path, signum: int, code: int, said: str
) -> None:
    (tmp_path / "prompts.txt").write_text("a cat\nan owl\na fox\n", encoding="utf-8")
    args = ("batch", "prompts.txt", "--seconds", "12", "--output-dir", "out", "--emulator")
    env = user_env(tmp_path / "cache")
    run = Terminal(sora_argv(*args), cwd=tmp_path, env=env)
    run.read_until("3 jobs")
    wait_for_jobs(tmp_path, 3)  # every job is created and rendering (for ~8 s)
    stopped = time.monotonic()
    run.signal(signum)
    assert run.finish(timeout=20) == code
    assert time.monotonic() - stopped < 4  # the jobs had ~7 s to go
    assert f"error: {said}" in run.output
    assert "carry on from the manifest out/manifest.jsonl (nothing is paid twice)" in run.output
    assert (
        "(nothing is paid twice) with: sora-videos batch prompts.txt --seconds 12 --output-dir out --emulator"
        in run.output
    )
    assert not list((tmp_path / "out").glob(".*.part"))

    again = Terminal(sora_argv(*args, "--json"), cwd=tmp_path, env=env)
    assert again.finish(timeout=60) == 0, again.output
    assert len(list((tmp_path / "out").glob("*.mp4"))) == 3
    assert job_count(tmp_path) == 3  # carrying on paid for nothing twice


def test_ctrl_c_in_process_names_the_jobs_of_the_manifest(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = write_prompts(tmp_path / "prompts.txt")
    manifest = tmp_path / "prompts.manifest.jsonl"
    manifest.write_text(json.dumps({"id": "video_running", "status": "created"}) + "\n")

    async def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sora_videos.AsyncVideos, "batch", interrupted)
    done = cli("batch", str(prompts), "--emulator")
    assert done.code == 130
    assert "error: interrupted" in done.err
    assert "jobs still running on the server: video_running" in done.err
    assert f"(nothing is paid twice) with: sora-videos batch {prompts} --emulator" in done.err


def test_sigterm_in_process_cancels_the_jobs_and_exits_143(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = write_prompts(tmp_path / "prompts.txt")
    cancelled: list[bool] = []

    async def terminated(*_: object, **__: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        try:
            await anyio.sleep(30)
        except anyio.get_cancelled_exc_class():
            cancelled.append(True)
            raise

    monkeypatch.setattr(sora_videos.AsyncVideos, "batch", terminated)
    started = time.monotonic()
    done = cli("batch", str(prompts), "--emulator")
    assert time.monotonic() - started < 10
    assert done.code == 143
    assert cancelled == [True]
    assert "error: terminated" in done.err


def test_a_damaged_manifest_line_is_a_one_line_warning(cli: Run, tmp_path: Path) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a cat\n", encoding="utf-8")
    manifest = tmp_path / "runs.jsonl"
    manifest.write_text("{not json\n", encoding="utf-8")
    done = cli(
        "batch", str(prompts), "--manifest", str(manifest), "--max-pending", "1", "--emulator"
    )
    assert done.code == 0
    warning = [line for line in done.err.splitlines() if "warning:" in line]
    assert len(warning) == 1
    assert "runs.jsonl, line 1: not valid JSON" in warning[0]
    assert "Traceback" not in done.err
