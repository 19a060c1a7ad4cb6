"""Whether the emulator's server can listen where asked, checked before saying it does."""

from __future__ import annotations

import errno
import socket

from ._errors import CommandError

__all__ = ["check_port"]


def check_port(host: str, port: int) -> None:
    """Bind ``(host, port)`` for a moment, as the server will.

    Raises:
        CommandError: The port is taken, or the address cannot be used here.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise CommandError(f"cannot listen on {host}: {error.strerror}") from error
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            sock.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                message = f"port {port} on {host} is in use: choose another with --port"
            else:
                message = f"cannot listen on {host} port {port}: {error.strerror}"
            raise CommandError(message) from error
