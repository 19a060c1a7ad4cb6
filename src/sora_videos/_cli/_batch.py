"""``sora-videos batch PROMPTS_FILE``: many jobs at once, one progress line per job."""

from __future__ import annotations

import json
import sys
import warnings
from argparse import Namespace
from collections.abc import Callable
from pathlib import Path

from rich.table import Table
from rich.text import Text

from .._batch import BatchJob, BatchResult
from .._client import Sora
from .._exceptions import SoraError
from .._manifest import ManifestWarning
from ._output import Output

__all__ = ["batch", "read_prompts"]

STYLES = {"completed": "green", "failed": "red", "timed_out": "yellow", "error": "red"}


def read_prompts(path: Path) -> list[str]:
    """One prompt per non-empty line; lines starting with ``#`` are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    prompts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not prompts:
        raise ValueError(f"no prompts in {path}: write one prompt per line")
    return prompts


def _line(result: BatchResult) -> Text:
    text = Text(f"{result.status:<9} ", style=STYLES[result.status])
    text.append(f"{result.video_id or '-':<40} {result.job.prompt[:60]}")
    if result.path is not None:
        text.append(f" -> {result.path}", style="dim")
    elif result.error is not None:
        text.append(f" ({result.error})", style="dim")
    return text


def _table(results: list[BatchResult]) -> Table:
    table = Table("status", "id", "prompt", "file or error", box=None, header_style="bold")
    for result in results:
        detail = str(result.path or result.error or "")
        status = Text(result.status, style=STYLES[result.status])
        cells = (result.video_id or "-", result.job.prompt, detail)
        table.add_row(status, *(Text(cell) for cell in cells))  # Text: "[fail]" is no markup
    return table


def _one_line(out: Output) -> Callable[..., None]:
    """Shows a warning (a damaged manifest line) as one line, not with its source."""

    def show(message: Warning | str, *_: object) -> None:
        out.notice(f"warning: {message}")

    return show


def batch(client: Sora, out: Output, args: Namespace) -> None:
    """Run every prompt of the file; exit non-zero unless every job completed."""
    prompts = read_prompts(Path(args.prompts_file))
    jobs = [BatchJob(p, model=args.model, seconds=args.seconds, size=args.size) for p in prompts]
    output_dir = Path(args.output_dir) if args.output_dir else None
    manifest = args.manifest or (output_dir / "manifest.jsonl" if output_dir else None)
    out.notice(f"{len(jobs)} jobs, {args.max_pending} on the server at a time")
    with warnings.catch_warnings():
        warnings.simplefilter("always", ManifestWarning)
        warnings.showwarning = _one_line(out)
        results = client.videos.batch(
            jobs,
            concurrency=args.concurrency,
            max_pending=args.max_pending,
            output_dir=output_dir,
            manifest=manifest,
            max_wait=args.max_wait,
            on_result=lambda result: out.stderr.print(_line(result), soft_wrap=True),
        )
    if out.json_mode:
        sys.stdout.write(json.dumps([r.to_record() for r in results], indent=2) + "\n")
    else:
        out.stdout.print(_table(results))
    unfinished = sum(result.status != "completed" for result in results)
    if unfinished:
        raise SoraError(f"{unfinished} of {len(results)} jobs did not complete (see above)")
