"""A paid job is never wasted: the output path is checked before a job is created, and any
failure (or Ctrl-C) once a job exists says which command gets it."""

from __future__ import annotations

from pathlib import Path

import pytest

import sora_videos
from sora_videos import APIConnectionError
from sora_videos.emulator import Emulator, RealClock

from .conftest import Run, free_port


def jobs(cli: Run) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = cli("list", "--json", "--emulator").json()["data"]
    return listed


def test_a_file_in_the_way_fails_before_any_job_is_created(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    done = cli("create", "A cat", "--wait", "-o", "afile/cat.mp4", "--emulator")
    assert done.code == 1
    assert "error: Not a folder (a file is in the way): afile" in done.err
    assert ".part" not in done.err
    assert jobs(cli) == []


def test_missing_folders_are_created(cli: Run, tmp_path: Path) -> None:
    done = cli("create", "A cat", "--wait", "-o", "nope/sub/cat.mp4", "--json", "--emulator")
    assert done.code == 0, done.err
    assert (tmp_path / "nope" / "sub" / "cat.mp4").read_bytes()[4:8] == b"ftyp"


@pytest.mark.parametrize("output", ["clips/", "existing"])
def test_a_folder_receives_the_job_s_own_file(cli: Run, tmp_path: Path, output: str) -> None:
    (tmp_path / "existing").mkdir()
    video = cli("create", "A cat", "-o", output, "--json", "--emulator").json()
    expected = Path(output) / f"{video['id']}.mp4"
    assert video["download"]["path"] == str(expected)
    assert (tmp_path / expected).read_bytes()[4:8] == b"ftyp"


def test_download_into_a_new_folder_writes_the_file_inside(cli: Run, tmp_path: Path) -> None:
    video_id = cli("create", "A cat", "--wait", "--json", "--emulator").json()["id"]
    done = cli("download", video_id, "-o", "newdir/", "--json", "--emulator")
    assert done.code == 0, done.err
    assert (tmp_path / "newdir").is_dir()
    assert (tmp_path / "newdir" / f"{video_id}.mp4").read_bytes()[4:8] == b"ftyp"


def test_a_failed_download_after_the_job_says_how_to_download_it(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cut(*_: object, **__: object) -> None:
        raise APIConnectionError("the connection was cut")

    monkeypatch.setattr(sora_videos.Videos, "download_content", cut)
    done = cli("create", "A cat", "-o", "out/cat.mp4", "--emulator")
    assert done.code == 1
    [video] = jobs(cli)
    assert "error: the connection was cut" in done.err
    assert f"download it with: sora-videos download {video['id']} -o out/cat.mp4 --emulator" in (
        done.err
    )


def test_ctrl_c_while_waiting_says_how_to_follow_the_job(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sora_videos.Videos, "poll", interrupted)
    done = cli("create", "A cat", "--wait", "-o", "cat.mp4", "--emulator")
    assert done.code == 130
    [video] = jobs(cli)
    assert "error: interrupted" in done.err
    assert f"follow it with: sora-videos wait {video['id']} -o cat.mp4 --emulator" in done.err


def test_the_no_key_error_is_written_for_the_command_line(sora: Run) -> None:
    done = sora("list")
    assert done.code == 1
    assert done.err.strip() == (
        "error: no API key: set OPENAI_API_KEY, or use --emulator to try it locally"
    )
    blank = sora("list", OPENAI_API_KEY=" \r\n")
    assert "set OPENAI_API_KEY" in blank.err


def test_a_failed_job_names_its_code_once(cli: Run) -> None:
    done = cli("create", "[fail] A cat", "--wait", "--emulator")
    assert done.code == 1
    assert done.err.count("video_generation_failed") == 1


def test_the_emulator_banner_is_one_line_when_not_on_a_terminal(
    cli: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sora_videos.emulator.run_server", lambda *_, **__: None)
    db = tmp_path / ("a-rather-long-folder-name" * 3) / "emulator.sqlite3"
    port = free_port()
    done = cli("emulator", "--port", str(port), "--db", str(db))
    [banner] = [line for line in done.err.splitlines() if "Emulator at" in line]
    assert banner.endswith(f"--base-url http://127.0.0.1:{port}/v1")


def test_a_write_failure_names_the_file_asked_for(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(self: object, path: object, **_: object) -> None:
        raise OSError(28, "No space left on device", "out/.cat.mp4.x1y2.part")

    monkeypatch.setattr(sora_videos.VideoContent, "write_to_file", disk_full)
    done = cli("create", "A cat", "-o", "out/cat.mp4", "--emulator")
    assert done.code == 1
    assert "error: No space left on device: out/cat.mp4" in done.err
    assert ".part" not in done.err
    assert "download it with: sora-videos download video_" in done.err


def test_a_bug_after_the_job_exists_is_not_hidden(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(sora_videos.Videos, "poll", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        cli("create", "A cat", "--wait", "--emulator")


def test_a_batch_against_a_server_by_url(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "prompts.txt").write_text("a cat\nan owl\n", encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with Emulator(clock=RealClock(speed=20)) as emu, emu.serve() as base_url:
        done = cli("batch", "prompts.txt", "--json", "--base-url", base_url)
        assert done.code == 0, done.err
        assert [record["status"] for record in done.json()] == ["completed", "completed"]
        assert len(emu.jobs) == 2
    monkeypatch.delenv("OPENAI_API_KEY")
    assert "set OPENAI_API_KEY" in cli("batch", "prompts.txt", "--base-url", base_url).err
