"""The fault campaign: many calls of each kind, sync and async, against the emulator with one
fault injected at a fixed rate, and the counts that say whether the SDK kept its promises.

Used by ``test_fault_campaign.py`` (which asserts the invariants) and by
``scripts/fault_campaign.py`` (which prints the table in ``docs/reliability.md``). Retry waits
are recorded, not slept: ``recorded_waits()`` injects each client engine's ``sleep``.
Everything is seeded, so the same arguments give the same table.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import anyio
import anyio.lowlevel

from sora_videos import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncSora,
    IncompleteDownloadError,
    InternalServerError,
    RateLimitError,
    RequestOptions,
    Sora,
    SoraError,
)
from sora_videos._retry import MAX_RETRY_AFTER
from sora_videos.emulator import Emulator, Fault, ManualClock

from ..conftest import sleeping_with

__all__ = [
    "CALLS",
    "SCENARIOS",
    "Outcome",
    "Row",
    "Scenario",
    "format_table",
    "recorded_waits",
    "run",
]

MAX_RETRIES = 2
SEED = 6
CALLS = 150
"""Calls per mode (sync and async) in each row, in CI and in the published table."""
OP_HEADER = "x-campaign-op"
Operation = Literal["create", "retrieve", "download"]
PATHS: dict[Operation, tuple[str, str]] = {
    "create": ("POST", "/videos"),
    "retrieve": ("GET", "/videos/{id}"),
    "download": ("GET", "/videos/{id}/content"),
}


@dataclass(frozen=True)
class Scenario:
    """One row: a fault, the operation it is injected into, and what a failure must raise."""

    name: str
    fault: Fault
    operation: Operation
    error: type[SoraError]
    rate: float = 0.3
    timeout: float | None = None
    """A short per-request timeout, for faults that are about time."""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("429, Retry-After: 2", Fault.status(429, retry_after=2), "create", RateLimitError),
    Scenario(
        "429, Retry-After: 120 (over the cap)",
        Fault.status(429, retry_after=120),
        "create",
        RateLimitError,
    ),
    Scenario("500", Fault.status(500), "retrieve", InternalServerError),
    Scenario("503", Fault.status(503), "create", InternalServerError),
    Scenario("dropped before answering", Fault.drop(), "create", APIConnectionError),
    Scenario(
        "dropped after creating the job",
        Fault.drop(after_handling=True),
        "create",
        APIConnectionError,
    ),
    Scenario("read timeout (20 ms)", Fault.delay(1.0), "create", APITimeoutError, timeout=0.02),
    Scenario("download cut at 40%", Fault.cut(fraction=0.4), "download", IncompleteDownloadError),
    Scenario("malformed JSON (200)", Fault.malformed_json(), "create", APIResponseValidationError),
    Scenario("HTML 502 page from a proxy", Fault.html(502), "download", InternalServerError),
)


@dataclass
class Outcome:
    """What happened to one call."""

    tag: str
    subject: str
    """The prompt of a create, or the video id of a retrieve or download."""
    error: BaseException | None = None
    waits: list[float] = field(default_factory=list[float])
    requests: int = 0
    target: Path | None = None


@dataclass
class Row:
    """The counts for one scenario, over its sync and async calls."""

    scenario: Scenario
    outcomes: list[Outcome]
    duplicate_jobs: int
    partial_files: int
    fault_hits: int
    seconds: float

    @property
    def calls(self) -> int:
        """Calls made."""
        return len(self.outcomes)

    @property
    def ok_first_try(self) -> int:
        """Calls that succeeded with one request."""
        return sum(1 for o in self.outcomes if o.error is None and o.requests == 1)

    @property
    def ok_after_retries(self) -> int:
        """Calls that succeeded after at least one retry (or download resume)."""
        return sum(1 for o in self.outcomes if o.error is None and o.requests > 1)

    @property
    def typed_errors(self) -> int:
        """Calls that failed with exactly the scenario's error class."""
        return sum(1 for o in self.outcomes if type(o.error) is self.scenario.error)

    @property
    def wrong_errors(self) -> list[BaseException]:
        """Failures of any other class (must be none)."""
        expected = self.scenario.error
        return [
            o.error for o in self.outcomes if o.error is not None and type(o.error) is not expected
        ]

    @property
    def over_budget(self) -> int:
        """Calls that sent more than ``1 + max_retries`` requests (must be none)."""
        return sum(1 for o in self.outcomes if o.requests > 1 + MAX_RETRIES)

    @property
    def waits(self) -> list[float]:
        """Every recorded wait before a retry."""
        return [wait for o in self.outcomes for wait in o.waits]


# --- recording waits instead of sleeping -------------------------------------------------------


@contextlib.contextmanager
def recorded_waits(*clients: Sora | AsyncSora) -> Iterator[list[float]]:
    """Make the clients record their retry waits in the yielded list instead of sleeping
    (each engine's ``sleep``, injected)."""
    waits: list[float] = []
    for client in clients:
        sleeping_with(client, waits.append)
    yield waits


# --- running one scenario ----------------------------------------------------------------------


def run(scenario: Scenario, calls: int, workdir: Path | None = None) -> Row:
    """Run ``calls`` sync and ``calls`` async calls of the scenario; return its counts.

    Args:
        scenario: The fault and operation.
        calls: Calls per mode (sync, then async on asyncio).
        workdir: Where downloads go (a temporary folder if ``None``).
    """
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        clock = ManualClock()
        seed = SEED + zlib.crc32(scenario.name.encode())  # each row its own fault draws
        emu = stack.enter_context(Emulator(clock=clock, seed=seed))
        sora = stack.enter_context(emu.client(max_retries=MAX_RETRIES))
        jobs = _setup_jobs(scenario, sora, clock, 2 * calls)
        method, path = PATHS[scenario.operation]
        rule = emu.faults.add(scenario.fault, method=method, path=path, rate=scenario.rate)
        waits = stack.enter_context(recorded_waits(sora))
        outcomes = [
            _sync_call(scenario, sora, f"s{i}", jobs[i], workdir, waits) for i in range(calls)
        ]
        outcomes += anyio.run(_async_calls, scenario, emu, jobs[calls:], workdir, waits)
        emu.faults.clear()
        _count_requests(emu, outcomes)
        _reconcile(scenario, sora, outcomes)
        return Row(
            scenario,
            outcomes,
            duplicate_jobs=_duplicates(emu),
            partial_files=_partial_files(workdir, outcomes),
            fault_hits=rule.hits,
            seconds=time.perf_counter() - started,
        )


def _setup_jobs(scenario: Scenario, sora: Sora, clock: ManualClock, count: int) -> list[str]:
    """Completed jobs for retrieve and download calls (ids), or the prompts of creates."""
    if scenario.operation == "create":
        return [f"campaign call {i}" for i in range(count)]
    ids = [sora.videos.create(prompt=f"setup job {i}").id for i in range(count)]
    clock.advance(3600)
    return ids


def _sync_call(
    scenario: Scenario, sora: Sora, tag: str, subject: str, workdir: Path, waits: list[float]
) -> Outcome:
    outcome = Outcome(tag, subject)
    before = len(waits)
    options = _options(scenario, tag)
    try:
        if scenario.operation == "create":
            sora.videos.create(prompt=subject, **options)
        elif scenario.operation == "retrieve":
            sora.videos.retrieve(subject, **options)
        else:
            outcome.target = workdir / tag / "video.mp4"
            outcome.target.parent.mkdir()
            sora.videos.download(subject, outcome.target, **options)
    except Exception as exc:  # counted, and checked against the expected class
        outcome.error = exc
    outcome.waits = waits[before:]
    return outcome


async def _async_calls(
    scenario: Scenario, emu: Emulator, subjects: list[str], workdir: Path, waits: list[float]
) -> list[Outcome]:
    async with emu.async_client(max_retries=MAX_RETRIES) as sora:
        sleeping_with(sora, waits.append)
        return [
            await _async_call(scenario, sora, f"a{i}", subject, workdir, waits)
            for i, subject in enumerate(subjects)
        ]


async def _async_call(
    scenario: Scenario, sora: AsyncSora, tag: str, subject: str, workdir: Path, waits: list[float]
) -> Outcome:
    outcome = Outcome(tag, subject)
    before = len(waits)
    options = _options(scenario, tag)
    call: Callable[[], Awaitable[object]]
    if scenario.operation == "create":
        call = lambda: sora.videos.create(prompt=subject, **options)  # noqa: E731
    elif scenario.operation == "retrieve":
        call = lambda: sora.videos.retrieve(subject, **options)  # noqa: E731
    else:
        outcome.target = target = workdir / tag / "video.mp4"
        target.parent.mkdir()
        call = lambda: sora.videos.download(subject, target, **options)  # noqa: E731
    try:
        await call()
    except Exception as exc:  # counted, and checked against the expected class
        outcome.error = exc
    outcome.waits = waits[before:]
    return outcome


def _options(scenario: Scenario, tag: str) -> RequestOptions:
    options: RequestOptions = {"extra_headers": {OP_HEADER: tag}}
    if scenario.timeout is not None:
        options["timeout"] = scenario.timeout
    return options


def _count_requests(emu: Emulator, outcomes: list[Outcome]) -> None:
    sent = Counter(record.headers.get(OP_HEADER) for record in emu.requests)
    for outcome in outcomes:
        outcome.requests = sent[outcome.tag]


def _reconcile(scenario: Scenario, sora: Sora, outcomes: list[Outcome]) -> None:
    """Do what a caller should after a failed create: replay the error's idempotency key.

    A key that went missing shows up as a duplicate job."""
    if scenario.operation != "create":
        return
    for outcome in outcomes:
        if isinstance(outcome.error, APIError):
            key = outcome.error.idempotency_key
            sora.videos.create(prompt=outcome.subject, idempotency_key=key)


def _duplicates(emu: Emulator) -> int:
    per_prompt = Counter(job["prompt"] for job in emu.jobs)
    return sum(count - 1 for count in per_prompt.values())


def _partial_files(workdir: Path, outcomes: list[Outcome]) -> int:
    """Temporary files left behind, targets left by failed downloads, wrong-sized targets."""
    leftovers = sum(1 for path in workdir.rglob("*") if path.name.endswith(".part"))
    for outcome in outcomes:
        if outcome.target is None:
            continue
        if outcome.error is not None and outcome.target.exists():
            leftovers += 1
        if outcome.error is None and outcome.target.stat().st_size == 0:
            leftovers += 1
    return leftovers


# --- the table ---------------------------------------------------------------------------------

HEADER = (
    "| Fault | Injected into | Rate | Calls (sync + async) | Faults injected | OK first try "
    "| OK after retries "
    "| Typed error | Other errors | Duplicate jobs | Partial files | Over retry budget "
    "| Waits recorded |"
)


def format_table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [HEADER, "|" + "---|" * HEADER.count(" | ") + "---|"]
    for row in rows:
        s = row.scenario
        method, path = PATHS[s.operation]
        lines.append(
            f"| {s.name} | `{method} {path}` | {s.rate:.0%} | {row.calls} | {row.fault_hits} "
            f"| {row.ok_first_try} "
            f"| {row.ok_after_retries} | {row.typed_errors} `{s.error.__name__}` "
            f"| {len(row.wrong_errors)} | {row.duplicate_jobs} | {row.partial_files} "
            f"| {row.over_budget} | {_waits(row.waits)} |"
        )
    return "\n".join(lines)


def _waits(waits: list[float]) -> str:
    if not waits:
        return "none"
    low, high = min(waits), max(waits)
    spread = f"{low:.2f} s" if low == high else f"{low:.2f}-{high:.2f} s"
    return f"{len(waits)}, {spread} (cap {MAX_RETRY_AFTER:g} s)"
