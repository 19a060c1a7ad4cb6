"""The batch manifest: job identity by content, keys on disk first, damage survived."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sora_videos._manifest import Manifest, ManifestWarning


def jobs(*prompts: str) -> list[dict[str, object]]:
    return [{"prompt": p, "model": None, "seconds": None, "size": None} for p in prompts]


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_keys_are_on_disk_before_plan_returns(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    records = Manifest(path).plan(jobs("a cat", "a dog"))
    written = lines(path)
    assert [w["event"] for w in written] == ["planned", "planned"]
    assert [w["idempotency_key"] for w in written] == [r.key for r in records]
    assert written[0]["prompt"] == "a cat"
    assert records[0].key != records[1].key


def test_a_rerun_finds_each_job_by_content_not_position(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    first = Manifest(path).plan(jobs("a", "b", "c", "d"))
    again = Manifest(path).plan(jobs("new", "a", "b", "c", "d"))  # one prompt added on top
    assert [r.key for r in again[1:]] == [r.key for r in first]
    assert again[0].key not in {r.key for r in first}
    assert len(lines(path)) == 5  # only the new job was planned


def test_identical_prompts_stay_distinct_jobs_across_runs(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    first = Manifest(path).plan(jobs("same", "same"))
    again = Manifest(path).plan(jobs("same", "same", "same"))
    assert [r.key for r in again[:2]] == [r.key for r in first]
    assert again[2].key not in {r.key for r in first}


def test_no_manifest_means_fresh_keys_every_run() -> None:
    first = Manifest(None).plan(jobs("a cat"))
    second = Manifest(None).plan(jobs("a cat"))
    assert first[0].key != second[0].key


def test_a_new_manifest_inherits_nothing_from_another(tmp_path: Path) -> None:
    old = Manifest(tmp_path / "old.jsonl").plan(jobs("a cat"))
    new = Manifest(tmp_path / "new.jsonl").plan(jobs("a cat"))
    assert old[0].key != new[0].key


def test_a_callers_own_key_is_kept(tmp_path: Path) -> None:
    job = {**jobs("a cat")[0], "idempotency_key": "mine-1"}
    path = tmp_path / "m.jsonl"
    assert Manifest(path).plan([job])[0].key == "mine-1"
    again = Manifest(path)
    assert again.plan([job])[0].key == "mine-1"
    assert len(lines(path)) == 1


def test_created_and_settled_states_come_back_on_a_rerun(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    book = Manifest(path)
    a, b = book.plan(jobs("a", "b"))
    book.created(a, "video_a")
    book.created(b, "video_b")
    book.settled(a, status="completed", video_id="video_a", file="out/video_a.mp4", error=None)
    again = Manifest(path).plan(jobs("a", "b"))
    assert (again[0].video_id, again[0].status, again[0].file) == (
        "video_a",
        "completed",
        "out/video_a.mp4",
    )
    assert (again[1].video_id, again[1].status) == ("video_b", None)


def test_a_truncated_last_line_is_normal_and_silent(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    path = tmp_path / "m.jsonl"
    book = Manifest(path)
    (a,) = book.plan(jobs("a"))
    with path.open("a") as file:
        file.write('{"idempotency_key": "' + a.key + '", "event": "crea')  # cut mid-write
    again = Manifest(path).plan(jobs("a"))
    assert again[0].key == a.key
    assert not [w for w in recwarn if issubclass(w.category, ManifestWarning)]


def test_damaged_lines_are_skipped_with_file_and_line_named(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    book = Manifest(path)
    (a,) = book.plan(jobs("a"))
    with path.open("a") as file:
        file.write('[1, 2]\n{not json\n"text"\n{"event": "settled"}\n')
    with pytest.warns(ManifestWarning) as caught:
        book2 = Manifest(path)
    messages = [str(w.message) for w in caught]
    assert messages == [
        f"{path}, line 2: not a JSON object; line skipped",
        f"{path}, line 3: not valid JSON; line skipped",
        f"{path}, line 4: not a JSON object; line skipped",
        f"{path}, line 5: no job key; line skipped",
    ]
    assert book2.plan(jobs("a"))[0].key == a.key


def test_lines_of_the_earlier_format_are_understood(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    old = {
        "prompt": "a",
        "model": None,
        "seconds": None,
        "size": None,
        "idempotency_key": "sora-videos-batch-abc",
        "id": "video_1",
        "status": "completed",
        "file": None,
        "error": None,
    }
    path.write_text(json.dumps(old) + "\n")
    (record,) = Manifest(path).plan(jobs("a"))
    assert (record.key, record.video_id, record.status) == (
        "sora-videos-batch-abc",
        "video_1",
        "completed",
    )
