"""``run_server``: the emulator as a long-running HTTP server, for the command line."""

from __future__ import annotations

import os

from ._clock import RealClock
from ._dialects import dialect_named
from ._emulator import Emulator
from ._server import uvicorn_module

__all__ = ["run_server"]


def run_server(
    host: str = "127.0.0.1",
    port: int = 8089,
    *,
    db_path: str | os.PathLike[str] | None = None,
    speed: float = 1.0,
    log_level: str = "info",
    dialect: str = "openai",
) -> None:
    """Serve an emulator over HTTP until interrupted (Ctrl-C).

    Args:
        host: The address to listen on.
        port: The port to listen on.
        db_path: Keep jobs in this SQLite file, shared with other processes and restarts.
        speed: How many times faster than the default timings jobs complete.
        log_level: uvicorn's log level.
        dialect: Answer as this server does (see ``Emulator``).

    Raises:
        ImportError: If uvicorn is not installed (``pip install 'sora-videos[server]'``).
        ValueError: If ``dialect`` is unknown.
    """
    uvicorn = uvicorn_module()
    name = dialect_named(dialect).name
    with Emulator(clock=RealClock(speed), db_path=db_path, dialect=name) as emulator:
        uvicorn.run(emulator.app, host=host, port=port, http="h11", log_level=log_level)
