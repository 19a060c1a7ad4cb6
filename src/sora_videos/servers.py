"""Which server the client talks to: what differs between servers that speak the Videos API.

A ``ServerProfile`` is plain data: how to authenticate, where the API lives below a server's
root, how ``create`` is encoded, which fields a server names differently, which operations it
offers and what its status words mean. The presets describe the servers this package knows
(see docs/servers.md for the sources each one was checked against); build your own from a
preset with ``dataclasses.replace``::

    import dataclasses
    from sora_videos import servers

    mine = dataclasses.replace(servers.VLLM_OMNI, name="my-gateway", auth="bearer")

Everything here is pure: no request is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypeAlias, cast

from ._exceptions import SoraError, UnknownServerError, UnsupportedOperationError

__all__ = [
    "ALL_OPERATIONS",
    "AZURE",
    "LITELLM",
    "OPENAI",
    "PRESETS",
    "SGLANG",
    "TENSORRT_LLM",
    "VLLM_OMNI",
    "AuthStyle",
    "CreateEncoding",
    "Operation",
    "ServerProfile",
    "StatusMeaning",
    "UnknownServerError",
    "auth_headers",
    "base_url_for",
    "interpret_status",
    "rename_fields",
    "require_operation",
    "resolve_server",
    "route_missing",
]

Operation: TypeAlias = Literal[
    "create",
    "remix",
    "edit",
    "extend",
    "list",
    "retrieve",
    "delete",
    "content",
    "create_character",
    "get_character",
]
"""One operation of the Videos API, named after the SDK method that performs it."""

AuthStyle: TypeAlias = Literal["bearer", "api-key", "optional"]
"""``bearer``: ``Authorization: Bearer KEY`` and a key is required; ``api-key``: an
``api-key: KEY`` header (Azure; a token provider still sends a bearer token); ``optional``:
bearer when a key is given, no credentials otherwise (self-hosted servers started without one)."""

CreateEncoding: TypeAlias = Literal["json", "multipart"]
"""``json``: JSON unless a file is uploaded (then multipart); ``multipart``: always a form."""

StatusMeaning: TypeAlias = Literal["completed", "failed", "waiting"]
"""What a job's status word means to the SDK: done, ended without a video, or not yet final."""

ALL_OPERATIONS: frozenset[Operation] = frozenset(
    (
        "create",
        "remix",
        "edit",
        "extend",
        "list",
        "retrieve",
        "delete",
        "content",
        "create_character",
        "get_character",
    )
)
_JOBS_ONLY: frozenset[Operation] = frozenset(("create", "list", "retrieve", "delete", "content"))
COMPLETED_WORDS = frozenset(("completed", "succeeded"))
FAILED_WORDS = frozenset(("failed", "cancelled", "canceled", "expired"))


@dataclass(frozen=True)
class ServerProfile:
    """What one kind of server does differently from the publisher's API.

    Attributes:
        name: The preset's name, used in messages (``"vllm-omni"``).
        auth: How credentials travel (see ``AuthStyle``).
        base_path: Where the API lives below the server's root (``"/v1"``, Azure
            ``"/openai/v1"``): a client given only an endpoint appends it.
        create_encoding: How ``create`` sends its fields (see ``CreateEncoding``).
        field_renames: Request field names this server spells differently, SDK name to
            server name (``{"input_reference": "image_reference"}``).
        reference_object_field: The field an ``ImageReference`` object (``{"image_url"}`` or
            ``{"file_id"}``) travels in when it differs from the uploaded file's field, or
            ``None``.
        operations: The operations the server offers; any other raises
            ``UnsupportedOperationError`` before a request is sent.
        completed_statuses: Status words meaning the job is done (compared case-insensitively).
        failed_statuses: Status words meaning the job ended without a video; every other
            word means keep waiting.
        default_query: Query parameters sent with every request (e.g. an ``api-version``).
    """

    name: str
    auth: AuthStyle = "bearer"
    base_path: str = "/v1"
    create_encoding: CreateEncoding = "json"
    field_renames: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    reference_object_field: str | None = None
    operations: frozenset[Operation] = ALL_OPERATIONS
    completed_statuses: frozenset[str] = COMPLETED_WORDS
    failed_statuses: frozenset[str] = FAILED_WORDS
    default_query: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        # Keep the profile immutable (and hashable) even when built from plain dicts and sets.
        for name in ("field_renames", "default_query"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "operations", frozenset(self.operations))
        for name in ("completed_statuses", "failed_statuses"):
            words = frozenset(word.strip().lower() for word in getattr(self, name))
            object.__setattr__(self, name, words)
        unknown = self.operations - ALL_OPERATIONS
        if unknown:
            raise ValueError(
                f"unknown operations {sorted(unknown)}; valid: {', '.join(sorted(ALL_OPERATIONS))}"
            )

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                self.auth,
                self.base_path,
                self.create_encoding,
                frozenset(self.field_renames.items()),
                self.reference_object_field,
                self.operations,
                self.completed_statuses,
                self.failed_statuses,
                frozenset(self.default_query.items()),
            )
        )


OPENAI = ServerProfile(name="openai")
"""The publisher's API (the default)."""

AZURE = ServerProfile(
    name="azure",
    auth="api-key",
    base_path="/openai/v1",
    operations=frozenset(("create", "remix", "list", "retrieve", "delete", "content")),
)
"""Azure OpenAI / Foundry, Sora 2 (``{endpoint}/openai/v1/videos``; ``model`` is the
deployment name)."""

LITELLM = ServerProfile(name="litellm", operations=ALL_OPERATIONS - {"delete"})
"""A LiteLLM proxy (no ``DELETE /v1/videos/{id}`` route; ids carry ``+``, ``/`` and ``=``)."""

VLLM_OMNI = ServerProfile(
    name="vllm-omni",
    auth="optional",
    create_encoding="multipart",
    reference_object_field="image_reference",
    operations=_JOBS_ONLY,
)
"""vLLM-Omni (``vllm serve MODEL --omni``): multipart ``create``, no remix, edits, extensions
or characters."""

SGLANG = ServerProfile(name="sglang", auth="optional", operations=_JOBS_ONLY)
"""SGLang diffusion (``sglang serve``): jobs only; ``delete`` answers the video object."""

TENSORRT_LLM = ServerProfile(name="tensorrt-llm", auth="optional", operations=_JOBS_ONLY)
"""TensorRT-LLM ``trtllm-serve``: jobs only. It calls ``input_reference`` deprecated in favour of
``image_reference`` but every version still reads it, and older ones read only it; derive a
profile with ``field_renames={"input_reference": "image_reference"}`` for the new name."""

PRESETS: Mapping[str, ServerProfile] = MappingProxyType(
    {p.name: p for p in (OPENAI, AZURE, LITELLM, VLLM_OMNI, SGLANG, TENSORRT_LLM)}
)
"""Every preset by name."""


def resolve_server(server: str | ServerProfile | None) -> ServerProfile:
    """The profile for a preset name (``"vllm-omni"``, ``"vllm_omni"``, any case) or a profile.

    Args:
        server: A preset name, a ``ServerProfile`` (returned as is), or ``None`` for ``OPENAI``.

    Returns:
        The profile.

    Raises:
        UnknownServerError: ``server`` names no preset; the message lists the valid names.
    """
    if server is None:
        return OPENAI
    if isinstance(server, ServerProfile):
        return server
    key = server.strip().lower().replace("_", "-")
    profile = PRESETS.get(key)
    if profile is None:
        names = ", ".join(PRESETS)
        raise UnknownServerError(f"unknown server {server!r}; choose one of: {names}")
    return profile


def interpret_status(status: str | None, profile: ServerProfile = OPENAI) -> StatusMeaning:
    """What a job's status word means: ``completed``, ``failed`` (final) or ``waiting``.

    Unknown words, and a missing status, mean keep waiting: a poll ends on a word the profile
    knows, or at its deadline.

    Args:
        status: The status as the server sent it.
        profile: The server's profile (its status words).

    Returns:
        The meaning of ``status``.
    """
    word = (status or "").strip().lower()
    if word in profile.completed_statuses:
        return "completed"
    if word in profile.failed_statuses:
        return "failed"
    return "waiting"


def require_operation(profile: ServerProfile, operation: Operation) -> None:
    """Check, before any request, that the server offers ``operation``.

    Raises:
        UnsupportedOperationError: It does not.
    """
    if operation not in profile.operations:
        raise UnsupportedOperationError(server=profile.name, operation=operation)


def auth_headers(profile: ServerProfile, api_key: str | None) -> dict[str, str]:
    """The headers that carry ``api_key`` to this server (empty when none is needed or given).

    Raises:
        SoraError: The server requires a key and none was given.
    """
    if not api_key:
        if profile.auth == "optional":
            return {}
        raise SoraError(
            f"no API key for the {profile.name} server: pass api_key= or set OPENAI_API_KEY"
        )
    if profile.auth == "api-key":
        return {"api-key": api_key}
    return {"Authorization": f"Bearer {api_key}"}


def rename_fields(profile: ServerProfile, fields: Mapping[str, object]) -> dict[str, object]:
    """A request's fields under this server's names.

    An ``ImageReference`` object (a mapping) given as ``input_reference`` goes to
    ``reference_object_field`` when the profile names one; then ``field_renames`` applies.
    """
    renamed: dict[str, object] = {}
    for name, value in fields.items():
        target = name
        if (
            name == "input_reference"
            and profile.reference_object_field
            and isinstance(value, Mapping)
        ):
            target = profile.reference_object_field
        renamed[profile.field_renames.get(target, target)] = value
    return renamed


def base_url_for(profile: ServerProfile, endpoint: str) -> str:
    """The API's base URL on a server given by its root (``https://x.openai.azure.com``).

    Returns:
        ``endpoint`` with the profile's ``base_path`` and a trailing ``/``.
    """
    return endpoint.rstrip("/") + "/" + profile.base_path.strip("/") + "/"


_FRAMEWORK_NOT_FOUND = frozenset(("not found", "method not allowed", "404 page not found"))


def route_missing(status_code: int, body: object) -> bool:
    """Whether an error answer means "no such route here" rather than "no such video".

    405 always does. A 404 does when its body is no API error: empty, plain text (a proxy's
    or a framework's page), or a web framework's bare ``{"detail": "Not Found"}``. A 404
    with a message of the API's (``{"error": {...}}``, ``{"detail": "Video not found"}``)
    is a missing resource.

    Args:
        status_code: The answer's HTTP status.
        body: The decoded body: JSON data, or text.
    """
    if status_code == 405:
        return True
    if status_code != 404:
        return False
    if isinstance(body, str):
        return True
    if not isinstance(body, dict) or "error" in body:
        return False
    fields = cast("dict[str, object]", body)
    text = fields.get("detail", fields.get("message"))
    return isinstance(text, str) and text.strip().lower() in _FRAMEWORK_NOT_FOUND
