"""Runs one command line: parse, pick the server, run the command, turn failures into one line."""

from __future__ import annotations

import signal
import warnings
from argparse import Namespace
from collections.abc import Callable, Generator, Sequence
from contextlib import contextmanager
from types import FrameType

from .._client import Sora
from ._batch import batch
from ._connect import Server
from ._errors import Resumable, Terminated, describe
from ._output import Output
from ._parser import build_parser
from ._serve import serve

__all__ = ["run"]

Command = Callable[[Sora, Output, Namespace], None]


def run(argv: Sequence[str]) -> int:
    """Run ``sora-videos`` with these arguments and return the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed
        return done.code if isinstance(done.code, int) else 1
    args.argv = list(argv)  # the command as typed, to show how to run it again
    out = Output(json_mode=getattr(args, "json", False))
    try:
        with _sigterm_stops(), _warnings_as_notices(out):
            _dispatch(args, out)
    except Resumable as stopped:
        status = _report(out, stopped.cause)
        out.notice(stopped.hint)
        return status
    except (Exception, KeyboardInterrupt) as error:
        return _report(out, error)
    return 0


def _report(out: Output, error: BaseException) -> int:
    described = describe(error)
    if described is None:
        raise error
    message, status = described
    out.error(message)
    return status


def _dispatch(args: Namespace, out: Output) -> None:
    if getattr(args, "serve", False):
        serve(out, args)
        return
    server = Server.choose(
        getattr(args, "emulator", False),
        getattr(args, "base_url", None),
        kind=getattr(args, "server", None),
        azure_endpoint=getattr(args, "azure_endpoint", None),
    )
    if getattr(args, "batch", False):
        batch(server, out, args)
        return
    command: Command = args.command
    with server.client(out.notice) as client:
        command(client, out, args)


@contextmanager
def _sigterm_stops() -> Generator[None, None, None]:
    """While the block runs, SIGTERM stops the command as Ctrl-C does: files cleaned up."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _warnings_as_notices(out: Output) -> Generator[None, None, None]:
    def show_warning(message: Warning | str, *_: object, **__: object) -> None:
        out.notice(f"warning: {message}")

    with warnings.catch_warnings():
        warnings.showwarning = show_warning  # one line, not Python's file:line report
        yield
