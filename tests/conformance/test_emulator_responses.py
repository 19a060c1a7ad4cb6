"""The emulator's answers, served on loopback, checked by schemathesis against the publisher's
description (plus the error envelope as every operation's ``default``: ``_openapi.py``): status
documented, body matching its schema, content type listed.

Two layers: a known-good request per operation and parameter shape, each of which must succeed
(so every success schema is exercised), then requests schemathesis generates from the
description, valid and invalid, whose answers must conform whatever they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from ._openapi import overlaid_spec
from .conftest import ServedEmulator

pytestmark = pytest.mark.slow  # conformance: generated requests (schemathesis)

SCHEMA = schemathesis.openapi.from_dict(overlaid_spec())
SCHEMA.config.generation.update(max_examples=25, deterministic=True)
AUTH = {"Authorization": "Bearer sk-conformance"}
PROMPT = "A calico cat playing a piano"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
MULTIPART = "multipart/form-data"
# Literal paths that /videos/{video_id} would also match.
LITERAL_PATHS = ("/videos/characters", "/videos/edits", "/videos/extensions")

# Left out everywhere, each for a reason that is not the emulator's to fix:
EXCLUDED = [
    # "A schema-valid request must succeed": the description's schemas are looser than the
    # API's rules (any string is a `model`, `input_reference` takes "exactly one of image_url or
    # file_id" only in prose, ids must exist, uploads must be real MP4s), so the API, and the
    # emulator with it, rightly answer many schema-valid requests with 400/404. Those answers
    # are still held to the error envelope.
    positive_data_acceptance,
    # "A made-up key must get 401": the emulator takes any key by design (it cannot know real
    # ones). That a request without a key gets 401 is asserted in test_no_key_is_401 below.
    ignored_auth,
]


def targeted_exceptions(case: schemathesis.Case, response: Any) -> list[Any]:
    """The checks to leave out for this one exchange: EXCLUDED, plus where the description is
    wrong or silent about the real API (each said next to it)."""
    excluded = list(EXCLUDED)
    query = case.query or {}
    body = case.body if isinstance(case.body, dict) else {}
    content_type = response.headers.get("content-type", "")
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if query.get("variant") == "spritesheet" and content_type == "image/jpeg":
        # The description lists video/mp4, image/webp and application/json for the content
        # endpoint; the API sends the spritesheet as a JPEG, and so does the emulator.
        excluded.append(content_type_conformance)
    if case.operation.path == "/videos/extensions" and body.get("seconds") in ("16", "20"):
        # CreateVideoExtend*Body.seconds: "allowed values: 4, 8, 12, 16, 20" in its description,
        # but the 4/8/12 enum (VideoSeconds) in its schema. The API takes 16 and 20; so does the
        # emulator: not an invalid request.
        excluded.append(negative_data_rejection)
    return excluded


def validate(case: schemathesis.Case, response: Any, *, excluded: list[Any] = EXCLUDED) -> None:
    case.validate_response(response, excluded_checks=excluded, headers=AUTH)


@dataclass(frozen=True)
class Good:
    """A request that must succeed, sent with plain httpx (neither the SDK nor schemathesis
    builds it); ``values`` makes its ids, JSON body or files from the running emulator."""

    method: str
    template: str
    values: Callable[[ServedEmulator], dict[str, Any]] = lambda served: {}

    def send(self, served: ServedEmulator) -> tuple[schemathesis.Case, httpx.Response]:
        """The request, sent, and the schemathesis case that names its operation."""
        values = self.values(served)
        ids: dict[str, str] = values.pop("path", {})
        query: dict[str, Any] = values.get("params", {})
        url = served.url + self.template.format(**ids)
        with httpx.Client() as http:
            request = http.build_request(self.method, url, headers=AUTH, **values)
            request.read()  # schemathesis reads the request that got the answer
            response = http.send(request)
        body = (
            {"body": values["json"], "media_type": "application/json"} if "json" in values else {}
        )
        case = SCHEMA[self.template][self.method].Case(path_parameters=ids, query=query, **body)
        return case, response


def completed(served: ServedEmulator) -> dict[str, str]:
    return {"video_id": served.completed_video()}


def by_id(served: ServedEmulator, **more: str) -> dict[str, Any]:
    return {"json": {"video": {"id": served.completed_video()}, "prompt": PROMPT, **more}}


def upload(served: ServedEmulator, **more: str) -> dict[str, Any]:
    clip = ("clip.mp4", served.mp4(), "video/mp4")
    return {"files": {"video": clip}, "data": {"prompt": PROMPT, **more}}


def character(served: ServedEmulator) -> dict[str, str]:
    created = served.client.videos.create_character(name="Cat", video=served.mp4())
    return {"character_id": str(created.id)}


GOOD_REQUESTS = {
    "create, JSON": Good(
        "POST",
        "/videos",
        lambda s: {"json": {"prompt": PROMPT, "seconds": "8", "size": "1280x720"}},
    ),
    "create, image_url": Good(
        "POST",
        "/videos",
        lambda s: {
            "json": {"prompt": PROMPT, "input_reference": {"image_url": "https://e.com/a.png"}}
        },
    ),
    "create, upload": Good(
        "POST",
        "/videos",
        lambda s: {
            "files": {"input_reference": ("ref.png", PNG, "image/png")},
            "data": {"prompt": PROMPT, "model": "sora-2-pro"},
        },
    ),
    "list": Good("GET", "/videos"),
    "list, every parameter": Good(
        "GET",
        "/videos",
        lambda s: {"params": {"after": s.completed_video(), "limit": 2, "order": "asc"}},
    ),
    "retrieve": Good("GET", "/videos/{video_id}", lambda s: {"path": completed(s)}),
    "delete": Good("DELETE", "/videos/{video_id}", lambda s: {"path": completed(s)}),
    "remix, JSON": Good(
        "POST",
        "/videos/{video_id}/remix",
        lambda s: {"path": completed(s), "json": {"prompt": PROMPT}},
    ),
    "remix, multipart": Good(
        "POST",
        "/videos/{video_id}/remix",
        lambda s: {"path": completed(s), "files": {"prompt": (None, PROMPT)}},
    ),
    "edit, video id": Good("POST", "/videos/edits", by_id),
    "edit, upload": Good("POST", "/videos/edits", upload),
    "extend, video id": Good("POST", "/videos/extensions", lambda s: by_id(s, seconds="4")),
    "extend, upload": Good("POST", "/videos/extensions", lambda s: upload(s, seconds="12")),
    "create character": Good(
        "POST",
        "/videos/characters",
        lambda s: {"files": {"video": ("cat.mp4", s.mp4(), "video/mp4")}, "data": {"name": "Cat"}},
    ),
    "get character": Good(
        "GET", "/videos/characters/{character_id}", lambda s: {"path": character(s)}
    ),
    **{
        f"content, {variant}": Good(
            "GET",
            "/videos/{video_id}/content",
            lambda s, variant=variant: {"path": completed(s), "params": {"variant": variant}},
        )
        for variant in ("video", "thumbnail", "spritesheet")
    },
}


@pytest.mark.parametrize("good", GOOD_REQUESTS.values(), ids=GOOD_REQUESTS.keys())
def test_success_answer_matches_the_spec(good: Good, served_emulator: ServedEmulator) -> None:
    case, response = good.send(served_emulator)
    assert response.status_code == 200, response.text
    validate(case, response, excluded=targeted_exceptions(case, response))


def test_no_key_is_401(served_emulator: ServedEmulator) -> None:
    case = SCHEMA["/videos"]["GET"].Case()
    response = case.call(base_url=served_emulator.url)
    assert response.status_code == 401
    validate(case, response)


# HealthCheck's metaclass defines an untyped __iter__, so pyright sees its members as the metaclass.
ALL_HEALTH_CHECKS = cast("list[hypothesis.HealthCheck]", list(hypothesis.HealthCheck))


@SCHEMA.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=ALL_HEALTH_CHECKS)
def test_generated_request_gets_a_conforming_answer(
    case: schemathesis.Case, served_emulator: ServedEmulator
) -> None:
    path_parameters = case.path_parameters or {}
    if "video_id" in path_parameters and case.meta and case.meta.generation.mode.is_positive:
        # A random id only ever meets 404; a completed video's id reaches the success path.
        path_parameters["video_id"] = served_emulator.completed_video()
    response = case.call(base_url=served_emulator.url, headers=AUTH)
    validate(case, response, excluded=targeted_exceptions(case, response))


@pytest.mark.parametrize("path", LITERAL_PATHS)
def test_a_literal_path_allows_only_its_own_methods(
    served_emulator: ServedEmulator, path: str
) -> None:
    response = httpx.get(served_emulator.url + path, headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_multipart_create_takes_a_reference_object(served_emulator: ServedEmulator) -> None:
    reference = (None, '{"file_id": "file-123"}', "application/json")
    response = httpx.post(
        served_emulator.url + "/videos",
        headers=AUTH,
        files={"prompt": (None, PROMPT), "input_reference": reference},
    )
    assert response.status_code == 200, response.text
