"""Every ```python block of README.md and docs/ runs, against the emulator, so no page drifts
from the code.

The blocks of a page run in order in one namespace (a page may build on its earlier blocks),
in a folder of their own, with ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` pointing at an
emulator served over HTTP: ``Sora()`` as written talks to it. Top-level ``await`` works, as
in a notebook. A block that needs a real server is marked, on the line before its fence, with
``<!-- docs-test: skip (needs a real server) -->``; it is reported as skipped, and the page
says so to its readers.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any

import anyio
import pytest

from sora_videos.emulator import Emulator, RealClock

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SKIP = re.compile(r"<!--\s*docs-test:\s*skip\s*\((?P<reason>[^)]*)\)\s*-->")


@dataclass(frozen=True)
class Block:
    """One ```python block: where it is, its code, and why it is skipped (if it is)."""

    page: Path
    line: int
    code: str
    skip: str | None

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def python_blocks(page: Path) -> list[Block]:
    """The ```python blocks of a Markdown page, in order."""
    blocks: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```python":
            end = lines.index("```", index + 1)
            before = next((line for line in reversed(lines[:index]) if line.strip()), "")
            marked = SKIP.search(before)
            code = "\n".join(lines[index + 1 : end]) + "\n"
            blocks.append(Block(page, index + 1, code, marked["reason"] if marked else None))
            index = end
        index += 1
    return blocks


BLOCKS = [block for page in PAGES for block in python_blocks(page)]


@dataclass
class PageRun:
    """The namespace a page's blocks share, and how many of them have run."""

    folder: Path
    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__docs__"})
    done: int = 0


@pytest.fixture(scope="module")
def served() -> Generator[str, None, None]:
    """An emulator over HTTP, fast enough for a page's jobs to complete in a moment."""
    with Emulator(clock=RealClock(speed=50)) as emu, emu.serve() as base_url:
        yield base_url


@pytest.fixture(scope="module")
def page_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, PageRun]:
    return {page: PageRun(tmp_path_factory.mktemp(page.stem)) for page in PAGES}


def run_block(block: Block, namespace: dict[str, Any]) -> None:
    """Execute a block; one with top-level ``await`` runs in an event loop."""
    code: CodeType = compile(
        block.code, block.name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    result = eval(code, namespace)  # a coroutine when the block awaits
    if result is not None:

        async def finish() -> None:
            await result

        anyio.run(finish)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.name)
def test_block_runs(
    block: Block,
    served: str,
    page_runs: dict[Path, PageRun],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if block.skip is not None:
        pytest.skip(f"marked in the page: {block.skip}")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-docs")
    monkeypatch.setenv("OPENAI_BASE_URL", served)
    monkeypatch.delenv("SORA_VIDEOS_LOG", raising=False)
    run = page_runs[block.page]
    monkeypatch.chdir(run.folder)
    page_blocks = [b for b in BLOCKS if b.page == block.page and b.skip is None]
    for earlier in page_blocks[run.done : page_blocks.index(block) + 1]:
        run.done += 1
        run_block(earlier, run.namespace)


def test_the_pages_have_python_blocks_to_run() -> None:
    pages = {block.page.name for block in BLOCKS}
    assert {"README.md", "batch.md", "emulator.md", "index.md"} <= pages


def test_the_skip_marker_is_read(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    fence = "```"
    page.write_text(
        f"text\n\n{fence}python\nprint(1)\n{fence}\n\n"
        f"<!-- docs-test: skip (needs a real server) -->\n{fence}python\nprint(2)\n{fence}\n"
    )
    first, second = python_blocks(page)
    assert (first.line, first.code, first.skip) == (3, "print(1)\n", None)
    assert (second.line, second.code, second.skip) == (8, "print(2)\n", "needs a real server")
