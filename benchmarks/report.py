"""Turning results into the targets table, the detail table and the chart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common import Result

SORA = "sora_videos"


@dataclass
class Row:
    """One target: what was measured, beside what it should be."""

    what: str
    measured: str
    target: str
    met: bool


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def _median(result: Result, variant: str) -> str:
    return f"{_fmt(result.variants[variant].median)} {result.unit}"


def _per_call(result: Result, mode: str) -> list[Row]:
    floor, oai = result.ratio(SORA, "floor (httpx)"), result.ratio(SORA, "openai")
    what = f"`retrieve` {mode}: {_median(result, SORA)} vs floor {_median(result, 'floor (httpx)')}"
    return [
        Row(what, f"{floor:.2f}x floor", "≤ 1.3x floor", floor <= 1.3),
        Row(
            f"… vs `openai` {_median(result, 'openai')}",
            f"{oai:.2f}x openai",
            "≤ 0.45x",
            oai <= 0.45,
        ),
    ]


def _paging(time: Result, memory: Result, counts: tuple[int, int]) -> list[Row]:
    ratio = time.ratio(SORA, "floor (httpx)")
    small, large = (memory.variants[f"{SORA} @ {count:,}"].median for count in counts)
    return [
        Row(
            f"`list` auto-paging, {counts[1]:,} videos: {_median(time, SORA)} vs floor "
            f"{_median(time, 'floor (httpx)')}",
            f"{ratio:.2f}x floor",
            "≤ 1.3x floor",
            ratio <= 1.3,
        ),
        Row(
            f"… peak traced memory at {counts[0]:,} / {counts[1]:,} videos: "
            f"{_fmt(small)} / {_fmt(large)} KiB",
            f"{large / small:.2f}x for {counts[1] // counts[0]}x the videos",
            "independent of the count (≤ 1.25x)",
            large / small <= 1.25,
        ),
    ]


def _startup(wall: Result, rss: Result) -> list[Row]:
    floor = "floor (httpx + pydantic)"
    rows = []
    for result, label in ((wall, "wall time"), (rss, "peak RSS")):
        ratio = result.ratio(SORA, floor)
        rows.append(
            Row(
                f"`import sora_videos` + client, {label}: {_median(result, SORA)} vs floor "
                f"{_median(result, floor)} (`openai` {_median(result, 'openai')})",
                f"{ratio:.2f}x floor",
                "≤ 1.25x floor",
                ratio <= 1.25,
            )
        )
    return rows


FLOOR_FSYNC = "floor (httpx iter_bytes, then fsync)"


def _download(speed: Result, growth: Result) -> list[Row]:
    """One row per SDK variant. A sync download is held to the floor that does the same work:
    every file the SDK saves is on disk (``fsync``) before it is renamed into place, so its
    floor flushes too; the ratio to the plain floor, which leaves the writing to the system
    after the clock stops, is shown beside it."""
    rows = []
    sync_floor = "floor (httpx iter_bytes)"
    for variant in (name for name in speed.variants if name.startswith(SORA)):
        if "async" in variant:
            floor = "floor (httpx async aiter_bytes)"
            ratio = speed.ratio(variant, floor)
            versus = (
                f"{ratio:.2f}x its floor ({speed.ratio(variant, sync_floor):.2f}x the sync floor)"
            )
        elif FLOOR_FSYNC in speed.variants:
            floor = FLOOR_FSYNC
            ratio = speed.ratio(variant, floor)
            versus = (
                f"{ratio:.2f}x the floor with fsync "
                f"({speed.ratio(variant, sync_floor):.2f}x the floor without)"
            )
        else:
            floor = sync_floor
            ratio = speed.ratio(variant, floor)
            versus = f"{ratio:.2f}x its floor"
        grown = growth.variants[variant].high
        rows.append(
            Row(
                f"{_title(speed)}, `{variant[len(SORA) + 1 :]}`: "
                f"{_median(speed, variant)} vs floor {_median(speed, floor)}",
                f"+{_fmt(grown)} MiB at most; {versus}",
                "≤ 16 MiB; ≥ 0.9x floor",
                grown <= 16 and ratio >= 0.9,
            )
        )
    openai = growth.variants["openai write_to_file()"].median
    openai_speed = _median(speed, "openai write_to_file()")
    rows.append(
        Row(f"… `openai` `write_to_file()`: {openai_speed}", f"+{_fmt(openai)} MiB", "", True)
    )
    return rows


def _title(result: Result) -> str:
    return result.name.rsplit(", ", 1)[0]


def _concurrency(speed: Result, errors: Result) -> list[Row]:
    ratio = speed.ratio(SORA, "openai")
    failed = errors.variants[SORA].high
    return [
        Row(
            f"{_title(speed)} on loopback: {_median(speed, SORA)} vs `openai` "
            f"{_median(speed, 'openai')}, floor {_median(speed, 'floor (httpx)')}",
            f"{ratio:.2f}x openai; {failed:.0f} errors",
            "≥ 1x openai; no errors",
            ratio >= 1 and failed == 0,
        )
    ]


def _poll(result: Result) -> list[Row]:
    sent = {name: stats.median for name, stats in result.variants.items() if name.startswith(SORA)}
    exact = all(count == float(name.rsplit("=", 1)[1]) for name, count in sent.items())
    shown = ", ".join(f"N={name.rsplit('=', 1)[1]}: {count:.0f}" for name, count in sent.items())
    return [Row("`poll` of a job needing N checks", shown, "exactly N requests", exact)]


FLEET = "sora_videos as_completed (fleet)"
PER_JOB = ("sora_videos create_and_poll per job", "openai create_and_poll per job")
PACED, BOUND = "sora_videos, paced", "lower bound of the limit"


def request_rows(results: dict[str, Result]) -> list[Row]:
    """Requests per job (fleet against per-job loops) and the paced run, when measured."""
    if "requests" not in results:
        return []
    cost = results["requests"]
    fleet = cost.variants[FLEET].median
    loops = ", ".join(f"{name.split()[0]} {_median(cost, name)}" for name in PER_JOB)
    worst = max(cost.variants[name].median for name in PER_JOB)
    makespan, refused = results["paced"], results["paced_refused"].variants[PACED].high
    ratio = makespan.ratio(PACED, BOUND)
    return [
        Row(
            f"{_title(cost)}: `as_completed`, 100 at a time, vs `create_and_poll` per job "
            f"({loops})",
            f"{fleet:.2f} requests/job ({worst / fleet:.0f}x fewer)",
            "≤ 3 requests/job",
            fleet <= 3,
        ),
        Row(
            f"{_title(makespan)}: {_median(makespan, PACED)} vs lower bound "
            f"{_median(makespan, BOUND)}",
            f"{refused:.0f} 429s; {ratio:.2f}x the bound",
            "no 429; close to the bound (≤ 1.25x)",
            refused == 0 and ratio <= 1.25,
        ),
    ]


INSTRUCTIONS = {
    "sync_instructions": "`retrieve` sync",
    "async_instructions": "`retrieve` async",
    "list_instructions": "`list` auto-paging, per video",
}


def instruction_rows(results: dict[str, Result]) -> list[Row]:
    """The per-call and paging targets again, as instructions counted by callgrind (which
    another process on the machine does not move), when measured."""
    rows = []
    for key, what in INSTRUCTIONS.items():
        if key not in results:
            continue
        result = results[key]
        floor, oai = result.ratio(SORA, "floor (httpx)"), result.ratio(SORA, "openai")
        rows.append(
            Row(
                f"{what}, instructions: {_median(result, SORA)} vs floor "
                f"{_median(result, 'floor (httpx)')} (`openai` {_median(result, 'openai')})",
                f"{floor:.2f}x floor; {oai:.2f}x openai",
                "≤ 1.3x floor" + ("" if key == "list_instructions" else "; ≤ 0.45x openai"),
                floor <= 1.3 and (key == "list_instructions" or oai <= 0.45),
            )
        )
    return rows


def target_rows(results: dict[str, Result], list_counts: tuple[int, int]) -> list[Row]:
    """Every target of the issue with what this run measured."""
    rows = _per_call(results["sync"], "sync") + _per_call(results["async"], "async")
    rows += _paging(results["list"], results["list_memory"], list_counts)
    rows += instruction_rows(results)
    rows += _startup(results["import_wall"], results["import_rss"])
    rows += _download(results["download_speed"], results["download_memory"])
    rows += _concurrency(results["concurrency"], results["concurrency_errors"])
    return rows + _poll(results["poll"]) + request_rows(results)


def markdown_targets(rows: list[Row]) -> str:
    """The targets as a Markdown table."""
    lines = ["| what | measured | target | met |", "|---|---|---|---|"]
    for row in rows:
        met = "" if not row.target else ("yes" if row.met else "**no**")
        lines.append(f"| {row.what} | {row.measured} | {row.target} | {met} |")
    return "\n".join(lines)


def markdown_details(results: dict[str, Result]) -> str:
    """Every variant's median with min and max, as a Markdown table."""
    lines = ["| benchmark | variant | median | min | max | runs |", "|---|---|---:|---:|---:|---:|"]
    for result in results.values():
        for variant, stats in result.variants.items():
            lines.append(
                f"| {result.name} ({result.unit}) | {variant} | {_fmt(stats.median)} | "
                f"{_fmt(stats.low)} | {_fmt(stats.high)} | {len(stats.samples)} |"
            )
    return "\n".join(lines)


PANELS = [
    ("sync", "retrieve, sync: µs per call (lower is better)"),
    ("async", "retrieve, async: µs per call (lower is better)"),
    ("list", "list auto-paging: ms (lower is better)"),
    ("import_wall", "import + client: ms (lower is better)"),
    ("import_rss", "import + client: peak RSS, MiB (lower is better)"),
    ("download_speed", "download: MiB/s (higher is better)"),
    ("download_memory", "download: client memory growth, MiB (log)"),
    ("concurrency", "1,000 concurrent retrieves: calls/s (higher is better)"),
    ("requests", "requests per completed and downloaded job (log; lower is better)"),
    ("paced", "makespan under 60 requests/min, emulated s (lower is better)"),
    ("sync_instructions", "retrieve, sync: k instructions per call (lower is better)"),
    ("async_instructions", "retrieve, async: k instructions per call (lower is better)"),
    ("list_instructions", "list auto-paging: k instructions per video (log; lower is better)"),
]
LOG_SCALE = {"download_memory", "requests", "list_instructions"}


def chart(
    results: dict[str, Result], path: Path, title: str, panels: list[tuple[str, str]] = PANELS
) -> None:
    """Draw every measured quantity as horizontal bars (median, min-max whiskers)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [(key, label) for key, label in panels if key in results]
    rows = -(-len(shown) // 2)
    figure, axes = plt.subplots(rows, 2, figsize=(13, 3.25 * rows + 0.5), layout="constrained")
    for axis in axes.flat[len(shown) :]:
        axis.set_visible(False)
    for axis, (key, label) in zip(axes.flat, shown, strict=False):
        result = results[key]
        names = list(result.variants)
        medians = [result.variants[name].median for name in names]
        spans = [
            [m - result.variants[n].low for n, m in zip(names, medians, strict=True)],
            [result.variants[n].high - m for n, m in zip(names, medians, strict=True)],
        ]
        colours = [_colour(name) for name in names]
        axis.barh(names, medians, xerr=spans, color=colours, capsize=3)
        axis.invert_yaxis()
        axis.set_title(label, fontsize=10)
        if key in LOG_SCALE:
            axis.set_xscale("log")
        for index, (name, value) in enumerate(zip(names, medians, strict=True)):
            axis.annotate(
                _fmt(value), (result.variants[name].high, index), xytext=(5, 0),
                textcoords="offset points", va="center", fontsize=8,
            )  # fmt: skip
        axis.margins(x=0.18)
    figure.suptitle(title, fontsize=12)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _colour(name: str) -> str:
    if name.startswith(SORA):
        return "#2a7ab0"
    if name.startswith("openai"):
        return "#c0504d"
    if name.startswith("python"):
        return "#bbbbbb"
    return "#7f9f5f"
