"""Fixtures of the reliability tests: a fresh hostile server per test, sync or async."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .hostile import HostileServer


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    """A hostile HTTP server on ``127.0.0.1`` (see ``hostile.py``), stopped after the test.

    It runs in threads, so sync tests and async tests (asyncio or trio) use it alike.
    """
    with HostileServer(lifetime=30.0) as server:
        yield server
