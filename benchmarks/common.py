"""What every benchmark shares: the answer bodies, the floor's hand-written model, timing
and memory helpers, and the shape of a result."""

from __future__ import annotations

import gc
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pydantic

API_KEY = "sk-bench-0123456789"
BASE_URL = "http://api.bench.test/v1"
VIDEO_ID = "video_68d7512d07848190b3e45da0ecbebcde"


def video_json(video_id: str = VIDEO_ID) -> dict[str, Any]:
    """A completed ``Video`` as the API sends it."""
    return {
        "id": video_id,
        "object": "video",
        "model": "sora-2",
        "status": "completed",
        "progress": 100,
        "created_at": 1_758_941_485,
        "completed_at": 1_758_941_560,
        "expires_at": 1_759_027_960,
        "prompt": "A calico cat playing a piano on stage, warm spotlight",
        "size": "720x1280",
        "seconds": "8",
        "remixed_from_video_id": None,
        "error": None,
    }


VIDEO_BODY = json.dumps(video_json()).encode()
JSON_HEADERS = {"content-type": "application/json", "x-request-id": "req_bench"}


class FloorError(pydantic.BaseModel):
    """The floor's hand-written model of a job's error."""

    code: str
    message: str


class FloorVideo(pydantic.BaseModel):
    """What a careful person would write by hand instead of an SDK's ``Video``."""

    model_config = pydantic.ConfigDict(extra="allow")

    id: str
    object: str = "video"
    model: str = "sora-2"
    status: str
    progress: int = 0
    created_at: int = 0
    completed_at: int | None = None
    expires_at: int | None = None
    prompt: str | None = None
    size: str = "720x1280"
    seconds: str = "4"
    remixed_from_video_id: str | None = None
    error: FloorError | None = None


class FloorVideoList(pydantic.BaseModel):
    """The floor's model of one page of ``GET /videos``."""

    data: list[FloorVideo]
    last_id: str | None = None
    has_more: bool = False


@dataclass
class Stats:
    """Repeated measurements of one quantity: the median and the spread."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


@dataclass
class Result:
    """One benchmark's numbers: each variant's samples, in ``unit``."""

    name: str
    unit: str
    variants: dict[str, Stats] = field(default_factory=dict[str, Stats])
    notes: list[str] = field(default_factory=list[str])

    def add(self, variant: str, sample: float) -> None:
        self.variants.setdefault(variant, Stats([])).samples.append(sample)

    def ratio(self, variant: str, reference: str) -> float:
        return self.variants[variant].median / self.variants[reference].median


def rounds(
    variants: dict[str, Callable[[], float]], repeats: int, result: Result, scale: float = 1.0
) -> Result:
    """Run every variant once per round, in rotation, so drift hits all of them alike."""
    names: Sequence[str] = list(variants)
    for index in range(repeats):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            gc.collect()
            result.add(name, variants[name]() * scale)
    return result


def per_call(call: Callable[[], object], calls: int) -> float:
    """Seconds per call of ``call``, over ``calls`` calls in a row."""
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls


def proc_status(field_name: str) -> int:
    """A ``/proc/self/status`` memory field (``VmRSS``, ``VmHWM``) in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field_name)


def reset_peak_rss() -> None:
    """Make ``VmHWM`` start again from the current RSS (Linux ``clear_refs`` 5)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
