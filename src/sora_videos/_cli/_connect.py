"""Which server the command line talks to: ``--base-url``, the environment, or the emulator."""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._azure import AsyncAzureSora, AzureSora
from .._client import AsyncSora, Sora
from .._config import SERVER_ENV
from ..servers import ServerProfile, resolve_server
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
        emulator: The local emulator, in this process (state in the user's cache); it answers
            as ``kind`` does.
        base_url: The server's URL; ``OPENAI_BASE_URL`` or the default when ``None``.
        kind: The kind of server (``--server``, else ``SORA_VIDEOS_SERVER``), by name.
        azure_endpoint: Azure's resource URL (``--azure-endpoint``): an ``AzureSora``.
    """

    emulator: bool
    base_url: str | None
    kind: str | None = None
    azure_endpoint: str | None = None

    @classmethod
    def choose(
        cls,
        flag: bool,
        base_url: str | None,
        *,
        kind: str | None = None,
        azure_endpoint: str | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> Server:
        """``--emulator``, or ``SORA_VIDEOS_EMULATOR=1`` unless ``--base-url`` names a server.

        Raises:
            UsageError: Both ``--emulator`` and ``--base-url`` were given.
        """
        if flag and base_url is not None:
            raise UsageError("--emulator and --base-url exclude each other: choose one server")
        wanted = flag or (base_url is None and environ.get(EMULATOR_ENV, "") not in ("", "0"))
        return cls(wanted, base_url, kind, azure_endpoint)

    @property
    def profile(self) -> ServerProfile:
        """The server profile (raises ``UnknownServerError`` for a name that is no preset)."""
        if self.azure_endpoint is not None:
            return resolve_server("azure")
        return resolve_server(self.kind or os.environ.get(SERVER_ENV) or None)

    @property
    def azure(self) -> bool:
        """Whether this is Azure OpenAI, reached through ``AzureSora``."""
        return not self.emulator and self.profile.name == "azure"

    def options(self) -> list[str]:
        """The command-line options that choose this server again."""
        chosen = ["--server", self.kind] if self.kind else []
        if self.emulator:
            return ["--emulator", *chosen]
        if self.azure_endpoint is not None:
            chosen += ["--azure-endpoint", self.azure_endpoint]
        return chosen if self.base_url is None else [*chosen, "--base-url", self.base_url]

    @contextmanager
    def client(self, notice: Callable[[str], None]) -> Generator[Sora, None, None]:
        """A client of this server, closed when the block ends.

        Raises:
            CommandError: No API key (outside the emulator).
        """
        if not self.emulator:
            self._check_key()
            if self.azure:
                client: Sora = AzureSora(azure_endpoint=self.azure_endpoint, base_url=self.base_url)
            else:
                client = Sora(base_url=self.base_url, server=self.profile)
            with client:
                yield client
            return
        with _emulator(notice, self.profile) as emu, emu.client(server=self.profile) as client:
            yield client

    @asynccontextmanager
    async def async_client(self, notice: Callable[[str], None]) -> AsyncGenerator[AsyncSora, None]:
        """An async client of this server, closed when the block ends.

        Raises:
            CommandError: No API key (outside the emulator).
        """
        if not self.emulator:
            self._check_key()
            if self.azure:
                client: AsyncSora = AsyncAzureSora(
                    azure_endpoint=self.azure_endpoint, base_url=self.base_url
                )
            else:
                client = AsyncSora(base_url=self.base_url, server=self.profile)
            async with client:
                yield client
            return
        with _emulator(notice, self.profile) as emu:
            async with emu.async_client(server=self.profile) as client:
                yield client

    def _check_key(self, environ: Mapping[str, str] = os.environ) -> None:
        if self.profile.auth == "optional":  # a self-hosted server needs no key by default
            return
        name = "AZURE_OPENAI_API_KEY" if self.azure else "OPENAI_API_KEY"
        if not environ.get(name, "").strip():
            raise CommandError(NO_KEY.replace("OPENAI_API_KEY", name))


@contextmanager
def _emulator(
    notice: Callable[[str], None], profile: ServerProfile
) -> Generator[Emulator, None, None]:
    from ..emulator import Emulator, Timing

    db_path = emulator_db_path()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if _first_time_this_session(db_path.parent / "notice-session"):
        notice(f"Using the local emulator (no network, no API key needed); state in {db_path}")
    queued, rendering = EMULATOR_PHASES
    timing = Timing(queued=queued, rendering=rendering)
    from ..emulator import DIALECTS

    dialect = profile.name if profile.name in DIALECTS else "openai"
    with Emulator(db_path=db_path, timing=timing, dialect=dialect) as emu:  # type: ignore[arg-type]
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
