"""Which server the command line talks to: ``--base-url``, the environment, or the emulator."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .._azure import AzureSora
from .._client import Sora
from .._config import SERVER_ENV
from ..servers import ServerProfile, resolve_server
from ._errors import UsageError
from ._parser import EMULATOR_DIALECTS

__all__ = ["EMULATOR_ENV", "EMULATOR_PHASES", "emulator_db_path", "open_client", "wants_emulator"]

EMULATOR_ENV = "SORA_VIDEOS_EMULATOR"
EMULATOR_PHASES = (0.5, 2.5)
"""Seconds a job stays queued, then renders (for 4 s of video): a job is done in ~3 s."""


def emulator_db_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The SQLite file that keeps the emulator's jobs between commands (the user's cache)."""
    cache = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "sora-videos" / "emulator.sqlite3"


def wants_emulator(
    flag: bool, base_url: str | None, environ: Mapping[str, str] = os.environ
) -> bool:
    """Whether to use the local emulator: ``--emulator``, or ``SORA_VIDEOS_EMULATOR=1``
    unless ``--base-url`` names a server.

    Raises:
        UsageError: Both ``--emulator`` and ``--base-url`` were given.
    """
    if flag and base_url is not None:
        raise UsageError("--emulator and --base-url exclude each other: choose one server")
    return flag or (base_url is None and environ.get(EMULATOR_ENV, "") not in ("", "0"))


@contextmanager
def open_client(
    *,
    emulator: bool,
    base_url: str | None,
    notice: Callable[[str], None],
    server: str | None = None,
    azure_endpoint: str | None = None,
) -> Generator[Sora, None, None]:
    """A client of the chosen server, closed when the block ends.

    Args:
        emulator: Use the local emulator (in this process, state in the user's cache).
        base_url: The server's URL; ``OPENAI_BASE_URL`` or the default when ``None``.
        notice: Where to say that the emulator is in use.
        server: The kind of server (``--server``); ``SORA_VIDEOS_SERVER`` when ``None``.
        azure_endpoint: Azure's resource URL (``--azure-endpoint``): an ``AzureSora``.

    Raises:
        SoraError: No API key (outside the emulator), or no Azure endpoint.
        UnknownServerError: ``server`` names no preset.
    """
    profile = resolve_server(server or os.environ.get(SERVER_ENV) or None)
    if not emulator:
        with _client(base_url, profile, azure_endpoint) as client:
            yield client
        return
    from ..emulator import Emulator, Timing

    db_path = emulator_db_path()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    notice(f"Using the local emulator (no network, no API key needed); state in {db_path}")
    queued, rendering = EMULATOR_PHASES
    timing = Timing(queued=queued, rendering=rendering)
    dialect = profile.name if profile.name in EMULATOR_DIALECTS else "openai"
    with (
        Emulator(db_path=db_path, timing=timing, dialect=dialect) as emu,  # type: ignore[arg-type]
        emu.client(server=profile) as client,
    ):
        yield client


def _client(base_url: str | None, profile: ServerProfile, azure_endpoint: str | None) -> Sora:
    if azure_endpoint is None and profile.name != "azure":
        return Sora(base_url=base_url, server=profile)
    return AzureSora(azure_endpoint=azure_endpoint, base_url=base_url)
