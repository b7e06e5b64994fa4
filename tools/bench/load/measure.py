"""One measured phase: locust against one endpoint, with the CPU every party used meanwhile."""

from __future__ import annotations

import json
import math
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.bench.load.stack import REPO, Stack, cpu_seconds, machine_busy_seconds, postgres_cpu_seconds
from tools.stack import PYTHON


@dataclass
class PhaseResult:
    """Throughput and latency of one endpoint over the measured window, and who used the CPU."""

    name: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    generator_cpu: float  # cores busy on average (1.0 = one whole core)
    servers_cpu: float
    postgres_cpu: float
    machine_cpu: float
    exhausted_users: int = 0
    cpu_by_server: dict[str, float] = field(default_factory=dict)
    run_seconds: float = 0.0  # the whole locust run, spawn and warm-up included
    run_requests: int = 0  # every request of the whole run
    error_kinds: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return (self.requests - self.errors) / self.seconds

    def cpu_ms_per_request(self, cores: float) -> float:
        """Milliseconds of CPU per request of the whole run, for a party that used `cores` on average."""
        return cores * self.run_seconds * 1000 / max(1, self.run_requests)

    @property
    def others_cpu(self) -> float:
        """Cores used by everything else on the machine: the kernel, other programs."""
        return max(0.0, self.machine_cpu - self.generator_cpu - self.servers_cpu - self.postgres_cpu)


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_phase(
    stack: Stack,
    *,
    name: str,
    user_class: str,
    host: str,
    plan: dict[str, Any],
    clients: int,
    seconds: float,
    warmup: float,
    generator_cpus: str | None,
) -> PhaseResult:
    """Run locust headless with `clients` users for warm-up plus `seconds`, and read its samples."""
    samples_path = stack.workdir / f"{user_class}.samples.json"
    plan_path = stack.workdir / f"{user_class}.plan.json"
    plan = {**plan, "samples_path": str(samples_path), "warmup_seconds": warmup, "users": clients}
    plan_path.write_text(json.dumps(plan))
    # All users start within the first second; the window opens `warmup` seconds after that.
    run_time = math.ceil(1 + warmup + seconds)
    argv = [
        PYTHON, "-m", "locust", "-f", str(REPO / "tools/bench/load/locustfile.py"), "--headless",
        "--users", str(clients), "--spawn-rate", str(clients), "--run-time", f"{run_time}s",
        "--host", host, "--stop-timeout", "5", "--only-summary", "--loglevel", "WARNING", user_class,
    ]  # fmt: skip
    if generator_cpus:
        argv = ["taskset", "-c", generator_cpus, *argv]
    env = {**stack.environment(), "ZV_LOAD_PLAN": str(plan_path)}
    log = (stack.workdir / f"locust-{user_class}.log").open("wb")
    groups = stack.server_groups()
    before = {name: cpu_seconds(pids) for name, pids in groups.items()}
    machine_before = machine_busy_seconds()
    postgres_before = postgres_cpu_seconds()
    started = time.monotonic()
    generator = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    generator_cpu_seconds = 0.0
    try:
        deadline = started + run_time + 60
        while True:
            # wait4 reaps it and says how much CPU it used, which /proc can no longer tell afterwards.
            pid, status, usage = os.wait4(generator.pid, os.WNOHANG)
            if pid:
                generator.returncode = os.waitstatus_to_exitcode(status)
                generator_cpu_seconds = usage.ru_utime + usage.ru_stime
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"locust ({user_class}) did not stop in time")
            time.sleep(0.1)
    finally:
        if generator.returncode is None:
            generator.kill()
            generator.wait()
        log.close()
    elapsed = time.monotonic() - started
    used = {name: (cpu_seconds(pids) - before[name]) / elapsed for name, pids in groups.items()}
    machine_used = machine_busy_seconds() - machine_before
    postgres_used = sum(t - postgres_before.get(pid, 0.0) for pid, t in postgres_cpu_seconds().items())
    stack.check_alive()
    if not samples_path.exists():
        raise RuntimeError(f"locust ({user_class}) wrote no samples; see its log:\n" + _tail(log.name))
    data = json.loads(samples_path.read_text())
    window = data["window"]
    start, stop = window["start"], window.get("stop", time.time())
    done = [(s, e, ok) for s, e, ok in data["samples"] if e <= stop]
    latencies = [(e - s) * 1000 for s, e, _ in done]
    if not latencies:
        raise RuntimeError(f"locust ({user_class}) measured no request; see its log:\n" + _tail(log.name))
    errors = sum(not ok for _, _, ok in done)
    return PhaseResult(
        name=name,
        requests=len(done),
        errors=errors,
        seconds=stop - start,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        mean_ms=sum(latencies) / len(latencies),
        max_ms=max(latencies),
        # CPU over the whole locust run (spawn and warm-up included), as cores on average.
        generator_cpu=generator_cpu_seconds / elapsed,
        servers_cpu=sum(used.values()),
        postgres_cpu=postgres_used / elapsed,
        machine_cpu=machine_used / elapsed,
        exhausted_users=int(data.get("exhausted_users", 0)),
        error_kinds=dict(data.get("errors", {})),
        cpu_by_server=used,
        run_seconds=elapsed,
        run_requests=int(data.get("every_request", len(done))),
    )


def _tail(path: str, lines: int = 30) -> str:
    return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
