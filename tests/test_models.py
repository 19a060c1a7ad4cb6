"""Answers from every server that speaks the API parse into the same models."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sora_videos import Video, VideoCreateError, VideoDeleted, VideoFailedError
from sora_videos._models import MAX_ID_LENGTH, VideoList

BASE: dict[str, Any] = {"id": "video_1", "status": "queued"}


@pytest.mark.parametrize(
    ("sent", "seconds"),
    [("8", "8"), (8, "8"), (8.0, "8"), (4.5, "4.5"), (None, None)],
)
def test_seconds_as_a_string_a_number_or_null(sent: object, seconds: str | None) -> None:
    assert Video.model_validate({**BASE, "seconds": sent}).seconds == seconds


def test_a_duration_stands_in_for_missing_seconds() -> None:
    video = Video.model_validate({**BASE, "duration": 4.0, "fps": 24.0})
    assert video.seconds == "4"
    assert video.to_dict()["duration"] == 4.0  # the server's own field is kept too


def test_seconds_win_over_duration_when_both_are_sent() -> None:
    assert Video.model_validate({**BASE, "seconds": "8", "duration": 4.0}).seconds == "8"


@pytest.mark.parametrize(("sent", "progress"), [(None, 0), (42, 42), (42.6, 43)])
def test_progress_missing_null_or_fractional(sent: object, progress: int) -> None:
    assert Video.model_validate({**BASE, "progress": sent}).progress == progress
    assert Video.model_validate(BASE).progress == 0


def test_object_may_be_absent_and_status_any_word() -> None:
    video = Video.model_validate({"id": "video_gen_1", "status": "generating"})
    assert video.object == "video"
    assert video.status == "generating"


def test_status_stays_exactly_what_the_server_sent() -> None:
    assert Video.model_validate({**BASE, "status": "Succeeded"}).status == "Succeeded"


def test_unknown_fields_are_kept() -> None:
    video = Video.model_validate({**BASE, "media_type": "video/mp4", "inference_time_s": 12.5})
    assert video.to_dict()["media_type"] == "video/mp4"
    assert video.to_dict()["inference_time_s"] == 12.5


def test_size_may_be_null() -> None:
    assert Video.model_validate({**BASE, "size": None}).size is None


def test_an_error_object_with_an_integer_code() -> None:
    video = Video.model_validate(
        {**BASE, "status": "failed", "error": {"code": 500, "message": "CUDA out of memory"}}
    )
    assert video.error == VideoCreateError(code="500", message="CUDA out of memory")
    assert str(video.error) == "500: CUDA out of memory"


def test_an_error_object_with_only_a_message() -> None:
    video = Video.model_validate({**BASE, "status": "failed", "error": {"message": "boom"}})
    assert video.error is not None
    assert video.error.code is None
    assert str(video.error) == "boom"


def test_an_error_as_a_plain_string() -> None:
    video = Video.model_validate({**BASE, "status": "failed", "error": "output.video is None"})
    assert video.error == VideoCreateError(code=None, message="output.video is None")


def test_an_empty_error_string_is_no_error() -> None:
    assert Video.model_validate({**BASE, "error": ""}).error is None


def test_the_failure_message_names_the_final_word_and_the_reason() -> None:
    video = Video.model_validate({**BASE, "status": "cancelled", "error": "stopped by user"})
    assert str(VideoFailedError(video)) == "video video_1 cancelled (stopped by user)"
    coded = Video.model_validate(
        {**BASE, "status": "failed", "error": {"code": "x", "message": "y"}}
    )
    assert str(VideoFailedError(coded)) == "video video_1 failed (x: y)"


def test_the_publishers_delete_answer() -> None:
    deleted = VideoDeleted.model_validate(
        {"id": "video_1", "object": "video.deleted", "deleted": True}
    )
    assert (deleted.id, deleted.deleted) == ("video_1", True)


def test_a_delete_answered_with_the_video_object() -> None:
    answer = {"id": "video_1", "object": "video", "status": "deleted", "model": "sora-2"}
    deleted = VideoDeleted.model_validate(answer)
    assert deleted.id == "video_1"
    assert deleted.deleted is True
    assert deleted.to_dict()["status"] == "deleted"


def test_a_video_object_that_was_not_deleted_is_not_taken_for_a_deletion() -> None:
    with pytest.raises(ValueError, match="deleted"):
        VideoDeleted.model_validate({"id": "video_1", "object": "video", "status": "completed"})


def test_a_list_without_cursor_fields() -> None:
    page = VideoList.model_validate(
        {"object": "list", "data": [{"id": "video_1", "status": "generating"}]}
    )
    assert [video.id for video in page.data] == ["video_1"]
    assert page.has_more is False
    assert page.last_id is None


def test_a_delete_answer_without_an_id_takes_the_id_asked_for() -> None:
    deleted = VideoDeleted.model_validate({"deleted": True}, context={"video_id": "video_1"})
    assert (deleted.id, deleted.deleted) == ("video_1", True)
    sent = VideoDeleted.model_validate(
        {"id": "video_2", "deleted": True}, context={"video_id": "video_1"}
    )
    assert sent.id == "video_2"  # the server's own id wins
    with pytest.raises(ValueError, match="id"):
        VideoDeleted.model_validate({"deleted": True})


@pytest.mark.parametrize("sent", [True, float("nan"), [4]])
def test_seconds_that_are_no_length_are_refused(sent: object) -> None:
    with pytest.raises(ValueError, match="seconds"):
        Video.model_validate({**BASE, "seconds": sent})


def _usable(video_id: str) -> bool:
    """The rule for a server's id, spelled out: it goes into URLs and file names."""
    controls = any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in video_id)
    return video_id not in ("", ".", "..") and len(video_id) <= MAX_ID_LENGTH and not controls


_ids = st.one_of(
    st.text(st.sampled_from(".a\x00\x1f\x7f\x85\x9f\xa0/é"), max_size=5),
    st.text(max_size=20),
    st.text(st.sampled_from("ab."), min_size=MAX_ID_LENGTH - 2, max_size=MAX_ID_LENGTH + 2),
)


@given(video_id=_ids)
def test_an_id_is_taken_exactly_when_usable_in_urls_and_file_names(video_id: str) -> None:
    try:
        video = Video.model_validate({"id": video_id, "status": "queued"})
    except pydantic.ValidationError as err:
        assert not _usable(video_id)
        (problem,) = err.errors(include_url=False)
        assert problem["loc"] == ("id",)
        assert "unusable id from the server" in problem["msg"]
    else:
        assert _usable(video_id)
        assert video.id == video_id


@pytest.mark.parametrize(
    ("field", "sent", "expected"),
    [("progress", "many", "an integer or null"), ("seconds", [4], "a string, a number")],
)
def test_a_value_no_server_sends_is_refused_with_what_was_expected(
    field: str, sent: object, expected: str
) -> None:
    with pytest.raises(pydantic.ValidationError) as raised:
        Video.model_validate({**BASE, field: sent})
    (problem,) = raised.value.errors(include_url=False)
    assert problem["loc"] == (field,)
    assert expected in problem["msg"]


def test_an_empty_error_is_no_error_and_a_null_one_too() -> None:
    for error in ("", {"code": None, "message": ""}, None):
        assert Video.model_validate({**BASE, "status": "failed", "error": error}).error is None
    kept = Video.model_validate({**BASE, "status": "failed", "error": {"code": 7, "message": ""}})
    assert kept.error == VideoCreateError(code="7", message="")
