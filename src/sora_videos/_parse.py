"""Parsers shared by the sync and async resources: an answer into the method's result."""

from __future__ import annotations

import httpx

from ._models import Video, VideoCharacter, VideoDeleted, VideoList
from ._response import parse_model

__all__ = ["character", "deleted", "video", "video_list"]


def video(response: httpx.Response) -> Video:
    """A ``Video`` answer."""
    return parse_model(Video, response)


def deleted(response: httpx.Response) -> VideoDeleted:
    """A ``VideoDeleted`` answer."""
    return parse_model(VideoDeleted, response)


def character(response: httpx.Response) -> VideoCharacter:
    """A ``VideoCharacter`` answer."""
    return parse_model(VideoCharacter, response)


def video_list(response: httpx.Response) -> VideoList:
    """One page of ``list``."""
    return parse_model(VideoList, response)
