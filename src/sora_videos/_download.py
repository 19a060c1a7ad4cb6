"""Downloading to a file, as a flow: stream, check, resume with ``Range`` after a cut, rename.

Pure, like every flow: the file work is steps (``CreateTemp``, ``Copy``, ``Truncate``,
``Replace``, ``Remove``) that the drivers in ``_engine.py`` perform.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import httpx

from ._config import ClientConfig
from ._exceptions import IncompleteDownloadError
from ._request import RequestSpec
from ._response import connection_error
from ._retry import RetryBudget
from ._send import send_flow
from ._steps import Copy, CreateTemp, Flow, ProgressCallback, Read, Remove, Replace, Sleep, Truncate
from ._types import RequestOptions

__all__ = ["byte_count", "download_flow", "resume_point"]

_CONTENT_RANGE = re.compile(r"bytes ([0-9]+)-([0-9]+)/([0-9]+|\*)")


def resume_point(response: httpx.Response, offset: int) -> tuple[bool, int | None]:
    """Read a (possibly ranged) answer: whether it continues at ``offset``, and the full size.

    A ``200`` is the whole body from the start (a server that ignores ``Range``); a ``206``
    continues only if its ``Content-Range`` starts exactly at ``offset``.
    """
    if response.status_code != 206:
        return offset == 0, byte_count(response.headers.get("content-length"))
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
    if match is None or int(match.group(1)) != offset:
        return False, None
    return True, byte_count(match.group(3))


def byte_count(value: str | None) -> int | None:
    """A header's count of bytes, or ``None`` unless it is plain ASCII digits (``"²"`` passes
    ``str.isdigit()`` but not ``int()``)."""
    if value is None or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def download_flow(
    config: ClientConfig,
    spec: RequestSpec,
    options: RequestOptions,
    path: str | os.PathLike[str],
    *,
    response: httpx.Response | None = None,
    on_progress: ProgressCallback | None = None,
) -> Flow[Path]:
    """Download into a temporary file beside ``path``, then rename it over ``path``.

    The requests and the resumes after cuts share one retry budget: with ``max_retries=2``
    the download sends at most 3 requests in all.

    Args:
        response: An answer already received (from ``download_content``), used first.

    Raises:
        IncompleteDownloadError: The body stayed short after every resume.
        APIConnectionError: The connection was cut and the size was never announced.
    """
    target = Path(path)
    temp: Path = yield CreateTemp(target)
    try:
        budget = config.retry_policy.budget()
        yield from _fill(config, spec, options, temp, budget, response, on_progress)
        yield Replace(temp, target)
    except Exception:
        yield Remove(temp)
        raise
    return target


def _fill(
    config: ClientConfig,
    spec: RequestSpec,
    options: RequestOptions,
    temp: Path,
    budget: RetryBudget,
    response: httpx.Response | None,
    on_progress: ProgressCallback | None,
) -> Flow[None]:
    written = 0
    while True:
        if response is None:
            response = yield from send_flow(config, _from(spec, written), options, budget=budget)
        continues, total = resume_point(response, written)
        if not continues:
            yield Truncate(temp)
            written = 0
            if response.status_code == 206:  # a range we cannot use: ask for all of it
                yield Read(response)
                response = None
                if not budget.decide(None, {}).retry:
                    raise IncompleteDownloadError(expected=total or 0, received=0)
                continue
        copied, error = yield Copy(response, temp, written, total, on_progress)
        written += copied
        if error is not None and total is None:
            raise connection_error(error, response.request, None) from error
        if total is None or written >= total:
            break
        decision = budget.decide(None, {})
        if not decision.retry:
            break
        response = None
        yield Sleep(decision.delay)
    if total is not None and written != total:
        raise IncompleteDownloadError(expected=total, received=written)


def _from(spec: RequestSpec, offset: int) -> RequestSpec:
    if not offset:
        return spec
    return replace(spec, headers={**(spec.headers or {}), "Range": f"bytes={offset}-"})
