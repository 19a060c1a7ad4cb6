"""``sora-videos batch``: one line per job, every job accounted for, a re-run resumes."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run


def write_prompts(path: Path) -> Path:
    path.write_text("a cat\n# a comment\n\na dog [fail]\nan owl\n", encoding="utf-8")
    return path


def test_batch_runs_every_prompt_and_says_which_did_not_complete(cli: Run, tmp_path: Path) -> None:
    prompts = write_prompts(tmp_path / "prompts.txt")
    done = cli("batch", str(prompts), "--concurrency", "2", "--output-dir", "out", "--emulator")
    assert done.code == 1
    assert "1 of 3 jobs did not complete" in done.err
    assert done.err.count("completed ") == 2
    assert "failed" in done.err
    assert "a dog [fail]" in done.out  # the table shows the prompt as written
    assert len(list((tmp_path / "out").glob("*.mp4"))) == 2
    lines = (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(r["status"] for r in records if r["event"] == "settled") == [
        "completed",
        "completed",
        "failed",
    ]


def test_batch_json_and_rerun_reuse_the_same_jobs(cli: Run, tmp_path: Path) -> None:
    prompts = write_prompts(tmp_path / "prompts.txt")
    first = cli("batch", str(prompts), "--output-dir", "out", "--json", "--emulator")
    again = cli("batch", str(prompts), "--output-dir", "out", "--json", "--emulator")
    ids = [[record["id"] for record in run.json()] for run in (first, again)]
    assert ids[0] == ids[1]
    assert [r["status"] for r in again.json()] == ["completed", "failed", "completed"]
    listed = cli("list", "--json", "--emulator").json()["data"]
    assert len(listed) == 3  # the re-run created nothing new


def test_an_empty_prompts_file_is_a_usage_error(cli: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n", encoding="utf-8")
    done = cli("batch", str(empty), "--emulator")
    assert done.code == 2
    assert "no prompts" in done.err


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
