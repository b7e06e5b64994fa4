"""The services as real processes on PostgreSQL for a benchmark: databases, ports, uvicorn, and cleanup.

Everything a run makes is named after its run id (databases `zv_<kind>_<id>_<service>`, a temporary var
directory) and removed when the `running_stack` block ends, whether the run succeeded, failed or was
interrupted. Traffic only ever goes to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SERVICES = ("intake", "workflow", "metrics")
PUBLISHERS = ("intake", "workflow")  # the services whose outbox a relay delivers
RELAY_PROCESS_INTERVAL = "0.05"  # as docker-compose.yml sets it for the relay containers
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def dsn(url: str, database: str) -> str:
    """An asyncpg DSN for a database on the server of a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


def sqlalchemy_url(url: str, database: str) -> str:
    """The SQLAlchemy URL of a database on the same server."""
    return make_url(url).set(drivername="postgresql+asyncpg", database=database).render_as_string(hide_password=False)


async def create_databases(server_url: str, names: Sequence[str]) -> None:
    """Create empty databases (dropping leftovers of the same name first)."""
    admin = await asyncpg.connect(dsn(server_url, "postgres"))
    try:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_databases(server_url: str, names: Sequence[str], *, patience: float = 120) -> None:
    """Drop databases, closing whatever connections are still open to them; retried while the server restarts."""
    deadline = time.monotonic() + patience
    while True:
        try:
            admin = await asyncpg.connect(dsn(server_url, "postgres"))
            try:
                for name in names:
                    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await admin.close()
            return
        except (OSError, asyncpg.PostgresError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(2)


async def postgres_started(server_url: str, *, patience: float = 120) -> str:
    """When the PostgreSQL server last started, waiting while it restarts: a change means a restart happened."""
    deadline = time.monotonic() + patience
    while True:
        try:
            admin = await asyncpg.connect(dsn(server_url, "postgres"))
            try:
                return str(await admin.fetchval("SELECT pg_postmaster_start_time()"))
            finally:
                await admin.close()
        except (OSError, asyncpg.PostgresError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(2)


async def postgres_version(server_url: str) -> str:
    """The server's version string, as `SHOW server_version` and `version()` put it."""
    admin = await asyncpg.connect(dsn(server_url, "postgres"))
    try:
        return str(await admin.fetchval("SELECT split_part(version(), ',', 1)"))
    finally:
        await admin.close()


@dataclass
class Process:
    """A child process that this run started, in its own process group."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    def alive(self) -> bool:
        """Whether it is still running."""
        return self.popen.poll() is None

    def stop(self, timeout: float = 10) -> None:
        """SIGINT to its group (uvicorn shuts down cleanly), then SIGKILL if it lingers."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGINT)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)
        # Workers of a multi-worker uvicorn share the group: make sure none outlives its parent.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.log_file.close()

    def tail(self, lines: int = 30) -> str:
        """The end of its log, for a failure message."""
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def pids_of_group(pgid: int) -> list[int]:
    """Every process in a process group (a uvicorn parent and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...
            found.append(int(entry.name))
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU time used so far by processes (their own, not their children's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def postgres_cpu_seconds() -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL server process (every backend, whoever's)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found[int(entry.name)] = cpu_seconds([int(entry.name)])
            except OSError:
                continue
    return found


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (everything but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class Stack:
    """The running services of one benchmark run."""

    run_id: str
    server_url: str
    workdir: Path
    ports: dict[str, int]
    databases: dict[str, str]
    secrets: dict[str, str]
    workers: int
    cpus: str | None
    overrides: dict[str, str] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    # As docker-compose.yml deploys them: `zerovisit relay` processes beside the services, not inside them.
    separate_relays: bool = True

    def url(self, service: str) -> str:
        """The base URL of a service (or of the bare app)."""
        return f"http://{HOST}:{self.ports[service]}"

    def database_url(self, service: str) -> str:
        """The SQLAlchemy URL of a service's database."""
        return sqlalchemy_url(self.server_url, self.databases[service])

    def database_dsn(self, service: str) -> str:
        """The asyncpg DSN of a service's database."""
        return dsn(self.server_url, self.databases[service])

    def environment(self) -> dict[str, str]:
        """The environment every service process and command of this run gets."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "WORKFLOW_", "METRICS_"))}
        env["PYTHONUNBUFFERED"] = "1"
        jwks = f"{self.url('intake')}/.well-known/jwks.json"

        def subscriber(name: str, topics: list[str]) -> dict[str, Any]:
            return {
                "name": name,
                "url": f"{self.url(name)}/internal/events",
                "secret": self.secrets[name],
                "topics": topics,
            }

        subscribers = {
            "intake": [subscriber("workflow", ["application.*"]), subscriber("metrics", ["application.*"])],
            "workflow": [subscriber("intake", ["job.*"]), subscriber("metrics", ["job.*"])],
            "metrics": [],
        }
        for service in SERVICES:
            prefix = service.upper()
            env[f"{prefix}_DATABASE_URL"] = self.database_url(service)
            env[f"{prefix}_HOST"] = HOST
            env[f"{prefix}_PORT"] = str(self.ports[service])
            env[f"{prefix}_VAR_DIR"] = str(self.workdir / "var")
            env[f"{prefix}_EVENTS_SECRET"] = self.secrets[service]
            env[f"{prefix}_SUBSCRIBERS"] = json.dumps(subscribers[service])
            env[f"{prefix}_RELAY_ENABLED"] = "false" if self.separate_relays else "true"
            if self.separate_relays:
                env[f"{prefix}_RELAY_INTERVAL_SECONDS"] = RELAY_PROCESS_INTERVAL
            if service != "intake":
                env[f"{prefix}_JWKS_URL"] = jwks
        # Every seeded applicant registers and uploads from this one machine: no quotas.
        env["INTAKE_REGISTRATIONS_PER_CLIENT_PER_HOUR"] = env["INTAKE_UPLOADS_PER_APPLICANT_PER_DAY"] = "0"
        env["BARE_DATABASE_URL"] = self.database_url("bare")
        env.update(self.overrides)
        return env

    def command(self, *args: str) -> None:
        """Run `python -m services.cli ...` against this run's databases; raise if it fails."""
        subprocess.run(  # noqa: S603
            [PYTHON, "-m", "services.cli", *args],
            cwd=REPO,
            env=self.environment(),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self, name: str, argv: Sequence[str]) -> Process:
        """Start a server process in its own group, pinned to the run's server CPUs if any."""
        log_path = self.workdir / f"{name}.log"
        log_file = log_path.open("wb")
        prefix = ["taskset", "-c", self.cpus] if self.cpus else []
        popen = subprocess.Popen(  # noqa: S603
            [*prefix, *argv],
            cwd=REPO,
            env=self.environment(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = Process(name, popen, log_path, log_file)
        self.processes[name] = process
        return process

    def server_groups(self) -> dict[str, list[int]]:
        """The processes of each server of this run, workers included."""
        return {name: pids_of_group(p.popen.pid) for name, p in self.processes.items() if p.alive()}

    def wait_ready(self, names: Sequence[str], path_for: dict[str, str], timeout: float = 60) -> None:
        """Wait until each server answers its readiness path with 200."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            for name in names:
                while True:
                    process = self.processes[name]
                    if not process.alive():
                        raise RuntimeError(f"{name} exited during startup:\n{process.tail()}")
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(self.url(name) + path_for.get(name, "/readyz")).status_code == 200:
                            break
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{name} was not ready within {timeout:.0f} s:\n{process.tail()}")
                    time.sleep(0.2)

    def start_relays(self) -> None:
        """Start a relay process for each publishing service that has none running."""
        for service in PUBLISHERS:
            name = f"{service}-relay"
            if name not in self.processes or not self.processes[name].alive():
                self.start(name, [PYTHON, "-m", "services.cli", "relay", "--service", service])

    def stop_relays(self) -> None:
        """Stop the relay processes (each finishes the round under way)."""
        for service in PUBLISHERS:
            process = self.processes.pop(f"{service}-relay", None)
            if process is not None:
                process.stop()

    def check_alive(self) -> None:
        """Raise if a server died."""
        for process in self.processes.values():
            if not process.alive():
                raise RuntimeError(f"{process.name} exited:\n{process.tail()}")


async def autovacuum_on(server_url: str) -> bool:
    """Whether the server runs autovacuum (which also keeps the planner's statistics fresh)."""
    admin = await asyncpg.connect(dsn(server_url, "postgres"))
    try:
        return str(await admin.fetchval("SHOW autovacuum")) == "on"
    finally:
        await admin.close()


async def _analyze(stack: Stack) -> None:
    for service in SERVICES:
        connection = await asyncpg.connect(stack.database_dsn(service))
        try:
            await connection.execute("ANALYZE")
        finally:
            await connection.close()


@contextlib.contextmanager
def analyzing(stack: Stack, every: float) -> Iterator[None]:
    """ANALYZE the services' databases every `every` seconds meanwhile, as autovacuum would on its own.

    Without statistics the planner takes a freshly filled outbox for an empty one and claims pending rows
    with a plan that grows with the square of the backlog; a server with autovacuum on never stays there.
    """
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                asyncio.run(_analyze(stack))

    thread = threading.Thread(target=loop, name="analyze", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


def _raise_on_sigterm(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def running_stack(
    *,
    kind: str,
    server_url: str,
    workers: int = 1,
    cpus: str | None = None,
    bare: bool = False,
    keep_logs: Path | None = None,
    overrides: dict[str, str] | None = None,
    separate_relays: bool = True,
    relays_running: bool = True,
) -> Iterator[Stack]:
    """Fresh databases, migrated; the three services (and the bare app) running; all removed at the end."""
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    run_id = secrets.token_hex(4)
    names = {service: f"zv_{kind}_{run_id}_{service}" for service in (*SERVICES, "bare")}
    workdir = Path(tempfile.mkdtemp(prefix=f"zv-{kind}-{run_id}-"))
    ports = {name: free_port() for name in (*SERVICES, "bare")}
    stack = Stack(
        run_id=run_id,
        server_url=server_url,
        workdir=workdir,
        ports=ports,
        databases=names,
        secrets={service: secrets.token_hex(16) for service in SERVICES},
        workers=workers,
        cpus=cpus,
        overrides=dict(overrides or {}),
        separate_relays=separate_relays,
    )
    try:
        asyncio.run(create_databases(server_url, list(names.values())))
        stack.command("migrate")
        for service in SERVICES:
            argv = [PYTHON, "-m", "services.cli", "run", "--service", service]
            stack.start(service, argv + (["--workers", str(workers)] if workers > 1 else []))
            # Workflow and metrics fetch intake's keys when a token first arrives; intake goes first.
            stack.wait_ready([service], {})
        if separate_relays and relays_running:
            stack.start_relays()
        if bare:
            from bench.load import bare as bare_app

            asyncio.run(bare_app.create_table(stack.database_dsn("bare")))
            stack.start(
                "bare", [PYTHON, "-m", "bench.load.bare", "--port", str(ports["bare"]), "--workers", str(workers)]
            )
            stack.wait_ready(["bare"], {"bare": "/healthz"})
        yield stack
    finally:
        for process in reversed(list(stack.processes.values())):
            process.stop()
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log in workdir.glob("*.log"):
                log.replace(keep_logs / log.name)
        asyncio.run(drop_databases(server_url, list(names.values())))
        subprocess.run(["rm", "-rf", str(workdir)], check=False)  # noqa: S603, S607
