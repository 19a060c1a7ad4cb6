"""``send_flow``: one API request, as a flow, retried under the client's retry policy."""

from __future__ import annotations

import logging

import httpx

from ._body import BodyState, already_read
from ._config import ClientConfig
from ._request import RequestSpec, build_request
from ._response import connection_error, status_error, unreadable_body_error
from ._retry import RetryBudget
from ._serving import answers_with_video, explain, for_server
from ._steps import Flow, Read, Send, Sleep
from ._types import RequestOptions

__all__ = ["send_flow"]

log = logging.getLogger("sora_videos")

ERROR_BODY_LIMIT = 64 * 1024
"""The most bytes of an error answer read and kept on the error."""


def send_flow(
    config: ClientConfig,
    spec: RequestSpec,
    options: RequestOptions,
    *,
    budget: RetryBudget | None = None,
) -> Flow[httpx.Response]:
    """Send one request, retrying failed attempts while ``budget`` allows.

    Args:
        budget: The retry budget of the logical operation this request is part of (a
            download shares one across its resumes); a new one from the client's policy
            when left out.

    Returns the successful response; raises the typed error otherwise (as the server's
    profile explains it: ``_serving.explain``).
    """
    spec = for_server(config.server, spec)
    budget = budget if budget is not None else config.retry_policy.budget()
    request = build_request(config, spec, options)
    key = request.idempotency_key  # the one on the wire, whoever chose it
    debug = log.isEnabledFor(logging.DEBUG)  # a debug line's arguments cost a call each
    while True:
        if debug:
            log.debug("%s %s (attempt %d)", request.method, request.url, budget.used + 1)
        if (wait := config.pacer.reserve()) > 0:
            yield Sleep(wait)  # the next slot the server's x-ratelimit-* allowance leaves
        try:
            response: httpx.Response = yield Send(request, stream=True)
            config.pacer.observe(response.headers)
            success = response.is_success
            body: BodyState = "complete"
            if not spec.stream or not success:
                # JSON and error bodies: capped, and an error's at far less (it is kept)
                limit = config.max_body_size if success else ERROR_BODY_LIMIT
                limit = min(limit, config.max_body_size)
                known = already_read(response, limit)
                body = known if known is not None else (yield Read(response, limit))
        except httpx.TransportError as exc:
            decision = budget.decide(None, {}, replayable=request.replayable)
            if not decision.retry:
                raise connection_error(exc, _request_of(exc), key) from exc
            log.debug("retrying after %s: %s", type(exc).__name__, decision.reason)
        else:
            if debug:
                log.debug(
                    "%s %s -> %d (request id %s)",
                    request.method,
                    request.url,
                    response.status_code,
                    response.headers.get("x-request-id"),
                )
            if success and body != "complete":
                raise unreadable_body_error(response, body, config.max_body_size, key)
            if success or answers_with_video(config.server, spec, response):
                return response
            decision = budget.decide(
                response.status_code, response.headers, replayable=request.replayable
            )
            if not decision.retry:
                error = status_error(
                    response, retry_after=decision.retry_after, idempotency_key=key
                )
                raise (yield from explain(config, spec, options, error))
        log.debug("retry %d in %.2f s (%s)", budget.used, decision.delay, decision.reason)
        yield Sleep(decision.delay)


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None
