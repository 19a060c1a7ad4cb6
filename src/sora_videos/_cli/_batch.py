"""``sora-videos batch PROMPTS_FILE``: many jobs at once, one line per job as it settles.

The jobs run as tasks of the async client, so Ctrl-C or SIGTERM cancels them all at once
(their partial files removed); the manifest keeps what was created, and the command says how
to carry on.
"""

from __future__ import annotations

import json
import shlex
import signal
import sys
from argparse import Namespace
from asyncio import CancelledError
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import cast

import anyio
from rich.text import Text

from .._batch import BatchJob, BatchResult
from .._exceptions import VideoFailedError
from ._connect import Server
from ._errors import CommandError, Resumable, Terminated, failure_reason
from ._output import Output
from ._safe import safe

__all__ = ["batch", "manifest_path", "read_prompts", "still_running"]

STYLES = {"completed": "green", "failed": "red", "timed_out": "yellow", "error": "red"}
SETTLED = ("completed", "failed")


def read_prompts(path: Path) -> list[str]:
    """One prompt per line, where only ``\\n`` or ``\\r\\n`` end a line (other separators
    such as U+2028 or a form feed stay inside the prompt); blank lines and lines starting
    with ``#`` are skipped.

    Raises:
        ValueError: The file holds no prompt.
    """
    lines = path.read_bytes().decode("utf-8").split("\n")  # read_text would split on "\r"
    prompts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not prompts:
        raise ValueError(f"no prompts in {path}: write one prompt per line")
    return prompts


def manifest_path(args: Namespace) -> Path:
    """``--manifest``, else ``DIR/manifest.jsonl`` with ``--output-dir``, else the prompts
    file's name with ``.manifest.jsonl``: a batch always records what it created."""
    if args.manifest:
        return Path(args.manifest)
    if args.output_dir:
        return Path(args.output_dir) / "manifest.jsonl"
    prompts = Path(args.prompts_file)
    return prompts.with_name(f"{prompts.stem}.manifest.jsonl")


def still_running(manifest: Path) -> list[str]:
    """The ids the manifest records as created but not settled (its last line per job wins)."""
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    status: dict[str, object] = {}
    for line in lines:
        try:
            record: object = json.loads(line)
        except ValueError:
            continue  # a line cut short by the interruption itself
        if isinstance(record, dict):
            fields = cast("dict[str, object]", record)
            if fields.get("id"):
                status[str(fields["id"])] = fields.get("status")
    return [video_id for video_id, said in status.items() if said not in SETTLED]


def _line(result: BatchResult) -> Text:
    text = Text(f"{result.status:<9} ", style=STYLES[result.status])
    text.append(safe(f"{result.video_id or '-':<40} {result.job.prompt[:60]}"))
    if result.path is not None:
        text.append(safe(f" -> {result.path}"), style="dim")
    elif result.error is not None:
        error = result.error
        reason = failure_reason(error) if isinstance(error, VideoFailedError) else str(error)
        text.append(safe(f" ({reason})"), style="dim")
    return text


def batch(server: Server, out: Output, args: Namespace) -> None:
    """Run every prompt of the file; exit non-zero unless every job completed.

    Raises:
        Resumable: Ctrl-C or SIGTERM; says which jobs go on and how to carry on.
        CommandError: Some jobs did not complete.
    """
    prompts = read_prompts(Path(args.prompts_file))
    jobs = [BatchJob(p, model=args.model, seconds=args.seconds, size=args.size) for p in prompts]
    manifest = manifest_path(args)
    out.notice(f"{len(jobs)} jobs, {args.max_pending} on the server at a time; manifest {manifest}")
    terminated: list[bool] = []
    try:
        with _sigterm_as_ctrl_c(terminated):
            results = anyio.run(_run, server, out, args, jobs, manifest)
    except (KeyboardInterrupt, CancelledError) as stopped:  # 3.10: the loop's CancelledError
        cause = Terminated() if terminated else KeyboardInterrupt()
        raise Resumable(cause, _carry_on(args, manifest)) from stopped
    if out.json_mode:
        sys.stdout.write(json.dumps([r.to_record() for r in results], indent=2) + "\n")
    unfinished = sum(result.status != "completed" for result in results)
    if unfinished:
        raise CommandError(f"{unfinished} of {len(results)} jobs did not complete (see above)")
    out.notice(f"all {len(results)} jobs completed")


async def _run(
    server: Server, out: Output, args: Namespace, jobs: list[BatchJob], manifest: Path
) -> list[BatchResult]:
    console = out.stderr if out.json_mode else out.stdout  # results go to stdout once
    async with server.async_client(out.notice) as client:
        return await client.videos.batch(
            jobs,
            concurrency=args.concurrency,
            max_pending=args.max_pending,
            output_dir=args.output_dir,
            manifest=manifest,
            max_wait=args.max_wait,
            on_result=lambda result: console.print(_line(result), soft_wrap=True),
        )


@contextmanager
def _sigterm_as_ctrl_c(terminated: list[bool]) -> Generator[None, None, None]:
    """While the block runs, SIGTERM does what Ctrl-C does: the event loop cancels every job
    (their partial files removed), then ``KeyboardInterrupt``; ``terminated`` says which."""

    def stop(signum: int, frame: FrameType | None) -> None:
        terminated.append(True)
        if not callable(signal.getsignal(signal.SIGINT)):
            raise Terminated  # Ctrl-C is ignored here (a background job): stop all the same
        signal.raise_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _carry_on(args: Namespace, manifest: Path) -> str:
    running = still_running(manifest)
    again = shlex.join(["sora-videos", *args.argv])
    jobs = f"jobs still running on the server: {', '.join(running)}\n" if running else ""
    return f"{jobs}carry on from the manifest {manifest} (nothing is paid twice) with: {again}"
