"""A local emulator of the Videos API (Sora), for tests and offline development.

Use it in-process (``Emulator().client()``, ``.transport()``), as an ASGI app (``.app``) or as a
real HTTP server (``with emulator.serve() as base_url:``). See ``docs/emulator.md``.
"""

from __future__ import annotations

from ._clock import Clock, ManualClock, RealClock
from ._dialects import DIALECTS, Dialect, DialectName
from ._emulator import BASE_URL, ClientOptions, Emulator
from ._exchange import Exchange, RequestLog, RequestRecord
from ._faults import Fault, FaultRule, Faults
from ._http import Body, Disconnect, Padding, Request, Response
from ._jobs import CharacterJSON, Timing, VideoJSON
from ._limits import RateLimit
from ._run import run_server
from ._transport import AsyncEmulatorTransport, EmulatorTransport

__all__ = [
    "AsyncEmulatorTransport",
    "BASE_URL",
    "Body",
    "CharacterJSON",
    "ClientOptions",
    "Clock",
    "DIALECTS",
    "Dialect",
    "DialectName",
    "Disconnect",
    "Emulator",
    "EmulatorTransport",
    "Exchange",
    "Fault",
    "FaultRule",
    "Faults",
    "ManualClock",
    "Padding",
    "RateLimit",
    "RealClock",
    "Request",
    "RequestLog",
    "RequestRecord",
    "Response",
    "Timing",
    "VideoJSON",
    "run_server",
]
