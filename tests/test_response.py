"""Error answers in every shape the servers of this API send become typed errors with a message."""

from __future__ import annotations

import httpx
import pytest

from sora_videos import (
    APIResponseValidationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    UnprocessableEntityError,
    VideoDeleted,
)
from sora_videos._response import parse_model, status_error

REQUEST = httpx.Request("GET", "http://127.0.0.1:8000/v1/videos/video_1")


def answer(status: int, **kwargs: object) -> httpx.Response:
    return httpx.Response(status, request=REQUEST, **kwargs)  # type: ignore[arg-type]


def test_the_api_envelope() -> None:
    body = {
        "error": {
            "message": "No such video",
            "type": "invalid_request_error",
            "code": "not_found",
            "param": None,
        }
    }
    error = status_error(answer(404, json=body))
    assert isinstance(error, NotFoundError)
    assert (error.message, error.code, error.param) == ("No such video", "not_found", None)


def test_an_envelope_with_an_integer_code() -> None:
    body = {"error": {"message": "Video video_1 not found", "type": "NotFoundError", "code": 404}}
    error = status_error(answer(404, json=body))
    assert error.message == "Video video_1 not found"
    assert error.code == "404"


def test_an_envelope_whose_error_is_text() -> None:
    error = status_error(answer(500, json={"error": "engine crashed"}))
    assert isinstance(error, InternalServerError)
    assert error.message == "engine crashed"


def test_a_bare_message_body() -> None:
    body = {
        "object": "error",
        "message": "'prompt' is required",
        "type": "BadRequestError",
        "code": 400,
    }
    error = status_error(answer(400, json=body))
    assert isinstance(error, BadRequestError)
    assert error.message == "'prompt' is required"
    assert error.code == "400"
    assert str(error) == "400: 'prompt' is required"


def test_only_a_message() -> None:
    assert (
        status_error(answer(404, json={"message": "Video not found"})).message == "Video not found"
    )


def test_fastapi_detail_text() -> None:
    error = status_error(answer(404, json={"detail": "Generation is still in-progress"}))
    assert isinstance(error, NotFoundError)
    assert error.message == "Generation is still in-progress"
    assert error.body == {"detail": "Generation is still in-progress"}


def test_fastapi_validation_detail() -> None:
    body = {"detail": [{"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"}]}
    error = status_error(answer(422, json=body))
    assert isinstance(error, UnprocessableEntityError)
    assert error.message == "body.prompt: Field required"
    assert error.param == "body.prompt"


def test_fastapi_detail_object() -> None:
    body = {"detail": {"message": "all providers failed", "code": "upstream"}}
    error = status_error(answer(502, json=body))
    assert (error.message, error.code) == ("all providers failed", "upstream")


@pytest.mark.parametrize("body", [{}, {"detail": []}, {"detail": None}, {"message": 3}, [1, 2]])
def test_bodies_without_a_message_fall_back_to_the_reason(body: object) -> None:
    assert status_error(answer(404, json=body)).message == "Not Found"


def test_a_plain_text_body() -> None:
    error = status_error(
        answer(405, text="Method Not Allowed", headers={"content-type": "text/plain"})
    )
    assert error.message == "Method Not Allowed: Method Not Allowed"
    assert error.status_code == 405


def test_parse_model_passes_the_context_to_the_model() -> None:
    response = httpx.Response(200, json={"deleted": True}, request=REQUEST)
    deleted = parse_model(VideoDeleted, response, context={"video_id": "video_1"})
    assert (deleted.id, deleted.deleted) == ("video_1", True)
    with pytest.raises(APIResponseValidationError, match="id"):
        parse_model(VideoDeleted, response)
