"""Where the chosen server's profile meets each request: what is sent, and what answers mean.

Before a request: the operation must exist on the server, fields take the server's names, and
``create`` is a form where the server takes only forms. After an error answer: a missing route
is an unsupported operation, a failed job answered with an error status is still the video,
and media asked for too early is a job not ready yet rather than a missing video. Pure, like
every flow: the one extra request (a retrieve) is a step the driver performs.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, cast

import httpx

from ._exceptions import (
    APIStatusError,
    SoraError,
    UnsupportedOperationError,
    VideoFailedError,
    VideoNotReadyError,
)
from ._models import Video
from ._request import RequestSpec
from ._response import parse_model
from ._steps import Flow
from ._types import RequestOptions
from .servers import (
    ServerProfile,
    interpret_status,
    rename_fields,
    require_operation,
    route_missing,
)

if TYPE_CHECKING:
    from ._config import ClientConfig

__all__ = ["answers_with_video", "explain", "for_server"]

NOT_READY_STATUSES = frozenset((400, 404, 409, 422))
"""Statuses a server may give ``/content`` of an unfinished (or failed) job."""


def for_server(profile: ServerProfile, spec: RequestSpec) -> RequestSpec:
    """The request as this server takes it.

    Raises:
        UnsupportedOperationError: The server does not offer the operation (no request sent).
    """
    if spec.operation is None:
        return spec
    require_operation(profile, spec.operation)
    if spec.json is None and not spec.files:
        return spec
    files = {
        profile.field_renames.get(name, name): part for name, part in (spec.files or {}).items()
    }
    multipart = spec.operation == "create" and profile.create_encoding == "multipart"
    return replace(
        spec,
        json=rename_fields(profile, spec.json or {}),
        files=files or None,
        multipart=spec.multipart or multipart,
    )


def answers_with_video(profile: ServerProfile, spec: RequestSpec, response: httpx.Response) -> bool:
    """Whether an error answer to ``retrieve`` is the failed job itself (vLLM-Omni answers a
    failed job with the error's status, e.g. 500, and the video object): a result, not an
    error to retry."""
    if spec.operation != "retrieve" or response.is_success:
        return False
    try:
        body: object = json.loads(response.content)
    except (ValueError, RecursionError):
        return False
    if not isinstance(body, dict):
        return False
    fields = cast("dict[str, object]", body)
    status = fields.get("status")
    return (
        isinstance(fields.get("id"), str)
        and isinstance(status, str)
        and fields.get("object", "video") == "video"
        and interpret_status(status, profile) == "failed"
    )


def explain(
    config: ClientConfig, spec: RequestSpec, options: RequestOptions, error: APIStatusError
) -> Flow[SoraError]:
    """The error an error answer means on this server (``error`` itself when nothing more).

    A 404 or 405 that is no API error is an operation the server lacks. A refused
    ``/content`` is explained by the job's state, retrieved once: not completed yet gives
    ``VideoNotReadyError``, failed gives ``VideoFailedError``; otherwise (completed, or no
    such job) the answer stands.
    """
    if spec.operation is not None and route_missing(error.status_code, error.body):
        unsupported = UnsupportedOperationError(server=config.server.name, operation=spec.operation)
        unsupported.__cause__ = error
        return unsupported
    if spec.operation != "content" or error.status_code not in NOT_READY_STATUSES:
        return error
    from ._send import send_flow  # the retrieve is sent like any request

    job = RequestSpec("GET", spec.path.removesuffix("/content"), operation="retrieve")
    try:
        response = yield from send_flow(config, job, options)
        video = parse_model(Video, response)
    except SoraError:
        return error
    meaning = interpret_status(video.status, config.server)
    if meaning == "completed":
        return error
    explained: SoraError = (
        VideoFailedError(video) if meaning == "failed" else VideoNotReadyError(error, video)
    )
    explained.__cause__ = error
    return explained
