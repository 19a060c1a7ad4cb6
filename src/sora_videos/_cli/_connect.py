"""Which server the command line talks to: ``--base-url``, the environment, or the emulator."""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._client import AsyncSora, Sora
from ._errors import CommandError, UsageError

if TYPE_CHECKING:
    from ..emulator import Emulator

__all__ = ["EMULATOR_ENV", "EMULATOR_PHASES", "NO_KEY", "Server", "emulator_db_path"]

EMULATOR_ENV = "SORA_VIDEOS_EMULATOR"
EMULATOR_PHASES = (0.5, 2.5)
"""Seconds a job stays queued, then renders (for 4 s of video): a job is done in ~3 s."""
NO_KEY = "no API key: set OPENAI_API_KEY, or use --emulator to try it locally"


def emulator_db_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The SQLite file that keeps the emulator's jobs between commands (the user's cache)."""
    cache = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "sora-videos" / "emulator.sqlite3"


@dataclass(frozen=True)
class Server:
    """The server a command talks to, and how to name it again in a command to run later.

    Attributes:
        emulator: The local emulator, in this process (state in the user's cache).
        base_url: The server's URL; ``OPENAI_BASE_URL`` or the default when ``None``.
    """

    emulator: bool
    base_url: str | None

    @classmethod
    def choose(
        cls, flag: bool, base_url: str | None, environ: Mapping[str, str] = os.environ
    ) -> Server:
        """``--emulator``, or ``SORA_VIDEOS_EMULATOR=1`` unless ``--base-url`` names a server.

        Raises:
            UsageError: Both ``--emulator`` and ``--base-url`` were given.
        """
        if flag and base_url is not None:
            raise UsageError("--emulator and --base-url exclude each other: choose one server")
        wanted = flag or (base_url is None and environ.get(EMULATOR_ENV, "") not in ("", "0"))
        return cls(emulator=wanted, base_url=base_url)

    def options(self) -> list[str]:
        """The command-line options that choose this server again."""
        if self.emulator:
            return ["--emulator"]
        return [] if self.base_url is None else ["--base-url", self.base_url]

    @contextmanager
    def client(self, notice: Callable[[str], None]) -> Generator[Sora, None, None]:
        """A client of this server, closed when the block ends.

        Raises:
            CommandError: No API key (outside the emulator).
        """
        if not self.emulator:
            _check_key()
            with Sora(base_url=self.base_url) as client:
                yield client
            return
        with _emulator(notice) as emu, emu.client() as client:
            yield client

    @asynccontextmanager
    async def async_client(self, notice: Callable[[str], None]) -> AsyncGenerator[AsyncSora, None]:
        """An async client of this server, closed when the block ends.

        Raises:
            CommandError: No API key (outside the emulator).
        """
        if not self.emulator:
            _check_key()
            async with AsyncSora(base_url=self.base_url) as client:
                yield client
            return
        with _emulator(notice) as emu:
            async with emu.async_client() as client:
                yield client


def _check_key(environ: Mapping[str, str] = os.environ) -> None:
    if not environ.get("OPENAI_API_KEY", "").strip():
        raise CommandError(NO_KEY)


@contextmanager
def _emulator(notice: Callable[[str], None]) -> Generator[Emulator, None, None]:
    from ..emulator import Emulator, Timing

    db_path = emulator_db_path()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if _first_time_this_session(db_path.parent / "notice-session"):
        notice(f"Using the local emulator (no network, no API key needed); state in {db_path}")
    queued, rendering = EMULATOR_PHASES
    with Emulator(db_path=db_path, timing=Timing(queued=queued, rendering=rendering)) as emu:
        yield emu


def _first_time_this_session(marker: Path) -> bool:
    """True once per terminal session (the shell's session id), recorded in ``marker``."""
    session = str(os.getsid(0))
    try:
        if marker.read_text(encoding="ascii") == session:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    with suppress(OSError):  # a read-only cache: say it every time rather than fail
        marker.write_text(session, encoding="ascii")
    return True
