"""Runs one command line: parse, pick the server, run the command, turn failures into one line."""

from __future__ import annotations

import warnings
from argparse import Namespace
from collections.abc import Callable, Sequence

from .._client import Sora
from ._connect import open_client, wants_emulator
from ._errors import EXIT_INTERRUPTED, describe
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
    out = Output(json_mode=getattr(args, "json", False))
    try:
        _dispatch(args, out)
    except KeyboardInterrupt:
        out.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:
        described = describe(error)
        if described is None:
            raise
        message, status = described
        out.error(message)
        return status
    return 0


def _dispatch(args: Namespace, out: Output) -> None:
    if getattr(args, "serve", False):
        serve(out, args)
        return
    base_url: str | None = getattr(args, "base_url", None)
    emulator = wants_emulator(getattr(args, "emulator", False), base_url)
    command: Command = args.command

    def show_warning(message: Warning | str, *_: object, **__: object) -> None:
        out.notice(f"warning: {message}")

    with warnings.catch_warnings():
        warnings.showwarning = show_warning  # one line, not Python's file:line report
        server, azure = getattr(args, "server", None), getattr(args, "azure_endpoint", None)
        with open_client(
            emulator=emulator,
            base_url=base_url,
            notice=out.notice,
            server=server,
            azure_endpoint=azure,
        ) as client:
            command(client, out, args)
