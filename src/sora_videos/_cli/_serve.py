"""``sora-videos emulator``: the local emulator as an HTTP server, for people and other tools."""

from __future__ import annotations

from argparse import Namespace

from ._listen import check_port
from ._output import Output

__all__ = ["serve"]

MISSING_UVICORN = "the emulator's server needs uvicorn: pip install 'sora-videos[server]'"


def serve(out: Output, args: Namespace) -> None:
    """Serve the emulator until Ctrl-C.

    Raises:
        ImportError: uvicorn is not installed.
        CommandError: The port is taken.
    """
    try:
        import uvicorn  # noqa: F401  # pyright: ignore[reportUnusedImport]
    except ImportError as error:
        raise ImportError(MISSING_UVICORN) from error
    from ..emulator import run_server

    host, port = str(args.host), int(args.port)
    shown = f"[{host}]" if ":" in host else host
    dialect = str(getattr(args, "dialect", "openai"))
    root = "/openai/v1" if dialect == "azure" else "/v1"
    base_url = f"http://{shown}:{port}{root}"
    db_path = None if args.db is None else str(args.db)
    where = "in memory" if db_path is None else f"in {db_path}"
    check_port(host, port)  # before saying where it serves
    out.server(
        {"base_url": base_url, "db_path": db_path, "speed": args.speed, "dialect": dialect},
        f"Emulator at {base_url} ({dialect} dialect, jobs {where}, speed x{args.speed:g}); "
        f"any API key works. Try: OPENAI_API_KEY=any sora-videos list --base-url {base_url}",
    )
    run_server(host, port, db_path=db_path, speed=float(args.speed), dialect=dialect)
