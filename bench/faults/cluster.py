"""The three services as real processes on 127.0.0.1, each on its own fresh PostgreSQL database."""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from services.common import migrations
from services.common.db import make_engine
from services.common.settings import REPO_ROOT

SERVICES = ("intake", "workflow", "metrics")
HOST = "127.0.0.1"
# Who delivers what to whom: publisher -> [(subscriber, topic)].
ROUTES = {
    "intake": [("workflow", "application.*"), ("metrics", "application.*")],
    "workflow": [("intake", "job.*"), ("metrics", "job.*")],
    "metrics": [],
}
PAIRS = [(publisher, subscriber) for publisher, routes in ROUTES.items() for subscriber, _ in routes]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    # Linux: the kernel kills the service if the runner itself is killed, so none is left behind.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def dsn(url: str, database: str | None = None) -> str:
    """A plain libpq URL (for asyncpg) from a SQLAlchemy one, optionally for another database."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@dataclass
class Cluster:
    """One drill's databases, settings and service processes; everything it makes, it removes."""

    server_url: str
    run_id: str
    workdir: Path
    ports: dict[str, int] = field(default_factory=lambda: {name: free_port() for name in SERVICES})
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)

    def database(self, service: str) -> str:
        """The name of a service's database in this drill."""
        return f"zv_faults_{self.run_id}_{service}"

    def database_url(self, service: str) -> str:
        """The SQLAlchemy URL of a service's database."""
        url = make_url(self.server_url).set(drivername="postgresql+asyncpg", database=self.database(service))
        return url.render_as_string(hide_password=False)

    def base_url(self, service: str) -> str:
        """Where a service listens."""
        return f"http://{HOST}:{self.ports[service]}"

    def secret(self, service: str) -> str:
        """The secret that events delivered to a service are signed with."""
        return f"faults-{self.run_id}-{service}-events"

    def env(self, service: str) -> dict[str, str]:
        """The environment of a service process: this drill's settings, none inherited from the caller's."""
        prefix = service.upper() + "_"
        env = {
            key: value for key, value in os.environ.items() if not key.startswith(("INTAKE_", "WORKFLOW_", "METRICS_"))
        }
        subscribers = [
            {
                "name": name,
                "url": f"{self.base_url(name)}/internal/events",
                "secret": self.secret(name),
                "topics": [topic],
            }
            for name, topic in ROUTES[service]
        ]
        settings = {
            "HOST": HOST,
            "PORT": str(self.ports[service]),
            "DATABASE_URL": self.database_url(service),
            "VAR_DIR": str(self.workdir / "var"),
            "EVENTS_SECRET": self.secret(service),
            "SUBSCRIBERS": json.dumps(subscribers),
        }
        if service != "intake":
            settings["JWKS_URL"] = f"{self.base_url('intake')}/.well-known/jwks.json"
        else:
            settings["REGISTRATIONS_PER_CLIENT_PER_HOUR"] = "0"  # every drill applicant registers from here
        env.update({prefix + key: value for key, value in settings.items()})
        env["PYTHONUNBUFFERED"] = "1"
        return env

    async def create_databases(self) -> None:
        """Create and migrate one database per service."""
        admin = await asyncpg.connect(dsn(self.server_url))
        try:
            for service in SERVICES:
                await admin.execute(f'CREATE DATABASE "{self.database(service)}"')
                self.created.append(self.database(service))
        finally:
            await admin.close()
        for service in SERVICES:
            engine = make_engine(self.database_url(service))
            try:
                await migrations.upgrade(engine, service)
            finally:
                await engine.dispose()

    async def drop_databases(self) -> None:
        """Drop every database this drill created, closing whatever still uses them."""
        admin = await asyncpg.connect(dsn(self.server_url))
        try:
            for name in self.created:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        self.created.clear()

    def start(self, service: str) -> None:
        """Start a service with its relay: `python -m services.cli run --service NAME`."""
        logs = self.workdir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / f"{service}.log").open("ab") as log:
            self.processes[service] = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "services.cli", "run", "--service", service],
                cwd=REPO_ROOT,
                env=self.env(service),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def kill(self, service: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send a signal to one service process (SIGKILL by default) and reap it."""
        process = self.processes[service]
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)

    def stop_all(self) -> None:
        """Stop every service still running: SIGTERM, then SIGKILL after a grace period."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    async def wait_ready(self, service: str, *, within: float = 60) -> float:
        """Poll /readyz until it answers 200; returns the seconds it took."""
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                process = self.processes[service]
                if process.poll() is not None:
                    raise RuntimeError(f"{service} exited with {process.returncode}; see {self.workdir / 'logs'}")
                try:
                    if (await client.get(f"{self.base_url(service)}/readyz")).status_code == 200:
                        return time.monotonic() - started
                except httpx.TransportError:
                    pass
                if time.monotonic() - started > within:
                    raise TimeoutError(f"{service} was not ready within {within:.0f} s")
                await asyncio.sleep(0.05)

    def cli(self, *args: str) -> None:
        """Run a zerovisit command against intake's database (accounts are made this way)."""
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "services.cli", *args],
            cwd=REPO_ROOT,
            env=self.env("intake"),
            check=True,
            capture_output=True,
            timeout=120,
        )
