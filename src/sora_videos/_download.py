"""Downloading to a file, as a flow: stream, check, resume with ``Range`` after a cut, rename.

Pure, like every flow: the file work is steps (``CreateTemp``, ``Copy``, ``Truncate``,
``Replace``, ``Remove``) that the drivers in ``_engine.py`` perform.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from ._config import ClientConfig
from ._exceptions import APIResponseValidationError, IncompleteDownloadError
from ._request import RequestSpec
from ._response import connection_error
from ._retry import RetryBudget
from ._send import send_flow
from ._steps import Copy, CreateTemp, Flow, ProgressCallback, Read, Remove, Replace, Sleep, Truncate
from ._types import RequestOptions

if TYPE_CHECKING:
    from ._files import StaleParts

__all__ = ["byte_count", "media_type_error", "download_flow", "is_encoded", "resume_point"]

_CONTENT_RANGE = re.compile(r"bytes ([0-9]+)-([0-9]+)/([0-9]+|\*)")


def resume_point(
    response: httpx.Response, offset: int, *, etag: str | None = None, total: int | None = None
) -> tuple[bool, int | None]:
    """Read a (possibly ranged) answer: whether it continues at ``offset``, and the full size.

    A ``200`` is the whole body from the start (a server that ignores ``Range``); a ``206``
    continues only if its ``Content-Range`` starts exactly at ``offset`` and it is the same
    version as the bytes already saved: the same ``etag`` and ``total`` when they are known.
    """
    if response.status_code != 206:
        return offset == 0, byte_count(response.headers.get("content-length"))
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
    if match is None or int(match.group(1)) != offset:
        return False, None
    size = byte_count(match.group(3))
    if (etag is not None and response.headers.get("etag") != etag) or (
        total is not None and size != total
    ):
        return False, size  # another version of the file: its bytes do not continue ours
    return True, size


def strong_etag(response: httpx.Response) -> str | None:
    """The answer's ``ETag`` if it is a strong one (only those may go in ``If-Range``)."""
    etag: str | None = response.headers.get("etag")
    return etag if etag and etag.startswith('"') else None


def is_encoded(response: httpx.Response) -> bool:
    """Whether the body comes compressed although identity was asked (counts and offsets
    of the decoded bytes are then not those of ``Content-Length`` and ``Range``)."""
    coding = response.headers.get("content-encoding", "").strip().lower()
    return coding not in ("", "identity")


_MEDIA_TYPES = ("video/", "image/", "application/mp4")
_UNLABELLED = ("", "application/octet-stream", "binary/octet-stream")


def media_type_error(response: httpx.Response, variant: object) -> Exception | None:
    """The error for an answer that is not media of the variant asked (a login page, JSON).

    Accepted: ``video/*`` and ``image/*`` for every variant (servers sniff the type from
    the bytes, e.g. LiteLLM), ``application/octet-stream`` and no type at all (servers that
    do not label media). Refused: pages, JSON, text, anything else.

    Returns ``None`` for an accepted type, else an ``APIResponseValidationError``.
    """
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in _UNLABELLED or kind.startswith(_MEDIA_TYPES):
        return None
    return APIResponseValidationError(
        f"the answer from {response.request.url.path} is {kind[:60]!r}, not {variant} media; "
        f"nothing was saved",
        request=response.request,
    )


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
    stale: StaleParts | None = None,
) -> Flow[Path]:
    """Download into a temporary file beside ``path``, then rename it over ``path``.

    The requests and the resumes after cuts share one retry budget: with ``max_retries=2``
    the download sends at most 3 requests in all.

    Args:
        response: An answer already received (from ``download_content``), used first.
        stale: The folder's scan for stale partial files (see ``CreateTemp``).

    Raises:
        IncompleteDownloadError: The body stayed short after every resume.
        APIConnectionError: The connection was cut and the size was never announced.
    """
    target = Path(path)
    temp: Path = yield CreateTemp(target, stale)
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
    version: tuple[str | None, int | None] = (None, None)  # ETag and size of what is saved
    while True:
        if response is None:
            ranged = _from(spec, written, version[0])
            response = yield from send_flow(config, ranged, options, budget=budget)
        yield from _refuse_other_types(response, spec)
        continues, total = resume_point(response, written, etag=version[0], total=version[1])
        if not continues:
            yield Truncate(temp)
            written = 0
            if response.status_code == 206:  # a range we cannot use: ask for all of it
                yield Read(response, 0)
                response, version = None, (None, None)
                if not budget.decide(None, {}).retry:
                    raise IncompleteDownloadError(expected=total or 0, received=0)
                continue
        if written == 0:
            version = (strong_etag(response), total)
        encoded = is_encoded(response)
        shown = None if encoded else total
        copied, error = yield Copy(response, temp, written, shown, on_progress)
        written += copied
        if encoded:  # compressed anyway: its raw bytes are what Content-Length counts
            written, total = _raw_count(response, error, total)
            if written == total:
                return
            yield Truncate(temp)  # decoded bytes give no offset to resume from
            written = 0
        elif error is not None and total is None:
            raise connection_error(error, response.request, None) from error
        elif total is None or written >= total:
            break
        decision = budget.decide(None, {})
        if not decision.retry:
            break
        response = None
        yield Sleep(decision.delay)
    if total is not None and written != total:
        raise IncompleteDownloadError(expected=total, received=written)


def _refuse_other_types(response: httpx.Response, spec: RequestSpec) -> Flow[None]:
    wrong_type = media_type_error(response, (spec.params or {}).get("variant"))
    if wrong_type is not None:
        yield Read(response, 0)  # releases the connection
        raise wrong_type


def _raw_count(
    response: httpx.Response, error: httpx.TransportError | None, total: int | None
) -> tuple[int, int | None]:
    """Bytes received and expected of a compressed body, counted before decoding."""
    received = response.num_bytes_downloaded
    if total is None:
        if error is not None:
            raise connection_error(error, response.request, None) from error
        return received, received
    return received, total


def _from(spec: RequestSpec, offset: int, etag: str | None) -> RequestSpec:
    if not offset:
        return spec
    headers = {**(spec.headers or {}), "Range": f"bytes={offset}-"}
    if etag is not None:  # the rest of this version, or (a 200) all of the current one
        headers["If-Range"] = etag
    return replace(spec, headers=headers)
