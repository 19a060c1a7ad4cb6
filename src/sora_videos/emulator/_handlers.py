"""One function per endpoint: ``(core, request, path params) -> response``, no I/O."""

from __future__ import annotations

import json
import secrets
from typing import cast

from ._core import Core
from ._errors import ApiError
from ._forms import SIZES, Form, Upload, parse_form, positive_choice, text, video_reference
from ._http import Request, Response, json_response
from ._jobs import Character, Job, character_json, status_at
from ._listing import list_query
from ._mp4 import probe
from ._shapes import delete_body, list_body, video_body
from ._validate import any_seconds, any_size, check_references

__all__ = [
    "create_character",
    "create_video",
    "delete_video",
    "edit_video",
    "extend_video",
    "get_character",
    "get_video",
    "list_videos",
    "remix_video",
]

PROMPT_MAX = 32000
EXTEND_SECONDS = ("4", "8", "12", "16", "20")
Params = dict[str, str]
# What FastAPI's form validation reports for a JSON body sent to a multipart-only endpoint.
_MISSING_FORM = (
    "[{'type': 'missing', 'loc': ('body', 'prompt'), 'msg': 'Field required', 'input': None}]"
)


def _check_input_reference(form: Form) -> None:
    value = form.get("input_reference")
    if value is None or isinstance(value, Upload):
        return
    if isinstance(value, str):  # a reference object sent as a multipart text part
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    given = cast("dict[str, object]", value) if isinstance(value, dict) else {}
    if len([k for k in ("image_url", "file_id") if given.get(k)]) != 1:
        message = "Invalid 'input_reference': provide exactly one of 'image_url' or 'file_id'."
        raise ApiError(400, message, param="input_reference")


def create_video(core: Core, request: Request, params: Params) -> Response:
    """``POST /videos``: start a new job."""
    dialect = core.dialect
    multipart = (request.header("content-type") or "").startswith("multipart/form-data")
    if dialect.multipart_only and not multipart:
        raise ApiError(dialect.validation_status, _MISSING_FORM, param="prompt")
    form = parse_form(request)
    prompt = text(form, "prompt", max_length=PROMPT_MAX)
    if dialect.seconds is None:
        seconds = any_seconds(form, dialect)
    else:
        allowed = tuple(f"{s:g}" for s in dialect.seconds)
        seconds = int(positive_choice(form, "seconds", allowed, allowed[0]))
    if dialect.sizes is None:
        size = any_size(form, dialect)
    else:
        size = positive_choice(form, "size", dialect.sizes, dialect.sizes[0])
    model = text(form, "model", max_length=200, default=dialect.default_model)
    if dialect.fixed_model and model != dialect.default_model:
        message = (
            f"Model mismatch: request specifies '{model}' but server is running "
            f"'{dialect.default_model}'."
        )
        raise ApiError(400, message, param="model")
    check_references(form, dialect, multipart=multipart)
    if dialect.shape == "openai":  # the publisher's reference object rules
        _check_input_reference(form)

    def make() -> Job:
        return core.new_job(model=model, prompt=prompt, size=size, seconds=seconds)

    return core.create_once(request, make)


def list_videos(core: Core, request: Request, params: Params) -> Response:
    """``GET /videos``: one page of jobs."""
    after, limit, order = list_query(request.query, core.dialect.list_limit)
    now = core.clock.now()
    with core.store.transaction():
        found = core.store.page(after, limit, newest_first=order == "desc")
    if found is None:
        raise ApiError(400, f"Invalid 'after': no video with id '{after}'.", param="after")
    shown, has_more = found
    items = [video_body(core.dialect, job, now) for job in shown]
    return json_response(200, list_body(core.dialect, items, has_more), *core.poll_hint(shown))


def get_video(core: Core, request: Request, params: Params) -> Response:
    """``GET /videos/{id}``: a job as it is now."""
    return core.job_response(core.job(params["video_id"]))


def delete_video(core: Core, request: Request, params: Params) -> Response:
    """``DELETE /videos/{id}``: forget a job (only a finished one, unless the server cancels)."""
    video_id = params["video_id"]
    now = core.clock.now()
    with core.store.transaction():
        job = core.job(video_id)
        status = status_at(job, now)
        if status not in ("completed", "failed") and not core.dialect.delete_any_status:
            message = (
                f"Video '{video_id}' is {status}; only completed or failed videos can be deleted."
            )
            raise ApiError(409, message, code="invalid_video_status")
        core.store.delete_job(video_id)
    return json_response(200, delete_body(core.dialect, job, now))


def remix_video(core: Core, request: Request, params: Params) -> Response:
    """``POST /videos/{id}/remix``: a new job from a completed one, with a new prompt."""
    prompt = text(parse_form(request), "prompt", max_length=PROMPT_MAX)

    def make() -> Job:
        source = core.completed_job(params["video_id"], param="video_id")
        return core.new_job(
            model=source.model,
            prompt=prompt,
            size=source.size,
            seconds=source.seconds,
            remixed_from=source.id,
        )

    return core.create_once(request, make)


def _source(core: Core, reference: str | Upload) -> tuple[str, str, float]:
    """Return ``(model, size, seconds)`` of an edit's or extension's source video."""
    if isinstance(reference, str):
        job = core.completed_job(reference, param="video")
        return job.model, job.size, job.seconds
    found = probe(reference.data)
    if found is None:
        raise ApiError(400, "Invalid 'video': the upload is not an MP4 video.", param="video")
    size = f"{found.width}x{found.height}"
    return "sora-2", size if size in SIZES else SIZES[0], max(1, round(found.seconds))


def edit_video(core: Core, request: Request, params: Params) -> Response:
    """``POST /videos/edits``: a new job editing a completed or uploaded video."""
    form = parse_form(request)
    reference = video_reference(form)
    prompt = text(form, "prompt", max_length=PROMPT_MAX)

    def make() -> Job:
        model, size, seconds = _source(core, reference)
        return core.new_job(model=model, prompt=prompt, size=size, seconds=seconds)

    return core.create_once(request, make)


def extend_video(core: Core, request: Request, params: Params) -> Response:
    """``POST /videos/extensions``: a longer video; its ``seconds`` is the stitched total."""
    form = parse_form(request)
    reference = video_reference(form)
    prompt = text(form, "prompt", max_length=PROMPT_MAX)
    extra = int(positive_choice(form, "seconds", EXTEND_SECONDS, None))

    def make() -> Job:
        model, size, seconds = _source(core, reference)
        return core.new_job(model=model, prompt=prompt, size=size, seconds=seconds + extra)

    return core.create_once(request, make)


def create_character(core: Core, request: Request, params: Params) -> Response:
    """``POST /videos/characters``: a character from an uploaded video."""
    form = parse_form(request)
    name = text(form, "name", max_length=80)
    upload = form.get("video")
    if not isinstance(upload, Upload) or probe(upload.data) is None:
        raise ApiError(400, "Invalid 'video': upload an MP4 video file.", param="video")
    key = request.header("idempotency-key")
    with core.store.transaction():
        earlier = core.store.recall(f"{request.path} {key}") if key else None
        character = core.store.get_character(earlier) if earlier else None
        if character is None:
            character = Character(f"char_{secrets.token_hex(16)}", name, core.clock.now())
            core.store.add_character(character)
            if key:
                core.store.remember(f"{request.path} {key}", character.id)
    return json_response(200, character_json(character))


def get_character(core: Core, request: Request, params: Params) -> Response:
    """``GET /videos/characters/{id}``: a character."""
    character_id = params["character_id"]
    character = core.store.get_character(character_id)
    if character is None:
        message = f"No character found with id '{character_id}'."
        raise ApiError(404, message, code="character_not_found")
    return json_response(200, character_json(character))
