"""The examples run as a user runs them (on the built-in emulator, with no key set)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.slow  # each example in a subprocess
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_example_runs_twice_in_a_row(example: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SORA_VIDEOS_"))}
    for run in ("first", "second"):
        done = subprocess.run(
            [sys.executable, str(example)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{run} run: {done.stderr}"
        assert done.stderr == "", f"{run} run: {done.stderr}"
        assert done.stdout.strip()
        errors = [line for line in done.stdout.splitlines() if line.startswith("error")]
        assert errors == [], f"{run} run: {errors}"
    for mp4 in tmp_path.rglob("*.mp4"):
        assert mp4.read_bytes()[4:8] == b"ftyp"


def test_there_is_an_example_for_each_main_job() -> None:
    names = {path.stem for path in EXAMPLES}
    assert {"sync_create", "async_create", "pagination", "polling", "download", "batch"} <= names
