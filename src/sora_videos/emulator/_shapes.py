"""What a dialect's server writes: its ids, its video objects, its lists and delete answers."""

from __future__ import annotations

import base64
import itertools
import secrets
import uuid

from ._dialects import Dialect
from ._jobs import Job, VideoJSON, video_json

__all__ = ["delete_body", "list_body", "new_video_id", "video_body"]


def _litellm_id() -> str:
    # LiteLLM wraps the provider's id: "video_" + base64 of the provider, the deployment's
    # model id and the provider's id. Base64 of ASCII has "+" and "/" only where a "~" or "?"
    # ends a 3-byte group, so the emulated deployment id has both, aligned, and the length
    # leaves "=" padding: every id then has the characters that break naive URL building.
    inner = f"video_{secrets.token_hex(16)}"
    encoded = ""
    for shift, pad in itertools.product(range(3), range(3)):
        plain = f"litellm:custom_llm_provider:openai;model_id:{'0' * shift}~sv?;video_id:"
        encoded = base64.b64encode(f"{plain}{inner}{'0' * pad}".encode()).decode()
        if "+" in encoded and "/" in encoded and encoded.endswith("="):
            break
    return f"video_{encoded}"


def new_video_id(dialect: Dialect) -> str:
    """Return a new video id in the dialect's format."""
    if dialect.ids == "litellm":
        return _litellm_id()
    if dialect.ids == "vllm-omni":
        return f"video_gen_{uuid.uuid4().hex}"
    if dialect.ids == "uuid":
        return uuid.uuid4().hex
    return f"video_{secrets.token_hex(16)}"


def _error(dialect: Dialect, video: VideoJSON) -> object:
    error = video["error"]
    if error is None:
        return None
    if dialect.shape == "vllm-omni":
        return {"code": dialect.failed_retrieve_status or 500, "message": error["message"]}
    if dialect.shape == "sglang":
        return {"message": error["message"]}
    if dialect.shape == "tensorrt-llm":
        return error["message"]
    return dict(error)


def video_body(dialect: Dialect, job: Job, now: float) -> dict[str, object]:
    """Return the job as the dialect's server shows it at ``now``."""
    video = video_json(job, now)
    body: dict[str, object] = dict(video)
    body["status"] = dialect.status_word(video["status"], video["progress"])
    body["error"] = _error(dialect, video)
    if dialect.shape == "vllm-omni":
        body.update(quality="default", media_type="video/mp4", expires_at=None)
        body["file_name"] = f"{job.id}.mp4" if video["status"] == "completed" else None
    elif dialect.shape == "sglang":
        del body["prompt"]
        body.update(quality="standard", url=None)
        if body["status"] == "queued":
            body["progress"] = 0
    elif dialect.shape == "tensorrt-llm":
        del body["seconds"], body["remixed_from_video_id"]
        body.update(duration=float(job.seconds), fps=24.0)
    return body


def list_body(dialect: Dialect, items: list[dict[str, object]], has_more: bool) -> object:
    """Return a page of videos the way the dialect's server lists them."""
    if not dialect.paged_list:
        return {"object": "list", "data": items}
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": has_more,
    }


def delete_body(dialect: Dialect, job: Job, now: float) -> object:
    """Return the answer to a successful delete."""
    if dialect.delete_answer == "video":
        return {**video_body(dialect, job, now), "status": "deleted"}
    return {"object": "video.deleted", "deleted": True, "id": job.id}
