"""``check_port``: the emulator's server says why it cannot listen before it says it does."""

from __future__ import annotations

import socket

import pytest

from sora_videos._cli._errors import CommandError
from sora_videos._cli._listen import check_port

from .conftest import free_port


def test_a_free_port_passes_and_stays_free() -> None:
    port = free_port()
    check_port("127.0.0.1", port)
    check_port("127.0.0.1", port)


def test_a_port_in_use_is_named() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=f"port {port} on 127.0.0.1 is in use"):
            check_port("127.0.0.1", port)


def test_an_address_of_another_machine_cannot_be_listened_on() -> None:
    with pytest.raises(CommandError, match=r"cannot listen on 192\.0\.2\.1 port"):
        check_port("192.0.2.1", free_port())  # TEST-NET-1: never an address of this host


def test_an_unknown_host_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def unknown(*_: object, **__: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)  # no resolver asked
    with pytest.raises(CommandError, match="cannot listen on nowhere: Name or service not"):
        check_port("nowhere", 8089)
