"""The services as real processes on PostgreSQL for a benchmark: databases, ports, uvicorn, and cleanup.

Everything a run makes is named after its run id (databases `zv_<kind>_<id>_<service>`, a temporary var
directory) and removed when the `running_stack` block ends, whether the run succeeded, failed or was
interrupted. Traffic only ever goes to 127.0.0.1. The processes are started as `tools.stack` starts them
for the demonstration and the fault drills.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from services.common.settings import REPO_ROOT
from tools.stack import (
    PYTHON,
    SERVICES,
    LocalStack,
    create_databases,
    drop_databases,
    dsn,
    environment,
    every_service,
    free_ports,
    migrate,
    sqlalchemy_url,
)

REPO = REPO_ROOT
RELAY_PROCESS_INTERVAL = "0.05"  # as docker-compose.yml sets it for the relay containers
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


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
class Stack(LocalStack):
    """The running services of one benchmark run, on databases of their own."""

    run_id: str = ""
    server_url: str = ""
    databases: dict[str, str] | None = None
    workers: int = 1

    @property
    def workdir(self) -> Path:
        """The run's temporary directory: logs, the var directory, the load generator's files."""
        return self.log_dir

    def database_url(self, service: str) -> str:
        """The SQLAlchemy URL of a service's database."""
        assert self.databases is not None
        return sqlalchemy_url(self.server_url, self.databases[service])

    def database_dsn(self, service: str) -> str:
        """The asyncpg DSN of a service's database."""
        assert self.databases is not None
        return dsn(self.server_url, self.databases[service])

    def environment(self) -> dict[str, str]:
        """The environment every service process and command of this run gets."""
        return dict(self.env)

    def command(self, *args: str) -> None:
        """Run `python -m services.cli ...` against this run's databases; raise if it fails."""
        subprocess.run(  # noqa: S603
            [PYTHON, "-m", "services.cli", *args], cwd=REPO, env=self.env, check=True, stdout=subprocess.DEVNULL
        )

    def server_groups(self) -> dict[str, list[int]]:
        """The processes of each server of this run, workers included."""
        return {name: pids_of_group(p.popen.pid) for name, p in self.processes.items() if p.alive()}


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
    ports = free_ports((*SERVICES, "bare"))
    relays = every_service(RELAY_ENABLED="false" if separate_relays else "true")
    if separate_relays:
        relays |= every_service(RELAY_INTERVAL_SECONDS=RELAY_PROCESS_INTERVAL)
    env = environment(
        ports,
        var_dir=workdir / "var",
        secrets={service: secrets.token_hex(16) for service in SERVICES},
        database_urls={service: sqlalchemy_url(server_url, names[service]) for service in SERVICES},
        settings={**relays, "BARE_DATABASE_URL": sqlalchemy_url(server_url, names["bare"]), **(overrides or {})},
    )
    stack = Stack(
        env=env, ports=ports, log_dir=workdir, cpus=cpus, run_id=run_id, server_url=server_url, databases=names,
        workers=workers,
    )  # fmt: skip
    try:
        asyncio.run(create_databases(server_url, list(names.values())))
        asyncio.run(migrate(env))
        for service in SERVICES:
            stack.start_service(service, workers=workers)
            # Workflow and metrics fetch intake's keys when a token first arrives; intake goes first.
            stack.wait_ready([service])
        if separate_relays and relays_running:
            stack.start_relays()
        if bare:
            from tools.bench.load import bare as bare_app

            asyncio.run(bare_app.create_table(stack.database_dsn("bare")))
            stack.start(
                "bare",
                [PYTHON, "-m", "tools.bench.load.bare", "--port", str(ports["bare"]), "--workers", str(workers)],
            )
            stack.wait_ready(["bare"], path="/healthz")
        yield stack
    finally:
        stack.stop()
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log in workdir.glob("*.log"):
                log.replace(keep_logs / log.name)
        asyncio.run(drop_databases(server_url, list(names.values())))
        subprocess.run(["rm", "-rf", str(workdir)], check=False)  # noqa: S603, S607
