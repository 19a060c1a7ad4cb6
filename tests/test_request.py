"""Request building: headers, URLs, options, bodies. Pure: nothing is sent."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sora_videos import _operations as ops
from sora_videos._config import ClientConfig
from sora_videos._request import RequestSpec, build_request, path_segment

from .conftest import API_KEY, client_config


def config(**changes: object) -> ClientConfig:
    base = client_config(
        base_url="https://gateway.example/v1",
        organization="org_1",
        project="proj_1",
        timeout=30.0,
        default_headers={"X-Team": "video"},
    )
    return base.with_changes(**changes)


def test_every_request_carries_auth_org_project_and_default_headers() -> None:
    request = build_request(config(), ops.retrieve("video_1"), {})
    assert request.url == "https://gateway.example/v1/videos/video_1"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["OpenAI-Organization"] == "org_1"
    assert request.headers["OpenAI-Project"] == "proj_1"
    assert request.headers["X-Team"] == "video"
    assert request.headers["User-Agent"].startswith("sora-videos/")


def test_options_add_headers_query_and_body_and_set_the_timeout() -> None:
    spec = ops.create(
        prompt="cat", model=None, seconds=None, size=None, input_reference=None, idempotency_key="k"
    )
    request = build_request(
        config(),
        spec,
        {
            "extra_headers": {"X-Trace": "1"},
            "extra_query": {"tenant": "a"},
            "extra_body": {"style": "noir"},
            "timeout": None,
        },
    )
    assert request.headers["X-Trace"] == "1"
    assert request.params == {"tenant": "a"}
    assert request.json == {"prompt": "cat", "style": "noir"}
    assert request.timeout == httpx.Timeout(None)


def test_the_client_timeout_applies_when_none_is_given() -> None:
    assert build_request(config(), ops.retrieve("v"), {}).timeout == httpx.Timeout(30.0)


@pytest.mark.parametrize(
    ("video_id", "segment"),
    [
        ("video_1", "video_1"),
        ("a/b", "a%2Fb"),
        ("../admin", "..%2Fadmin"),
        ("x?y#z", "x%3Fy%23z"),
        ("%2F", "%252F"),
        ("vidéo", "vid%C3%A9o"),
        ("a+b=c", "a%2Bb%3Dc"),
        ("video_bGl0ZWxsbTpvcGVuYWk+/=", "video_bGl0ZWxsbTpvcGVuYWk%2B%2F%3D"),
        ("~a-b.c_d", "~a-b.c_d"),
    ],
)
def test_ids_become_exactly_one_path_segment(video_id: str, segment: str) -> None:
    assert path_segment(video_id, name="video_id") == segment
    url = httpx.URL(build_request(config(), ops.retrieve(video_id), {}).url)
    assert url.raw_path.decode() == f"/v1/videos/{segment}"


UNRESERVED_AND_OTHERS = st.sampled_from("aZ09_.-~") | st.characters(codec="utf-8")


@given(
    st.text(alphabet=UNRESERVED_AND_OTHERS, min_size=1).filter(
        lambda value: value not in (".", "..")
    )
)
def test_any_id_is_encoded_as_quote_encodes_it(video_id: str) -> None:
    # Ids of unreserved characters skip quote(): the result must not depend on it.
    assert path_segment(video_id, name="video_id") == quote(video_id, safe="")


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_empty_and_dot_ids_are_refused_before_any_request(bad: str) -> None:
    with pytest.raises(ValueError, match="video_id"):
        ops.retrieve(bad)


def test_a_non_string_id_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="video_id must be a string"):
        ops.retrieve(123)  # type: ignore[arg-type]


def test_create_sends_seconds_as_the_string_the_spec_requires() -> None:
    spec = ops.create(
        prompt="p",
        model="sora-2-pro",
        seconds=8,
        size="1280x720",
        input_reference=None,
        idempotency_key=None,
    )
    assert spec.json == {"prompt": "p", "model": "sora-2-pro", "seconds": "8", "size": "1280x720"}
    assert spec.idempotency_key is not None
    assert spec.idempotency_key.startswith("sora-videos-")


def test_create_with_a_reference_object_stays_json() -> None:
    spec = ops.create(
        prompt="p",
        model=None,
        seconds=None,
        size=None,
        input_reference={"image_url": "https://example.com/cat.png"},
        idempotency_key=None,
    )
    assert spec.files is None
    assert spec.json == {
        "prompt": "p",
        "input_reference": {"image_url": "https://example.com/cat.png"},
    }


def test_a_reference_object_inside_a_multipart_body_travels_as_json_text() -> None:
    spec = ops.create(
        prompt="p",
        model=None,
        seconds=None,
        size=None,
        input_reference=b"png",
        idempotency_key=None,
    )
    request = build_request(config(), spec, {"extra_body": {"meta": {"a": 1}}})
    assert request.body is not None
    body = b"".join(request.body)
    assert b'name="meta"\r\n\r\n{"a": 1}\r\n' in body
    assert json.loads(request.headers["Content-Length"]) == len(body)


def test_edit_accepts_a_video_model_as_a_reference() -> None:
    from sora_videos import Video

    from .conftest import video_json

    spec = ops.edit(prompt="p", video=Video.model_validate(video_json("v9")), idempotency_key=None)
    assert spec.json == {"prompt": "p", "video": {"id": "v9"}}


def test_character_create_needs_a_file() -> None:
    with pytest.raises(TypeError, match="video file"):
        ops.character_create(name="n", video={"id": "v"}, idempotency_key=None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"limit": 101}, "limit"), ({"limit": -1}, "limit"), ({"order": "up"}, "order")],
)
def test_list_parameters_are_checked(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"after": None, "limit": None, "order": None, **kwargs}
    with pytest.raises(ValueError, match=message):
        ops.list_page(**arguments)  # type: ignore[arg-type]


def test_unknown_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="variant"):
        ops.content("v", variant="poster")  # type: ignore[arg-type]


def test_content_accepts_a_media_type_the_spec_lists() -> None:
    spec = ops.content("v", variant="video")
    accept = build_request(config(), spec, {}).headers["Accept"]
    assert "video/mp4" in accept
    assert "binary" not in accept


@pytest.mark.parametrize("bad", [True, None])
def test_prompt_and_seconds_types_are_checked(bad: object) -> None:
    with pytest.raises(TypeError):
        ops.create(
            prompt=bad,  # type: ignore[arg-type]
            model=None,
            seconds=None,
            size=None,
            input_reference=None,
            idempotency_key=None,
        )
    with pytest.raises(TypeError, match="bool"):
        ops.create(
            prompt="p",
            model=None,
            seconds=True,
            size=None,
            input_reference=None,
            idempotency_key=None,
        )


LITELLM_ID = "video_bGl0ZWxsbTpvcGVuYWk+/="  # "video_" + base64 of provider and model
ENCODED = "video_bGl0ZWxsbTpvcGVuYWk%2B%2F%3D"


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        (ops.retrieve(LITELLM_ID), f"/v1/videos/{ENCODED}"),
        (ops.delete(LITELLM_ID), f"/v1/videos/{ENCODED}"),
        (ops.content(LITELLM_ID, variant="video"), f"/v1/videos/{ENCODED}/content"),
        (ops.remix(LITELLM_ID, prompt="p", idempotency_key="k"), f"/v1/videos/{ENCODED}/remix"),
        (ops.character_get("char_a+b/c="), "/v1/videos/characters/char_a%2Bb%2Fc%3D"),
    ],
)
def test_proxy_ids_with_plus_slash_and_equals_stay_one_segment(
    spec: RequestSpec, path: str
) -> None:
    url = httpx.URL(build_request(config(), spec, {}).url)
    assert url.raw_path.decode() == path
    # The router decodes each segment back to the id, unchanged (``+`` is not a space).
    assert unquote(ENCODED) == LITELLM_ID
