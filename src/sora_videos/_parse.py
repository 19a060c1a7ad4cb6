"""Parsers shared by the sync and async resources: an answer into the method's result."""

from __future__ import annotations

import httpx

from ._models import Video, VideoCharacter, VideoDeleted, VideoList
from ._response import parse_model

__all__ = ["character", "deleted", "video", "video_list"]


def video(response: httpx.Response) -> Video:
    """A ``Video`` answer."""
    return parse_model(Video, response)


def deleted(response: httpx.Response, video_id: str) -> VideoDeleted:
    """A ``VideoDeleted`` answer to deleting ``video_id`` (in any server's shape: the
    publisher's, the video with ``status: "deleted"``, or a bare ``{"deleted": true}``)."""
    return parse_model(VideoDeleted, response, context={"video_id": video_id})


def character(response: httpx.Response) -> VideoCharacter:
    """A ``VideoCharacter`` answer."""
    return parse_model(VideoCharacter, response)


def video_list(response: httpx.Response, limit: int | None = None) -> VideoList:
    """One page of ``list``.

    A server that sends no ``has_more`` (SGLang) may still page by ``after``: a full page
    (``limit`` items) then counts as one with more to follow.
    """
    page = parse_model(VideoList, response)
    if limit and "has_more" not in page.model_fields_set and len(page.data) == limit:
        page.has_more = True
    return page
