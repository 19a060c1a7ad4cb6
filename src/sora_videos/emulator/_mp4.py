"""Pure ISO-BMFF (MP4) box surgery: stretch a one-second fragmented MP4 to N seconds.

A template is ``ftyp`` + ``moov`` (the init segment) then one ``moof`` + ``mdat`` pair holding
exactly one second of video. An N-second file is the init segment, with its durations set and
an ``mehd`` box added, followed by the fragment N times, each with its own ``mfhd`` sequence
number and ``tfdt`` decode time.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Box", "Probe", "free_box_header", "iter_boxes", "probe", "stretch"]

Buffer = bytes | bytearray | memoryview
"""Bytes to read boxes from: a template, an answer being built, or a view of an upload."""

_CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"moof", b"traf"})


@dataclass(frozen=True)
class Box:
    """Where one box sits in a byte string: ``data[start:end]``, payload from ``body``."""

    kind: bytes
    start: int
    body: int
    end: int


@dataclass(frozen=True)
class Probe:
    """What a file says about itself: frame size and duration."""

    width: int
    height: int
    seconds: float


def iter_boxes(data: Buffer, start: int = 0, end: int | None = None) -> Iterator[Box]:
    """Yield the boxes found side by side in ``data[start:end]``.

    Raises:
        ValueError: If a box header is truncated or its size is impossible.
    """
    end = len(data) if end is None else end
    at = start
    while at < end:
        if end - at < 8:
            raise ValueError(f"truncated box header at offset {at}")
        size, kind = struct.unpack_from(">I4s", data, at)
        body = at + 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, at + 8)
            body = at + 16
        elif size == 0:
            size = end - at
        if size < body - at or at + size > end:
            raise ValueError(f"bad size {size} for box {kind!r} at offset {at}")
        yield Box(kind, at, body, at + size)
        at += size


def find(data: Buffer, *path: bytes, start: int = 0, end: int | None = None) -> Box:
    """Return the first box at ``path`` (e.g. ``b"moov", b"mvhd"``) below ``data[start:end]``.

    Raises:
        ValueError: If there is no such box.
    """
    for box in iter_boxes(data, start, end):
        if box.kind == path[0]:
            return box if len(path) == 1 else find(data, *path[1:], start=box.body, end=box.end)
    raise ValueError(f"no {b'/'.join(path)!r} box")


def _duration_offset(data: Buffer, box: Box) -> tuple[int, str]:
    """Where a full box keeps its duration (``mvhd``, ``tkhd``, ``mdhd``), and its format."""
    version = data[box.body]
    tail = {b"tkhd": 8}.get(box.kind, 4)  # tkhd: track_ID + reserved; others: timescale
    if version == 1:
        return box.body + 4 + 16 + tail, ">Q"
    return box.body + 4 + 8 + tail, ">I"


def _timescale(data: Buffer, box: Box) -> int:
    """Return the timescale of an ``mvhd`` or ``mdhd`` box."""
    offset = box.body + 4 + (16 if data[box.body] == 1 else 8)
    (scale,) = struct.unpack_from(">I", data, offset)
    return int(scale)


def _set_duration(out: bytearray, box: Box, value: int) -> None:
    offset, fmt = _duration_offset(out, box)
    struct.pack_into(fmt, out, offset, value)


def _init_segment(template: bytes, seconds: int) -> bytes:
    """Return ``ftyp`` + ``moov`` with every duration set to ``seconds`` and an ``mehd``."""
    moov = find(template, b"moov")
    movie_scale = _timescale(template, find(template, b"moov", b"mvhd"))
    track_scale = _timescale(template, find(template, b"moov", b"trak", b"mdia", b"mdhd"))
    out = bytearray(template[: moov.end])
    _set_duration(out, find(template, b"moov", b"mvhd"), seconds * movie_scale)
    _set_duration(out, find(template, b"moov", b"trak", b"tkhd"), seconds * movie_scale)
    _set_duration(out, find(template, b"moov", b"trak", b"mdia", b"mdhd"), seconds * track_scale)
    mvex = find(template, b"moov", b"mvex")
    mehd = struct.pack(">I4sII", 16, b"mehd", 0, seconds * movie_scale)
    out[mvex.body : mvex.body] = mehd  # mehd must come first in mvex
    for box in (moov, mvex):  # both grew by len(mehd); neither uses a 64-bit size here
        struct.pack_into(">I", out, box.start, box.end - box.start + len(mehd))
    return bytes(out)


def _fragment(template: bytes, index: int) -> bytes:
    """Return the template's ``moof`` + ``mdat`` renumbered as fragment ``index`` (0-based)."""
    moof = find(template, b"moof")
    mdat = find(template, b"mdat", start=moof.end)
    track_scale = _timescale(template, find(template, b"moov", b"trak", b"mdia", b"mdhd"))
    out = bytearray(template[moof.start : mdat.end])
    mfhd = find(template, b"moof", b"mfhd")
    struct.pack_into(">I", out, mfhd.body + 4 - moof.start, index + 1)
    tfdt = find(template, b"moof", b"traf", b"tfdt")
    fmt = ">Q" if template[tfdt.body] == 1 else ">I"
    struct.pack_into(fmt, out, tfdt.body + 4 - moof.start, index * track_scale)
    return bytes(out)


def stretch(template: bytes, seconds: int) -> bytes:
    """Build a ``seconds``-long fragmented MP4 from a one-second template.

    Args:
        template: ``ftyp`` + ``moov`` + one ``moof`` + ``mdat`` lasting exactly one second.
        seconds: The length wanted (at least 1).

    Returns:
        The whole file.

    Raises:
        ValueError: If ``seconds`` is below 1 or the template lacks a box it needs.
    """
    if seconds < 1:
        raise ValueError(f"seconds must be at least 1, got {seconds}")
    parts = [_init_segment(template, seconds)]
    parts.extend(_fragment(template, i) for i in range(seconds))
    return b"".join(parts)


def probe(data: Buffer) -> Probe | None:
    """Read the frame size and duration of an MP4, or return ``None`` if it is not one."""
    try:
        mvhd = find(data, b"moov", b"mvhd")
        tkhd = find(data, b"moov", b"trak", b"tkhd")
        offset, fmt = _duration_offset(data, mvhd)
        (duration,) = struct.unpack_from(fmt, data, offset)
        width, height = struct.unpack_from(">II", data, tkhd.end - 8)
        scale = _timescale(data, mvhd)
    except (ValueError, struct.error, IndexError):
        return None
    if scale == 0:
        return None
    return Probe(int(width) >> 16, int(height) >> 16, int(duration) / scale)


def free_box_header(size: int) -> bytes:
    """Return the header of a ``free`` box that is ``size`` bytes long in all (at least 8)."""
    if size < 8:
        raise ValueError(f"a box takes at least 8 bytes, got {size}")
    if size < 2**32:
        return struct.pack(">I4s", size, b"free")
    return struct.pack(">I4sQ", 1, b"free", size)
