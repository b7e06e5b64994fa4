"""The machine a benchmark ran on, and RESULTS.md."""

from __future__ import annotations

import math
import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_CASES = 1_000_000


def results_file(cases: int) -> Path:
    """RESULTS.md for the default million cases, RESULTS-10M.md and so on for other sizes."""
    if cases == DEFAULT_CASES:
        return Path(__file__).with_name("RESULTS.md")
    size = f"{cases // 1_000_000}M" if cases % 1_000_000 == 0 else str(cases)
    return Path(__file__).with_name(f"RESULTS-{size}.md")


def targets(cases: int) -> tuple[float, float]:
    """The summary's p99 ceiling in ms and its least speed-up over the plain aggregate, for a size of load."""
    return (20.0, 100.0) if cases >= 10_000_000 else (50.0, 20.0)


def machine() -> dict[str, str]:
    """CPU count, memory and CPU model, read from the kernel."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "cpu": model,
        "python": platform.python_version(),
    }


@dataclass
class Timing:
    """Latencies of one measured query, in milliseconds."""

    name: str
    calls: int
    p50: float
    p99: float


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a list of samples."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def write(
    *,
    cases: int,
    workers: int,
    postgres: str,
    load: dict[str, float | None],
    sizes: dict[str, int],
    disk: dict[str, str],
    pairs: list[tuple[Timing, Timing]],
    trends: list[Timing],
    check: str,
) -> str:
    """Write RESULTS.md and return its text."""
    info = machine()
    copy = "not repeated (--reuse: the cases of an earlier load)" if load["copy"] is None else f"{load['copy']:.1f} s"
    lines = [
        "# Metrics summary benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with "
        f"`python -m tools.bench.metrics.bench_summary --cases {cases}{' --reuse' if load['copy'] is None else ''}`.",
        "",
        "## Machine",
        f"- nproc: {info['nproc']}; memory: {info['memory']}; CPU: {info['cpu']}",
        f"- {postgres}; Python {info['python']}",
        "",
        "## Load",
        f"- {cases:,} case facts generated (in {workers} processes) and copied with asyncpg "
        f"`copy_records_to_table`: generate+COPY {copy}",
        f"- data: {sizes['counted']:,} connected cases over 17 months (June 2025 to November 2026) in 288 counties of "
        f"9 provinces and 11 grid companies, all five categories; {sizes['open_case']:,} open cases with a deadline "
        "(most of them overdue, a harsher case than real life for the overdue count); about 1% withdrawn",
        f"- rollups built by `metrics rebuild` (INSERT ... SELECT: the counties' buckets from the facts, every "
        f"coarser one added up from those): {load['rebuild']:.1f} s; {sizes['rollup']:,} rollup rows, "
        f"{sizes['rollup_histogram']:,} histogram rows, {sizes['open_due']:,} open_due rows",
        f"- `metrics check`: {check} ({load['check']:.1f} s)",
        "- on disk (tables with their indexes): " + "; ".join(f"{name} {size}" for name, size in disk.items()),
        "",
        "## Summary endpoint against a plain aggregate over the facts",
        "The endpoint is called through the ASGI app with a regulator token (token check, rollup and histogram",
        "reads, open-overdue count from open_due, JSON); the plain aggregate is the same answer computed by two",
        "SQL statements over case_fact (count, averages and percentile_disc(0.9) by category; the open-overdue",
        "count) sent with asyncpg; case_fact has the service's index on connected_on.",
        "",
        "| query | calls | p50 ms | p99 ms | plain aggregate p50 ms | p99 ms | speed-up (p50) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for endpoint, plain in pairs:
        lines.append(
            f"| {endpoint.name} | {endpoint.calls} | {endpoint.p50:.2f} | {endpoint.p99:.2f} | {plain.p50:.1f} | "
            f"{plain.p99:.1f} | {plain.p50 / endpoint.p50:.0f}x |"
        )
    ceiling, speed_up = targets(cases)
    met = all(e.p99 < ceiling and p.p50 / e.p50 >= speed_up for e, p in pairs)
    lines += [
        "",
        f"Target (p99 under {ceiling:.0f} ms and at least {speed_up:.0f}x faster than the plain aggregate): "
        f"{'met' if met else 'NOT met'}.",
        "",
        "## Trend endpoint",
        "`GET /api/v1/metrics/trend?from=2026-01&to=2026-06` in the same scopes: six months of summary rows from",
        "the monthly rollups (one grouped read of rollup and one of rollup_histogram); checked to add up to the",
        "half-year summary.",
        "",
        "| scope | calls | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {t.name} | {t.calls} | {t.p50:.2f} | {t.p99:.2f} |" for t in trends),
        "",
        f"Target (p99 under 50 ms): {'met' if all(t.p99 < 50 for t in trends) else 'NOT met'}.",
        "",
    ]
    text = "\n".join(lines)
    results_file(cases).write_text(text)
    return text
