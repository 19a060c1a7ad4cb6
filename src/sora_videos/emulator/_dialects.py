"""How each server that speaks the Videos API differs: one declarative row per dialect.

The routes and handlers never test a dialect's name; they read its row. Each row names the
public source it was read from (the file, at the version the project's search index held in
November 2026). Where a detail could not be read there, the row's ``unverified`` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["DIALECTS", "Dialect", "DialectName", "dialect_named"]

DialectName = Literal["openai", "azure", "litellm", "vllm-omni", "sglang", "tensorrt-llm"]
Operation = Literal[
    "create", "list", "retrieve", "delete", "content", "remix", "edit", "extend", "characters"
]
ErrorStyle = Literal["openai", "azure", "vllm", "fastapi", "trtllm"]
AuthStyle = Literal["bearer", "azure", "optional-bearer"]
IdStyle = Literal["openai", "litellm", "vllm-omni", "uuid"]
ShapeStyle = Literal["openai", "vllm-omni", "sglang", "tensorrt-llm"]

_EVERYTHING: frozenset[Operation] = frozenset(
    ("create", "list", "retrieve", "delete", "content", "remix", "edit", "extend", "characters")
)
_CORE: frozenset[Operation] = frozenset(("create", "list", "retrieve", "delete", "content"))
_REMIX: frozenset[Operation] = frozenset(("remix",))
_DELETE: frozenset[Operation] = frozenset(("delete",))
SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")


@dataclass(frozen=True)
class Dialect:
    """What one kind of server does differently from the publisher's API.

    Attributes:
        name: The dialect's name, as ``Emulator(dialect=...)`` takes it.
        source: The public files this row was read from.
        root: The path every route lives under (``/v1``, or ``/openai/v1`` on Azure).
        auth: ``bearer`` (a key is required), ``azure`` (``api-key`` or a bearer token) or
            ``optional-bearer`` (no key unless the server was started with one).
        unauthorized: The body of a 401.
        errors: How error bodies look (see ``_errors.error_body``).
        routing_errors: How an unknown route or method is answered (a framework's default
            handler may differ from the server's own errors).
        operations: The endpoints the server has; others answer 404 or 405 like it does.
        multipart_only: ``POST /videos`` accepts only multipart bodies.
        reference_fields: Names a reference image may be sent under (first is the current one).
        exclusive_references: Two reference fields at once is an error (vLLM-Omni).
        require_upload_in_multipart: A multipart create must carry a file (SGLang).
        sizes: Allowed sizes, or ``None`` for any ``WxH``.
        seconds: Allowed ``seconds``, or ``None`` for any positive number.
        float_seconds: ``seconds`` may have a fraction (TensorRT-LLM).
        default_model: The model echoed when the request names none.
        fixed_model: The server runs this one model and rejects another name.
        ids: How new ids are made.
        shape: How a video object is written.
        statuses: The server's word for each of the emulator's phases (``queued``,
            ``in_progress``, ``completed``, ``failed``) where it has another one; ``finishing``
            names the last tenth of rendering where the server has a word for it.
        paged_list: Lists carry ``first_id``, ``last_id`` and ``has_more``.
        list_limit: The page size when the request gives none (``None``: everything).
        delete_any_status: Queued or running jobs can be deleted (cancelled).
        delete_answer: ``deleted`` (``video.deleted`` object) or ``video`` (the video, with
            status ``deleted``).
        failed_retrieve_status: A failed job's retrieve answers with this status (vLLM-Omni).
        not_ready: ``(status, message)`` for ``/content`` of an unfinished job.
        failed_content: ``(status, message)`` for ``/content`` of a failed job.
        variants: ``/content`` honours ``?variant=``.
        validation_status: The status of an invalid request.
        unverified: What could not be read in the sources.
    """

    name: DialectName
    source: str
    root: str = "/v1"
    auth: AuthStyle = "bearer"
    unauthorized: Mapping[str, object] = field(default_factory=dict[str, object])
    errors: ErrorStyle = "openai"
    routing_errors: ErrorStyle = "openai"
    operations: frozenset[Operation] = _EVERYTHING
    multipart_only: bool = False
    reference_fields: tuple[str, ...] = ("input_reference",)
    exclusive_references: bool = False
    require_upload_in_multipart: bool = False
    sizes: tuple[str, ...] | None = SIZES
    seconds: tuple[float, ...] | None = (4, 8, 12)
    float_seconds: bool = False
    default_model: str = "sora-2"
    fixed_model: bool = False
    ids: IdStyle = "openai"
    shape: ShapeStyle = "openai"
    statuses: Mapping[str, str] = field(default_factory=dict[str, str])
    paged_list: bool = True
    list_limit: int | None = 20
    delete_any_status: bool = False
    delete_answer: Literal["deleted", "video"] = "deleted"
    failed_retrieve_status: int | None = None
    not_ready: tuple[int, str] | None = None
    failed_content: tuple[int, str] | None = None
    variants: bool = True
    validation_status: int = 400
    unverified: str = ""

    def status_word(self, phase: str, progress: int) -> str:
        """Return the server's word for a phase (``queued``, ``in_progress``, ...)."""
        if phase == "in_progress" and progress >= 90 and "finishing" in self.statuses:
            return self.statuses["finishing"]
        return self.statuses.get(phase, phase)


_OPENAI_401 = {
    "error": {
        "message": "You didn't provide an API key. You need to provide your API key in an "
        "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
}
_FASTAPI_401 = {"error": "Unauthorized"}

DIALECTS: Mapping[str, Dialect] = {
    d.name: d
    for d in (
        Dialect(
            "openai", source="the publisher's OpenAPI spec (shared/spec)", unauthorized=_OPENAI_401
        ),
        Dialect(
            "azure",
            source="MicrosoftDocs/azure-ai-docs articles/ai-foundry/openai/concepts/"
            "video-generation.md (v1 routes, sizes, seconds, api-key or Entra bearer)",
            root="/openai/v1",
            auth="azure",
            unauthorized={
                "error": {
                    "code": "401",
                    "message": "Access denied due to invalid subscription key or wrong API "
                    "endpoint. Make sure to provide a valid key for an active subscription and "
                    "use a correct regional API endpoint for your resource.",
                }
            },
            routing_errors="azure",
            operations=_CORE | _REMIX,
            sizes=("720x1280", "1280x720"),
            unverified="the 401 and unknown-route bodies follow Azure OpenAI's documented "
            "error shape, not a captured Sora answer",
        ),
        Dialect(
            "litellm",
            source="BerriAI/litellm litellm/proxy/video_endpoints/endpoints.py (routes: no "
            "DELETE), litellm/types/videos/utils.py (video_ + base64 ids)",
            unauthorized={
                "error": {
                    "message": "Authentication Error, No api key passed in.",
                    "type": "auth_error",
                    "param": "None",
                    "code": "401",
                }
            },
            routing_errors="fastapi",
            operations=_EVERYTHING - _DELETE,
            ids="litellm",
            statuses={"in_progress": "processing"},
            unverified="'processing' is what the proxy reports for Veo jobs (PR #16192)",
        ),
        Dialect(
            "vllm-omni",
            source="vllm-project/vllm-omni vllm_omni/entrypoints/openai/api_server.py "
            "(video routes), protocol/videos.py; vllm-project/vllm "
            "vllm/entrypoints/openai/server_utils.py (error and auth handlers)",
            auth="optional-bearer",
            unauthorized=_FASTAPI_401,
            errors="vllm",
            routing_errors="fastapi",
            operations=_CORE,
            multipart_only=True,
            reference_fields=("input_reference", "image_reference"),
            exclusive_references=True,
            sizes=None,
            seconds=None,
            default_model="Wan-AI/Wan2.2-T2V-A14B-Diffusers",
            fixed_model=True,
            ids="vllm-omni",
            shape="vllm-omni",
            list_limit=None,
            delete_any_status=True,
            failed_retrieve_status=500,
            not_ready=(404, "Generation is still in-progress"),
            failed_content=(422, "Video generation failed. Check job status for error details."),
            variants=False,
        ),
        Dialect(
            "sglang",
            source="sgl-project/sglang python/sglang/multimodal_gen/runtime/entrypoints/openai/"
            "video_api.py and protocol.py",
            auth="optional-bearer",
            unauthorized=_FASTAPI_401,
            errors="fastapi",
            routing_errors="fastapi",
            operations=_CORE,
            require_upload_in_multipart=True,
            sizes=None,
            seconds=None,
            ids="uuid",
            shape="sglang",
            statuses={"in_progress": "queued"},
            paged_list=False,
            list_limit=None,
            delete_any_status=True,
            delete_answer="video",
            not_ready=(404, "Generation is still in-progress"),
            failed_content=(404, "Generation is still in-progress"),
            variants=False,
            unverified="the 401 body when started with an API key",
        ),
        Dialect(
            "tensorrt-llm",
            source="NVIDIA/TensorRT-LLM tensorrt_llm/serve/openai_server.py (video routes), "
            "tensorrt_llm/serve/openai_protocol.py (VideoGenerationRequest, VideoJob), "
            "examples/visual_gen/serve/README.md",
            auth="optional-bearer",
            unauthorized=_FASTAPI_401,
            errors="trtllm",
            routing_errors="fastapi",
            operations=_CORE,
            reference_fields=("image_reference", "input_reference"),
            sizes=None,
            seconds=None,
            float_seconds=True,
            default_model="wan",
            shape="tensorrt-llm",
            statuses={"in_progress": "generating", "finishing": "postprocessing"},
            paged_list=False,
            list_limit=None,
            delete_any_status=True,
            variants=False,
            validation_status=422,
            unverified="the error body (ErrorResponse with object 'error'), the delete of a "
            "running job, /content of an unfinished job (409 here) and the 401 body",
        ),
    )
}


def dialect_named(name: str) -> Dialect:
    """Return the dialect called ``name``.

    Raises:
        ValueError: If there is no such dialect (the message lists them).
    """
    try:
        return DIALECTS[name]
    except KeyError:
        known = ", ".join(DIALECTS)
        raise ValueError(f"unknown dialect {name!r}: choose one of {known}") from None
