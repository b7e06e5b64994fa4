"""RESULTS.md: the machine, the traffic, and for each drill what was sent, delivered, lost and doubled."""

from __future__ import annotations

import os
import platform
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tools.bench.faults.drills import Fault
from tools.bench.faults.traffic import Plan
from tools.bench.faults.verify import Verdict


@dataclass
class DrillResult:
    """One drill, start to finish."""

    name: str
    title: str
    fault: Fault
    verdict: Verdict | None = None
    traffic_done: bool = False
    requests: Counter[str] = field(default_factory=Counter)  # service -> requests sent
    failed_in_window: dict[str, Counter[str]] = field(default_factory=dict)
    failed_outside_window: dict[str, Counter[str]] = field(default_factory=dict)
    failing_spans: dict[str, tuple[float, float]] = field(default_factory=dict)  # service -> seconds after the fault
    conflicts_resolved: int = 0
    unhandled_in_logs: Counter[str] = field(default_factory=Counter)  # service -> "unhandled error" log lines
    seconds: float = 0.0
    error: str | None = None

    @property
    def passed(self) -> bool:
        """The drill ran, the traffic finished, and the databases agree."""
        return self.error is None and self.traffic_done and self.verdict is not None and self.verdict.passed

    @property
    def server_errors(self) -> int:
        """HTTP 500 answers at any time."""
        return sum(
            n
            for window in (self.failed_in_window, self.failed_outside_window)
            for counts in window.values()
            for what, n in counts.items()
            if what.endswith(": 500")
        )


def machine(pg_version: str, load_before: tuple[float, float, float]) -> list[str]:
    """A few lines on where the drills ran, and how busy the machine was."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.1f} GiB"
    except (OSError, ValueError):
        memory = "unknown"
    kernel = subprocess.run(["uname", "-r"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607
    return [
        f"- nproc: {os.cpu_count()}; memory: {memory}; CPU: {cpu}; Linux {kernel}",
        f"- PostgreSQL {pg_version} on 127.0.0.1; Python {platform.python_version()}",
        "- load average (1, 5, 15 min) before the drills: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(
            *load_before, *os.getloadavg()
        ),
    ]


def _outcomes(counts: dict[str, Counter[str]]) -> str:
    if not counts:
        return "none"
    parts = []
    for service in sorted(counts):
        items = ", ".join(f"{what} ×{n}" for what, n in sorted(counts[service].items()))
        parts.append(f"{service}: {items}")
    return "; ".join(parts)


def _drill(result: DrillResult) -> list[str]:
    lines = [f"## {result.title}", ""]
    fault = result.fault
    lines += [f"- {note}" for note in fault.notes]
    lines += [f"- {what}: {seconds:.2f} s" for what, seconds in fault.timings.items()]
    if fault.ended > fault.started > 0:
        lines.append(
            f"- fault window (fault injected to every service answering again): {fault.ended - fault.started:.2f} s"
        )
    for service, (first, last) in sorted(result.failing_spans.items()):
        lines.append(f"- {service}: requests failed from {first:+.2f} s to {last:+.2f} s after the fault was injected")
    if result.error:
        lines.append(f"- **the drill failed**: {result.error}")
    lines.append(f"- traffic finished (every case connected): {'yes' if result.traffic_done else 'NO'}")
    lines.append(f"- drill duration (setup to verified): {result.seconds:.1f} s")
    verdict = result.verdict
    if verdict is not None:
        lines += ["", "| events | sent (outbox rows) | delivered (in the subscriber's inbox) | lost | duplicated "
                  "| took more than one attempt |"]  # fmt: skip
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for d in verdict.deliveries:
            lines.append(
                f"| {d.publisher} → {d.subscriber} | {d.sent} | {d.received} | {d.lost} | {d.extra} | {d.retried} |"
            )
        total_sent = sum(d.sent for d in verdict.deliveries)
        total_received = sum(d.received for d in verdict.deliveries)
        total_lost = sum(d.lost for d in verdict.deliveries)
        lines.append(
            f"| **all** | **{total_sent}** | **{total_received}** | **{total_lost}** | **{verdict.duplicated}** | |"
        )
        unrecorded = sum(d.sent - d.delivered for d in verdict.deliveries)
        lines += ["", f"Outbox rows not recorded delivered by their relay (pending or parked): {unrecorded}.",
                  f"Cases: {verdict.applications} applications; regulator's summary counts "
                  f"{verdict.connected_in_summary} connected."]  # fmt: skip
        lines += [f"- {name}: {n}" for name, n in verdict.checks.items()]
    lines += [
        "",
        f"Requests sent: {', '.join(f'{s} {n}' for s, n in sorted(result.requests.items()))}.",
        f"Failed during the fault window (no answer, or 5xx): {_outcomes(result.failed_in_window)}.",
        f"Failed outside the fault window: {_outcomes(result.failed_outside_window)}.",
        f"409 answers resolved by reading the job again: {result.conflicts_resolved}.",
        f"HTTP 500 answers: {result.server_errors}; 'unhandled error' lines in the service logs: "
        f"{_outcomes({'logs': result.unhandled_in_logs}) if result.unhandled_in_logs else 'none'}.",
        f"Verdict: **{'passed' if result.passed else 'FAILED'}**.",
        "",
    ]
    return lines


def write(
    path: Path,
    results: list[DrillResult],
    *,
    plan: Plan,
    pg_version: str,
    load_before: tuple[float, float, float],
    command: str,
    down: float,
) -> None:
    """Write the results file."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Fault drills",
        "",
        f"Run {now} with `{command}`: real service processes (`python -m services.cli run --service NAME`, "
        "relays on, default relay settings) on fresh PostgreSQL databases, driven over HTTP on 127.0.0.1.",
        "",
        "## Machine",
        *machine(pg_version, load_before),
        "",
        "## Traffic (each drill)",
        f"- {plan.applicants} applicants each submit {plan.cases_per_applicant} applications "
        f"({plan.cases} cases), one every {plan.submit_interval} s per applicant, each with an Idempotency-Key "
        "kept across retries; documents are uploaded once per applicant and reused.",
        f"- {plan.staff} staff workers find each case's job and complete `accept` then `connect` "
        "(If-Match), retrying every 0.25 s on no answer or 5xx; a regulator reads the summary every 0.5 s.",
        f"- each fault is injected once a third of the cases are submitted; a killed service stays dead {down:.0f} s.",
        "- after the traffic, the drill waits until no outbox row is undelivered, then compares each outbox with "
        "its subscriber's inbox (lost: sent but not in the inbox; duplicated: inbox rows matching no outbox row, "
        "jobs made twice, events entered twice on an applicant's timeline) and each case across the services.",
        "",
    ]
    for result in results:
        lines += _drill(result)
    verdicts = ", ".join(f"{r.name} {'passed' if r.passed else 'FAILED'}" for r in results)
    lines += ["## Summary", "", f"{verdicts}.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
