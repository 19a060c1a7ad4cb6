"""Serving the emulator over real HTTP with uvicorn (the optional ``server`` extra)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Generator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._asgi import AsgiApp

__all__ = ["serve_in_thread", "uvicorn_module"]


def uvicorn_module() -> ModuleType:
    """Import uvicorn.

    Raises:
        ImportError: With the command that installs it, if it is missing.
    """
    try:
        import uvicorn
    except ImportError as error:  # pragma: no cover - uvicorn is installed for the tests
        message = "serving the emulator over HTTP needs uvicorn: pip install 'sora-videos[server]'"
        raise ImportError(message) from error
    return uvicorn


@contextmanager
def serve_in_thread(app: AsgiApp, host: str, port: int) -> Generator[str, None, None]:
    """Run ``app`` with uvicorn in a background thread while the block runs.

    Args:
        app: The ASGI application.
        host: The address to listen on.
        port: The port, or 0 for a free one.

    Yields:
        The server's origin, e.g. ``http://127.0.0.1:54321``.

    Raises:
        RuntimeError: If the server does not start within 10 seconds.
    """
    uvicorn = uvicorn_module()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(app, http="h11", lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator's HTTP server did not start")
            time.sleep(0.01)
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        yield f"http://{shown}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
