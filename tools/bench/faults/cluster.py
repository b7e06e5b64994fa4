"""The three services as real processes on 127.0.0.1, each on its own fresh PostgreSQL database."""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from services.common.settings import REPO_ROOT
from tools.stack import (
    PAIRS,
    PYTHON,
    SERVICES,
    LocalStack,
    create_databases,
    drop_databases,
    dsn,
    environment,
    free_ports,
    migrate,
    sqlalchemy_url,
)

__all__ = ["PAIRS", "SERVICES", "Cluster", "dsn"]


@dataclass
class Cluster:
    """One drill's databases, settings and service processes; everything it makes, it removes."""

    server_url: str
    run_id: str
    workdir: Path
    created: list[str] = field(default_factory=list)
    stack: LocalStack = field(init=False)

    def __post_init__(self) -> None:
        ports = free_ports(SERVICES)
        env = environment(
            ports,
            var_dir=self.workdir / "var",
            secrets={service: self.secret(service) for service in SERVICES},
            database_urls={service: self.database_url(service) for service in SERVICES},
        )
        self.stack = LocalStack(env, ports, self.workdir / "logs")

    @property
    def processes(self) -> dict[str, subprocess.Popen[bytes]]:
        """The running (or stopped) process of each service started."""
        return {name: process.popen for name, process in self.stack.processes.items()}

    def database(self, service: str) -> str:
        """The name of a service's database in this drill."""
        return f"zv_faults_{self.run_id}_{service}"

    def database_url(self, service: str) -> str:
        """The SQLAlchemy URL of a service's database."""
        return sqlalchemy_url(self.server_url, self.database(service))

    def base_url(self, service: str) -> str:
        """Where a service listens."""
        return self.stack.url(service)

    def secret(self, service: str) -> str:
        """The secret that events delivered to a service are signed with."""
        return f"faults-{self.run_id}-{service}-events"

    async def create_databases(self) -> None:
        """Create and migrate one database per service."""
        names = [self.database(service) for service in SERVICES]
        await create_databases(self.server_url, names)
        self.created += names
        await migrate(self.stack.env)

    async def drop_databases(self) -> None:
        """Drop every database this drill created, closing whatever still uses them."""
        await drop_databases(self.server_url, self.created)
        self.created.clear()

    def start(self, service: str) -> None:
        """Start a service with its relay: `python -m services.cli run --service NAME`."""
        self.stack.start_service(service)

    def kill(self, service: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send a signal to one service process (SIGKILL by default) and reap it."""
        self.stack.processes[service].kill(sig)

    def stop_all(self) -> None:
        """Stop every service still running, as Ctrl-C would, then SIGKILL after a grace period."""
        self.stack.stop()

    async def wait_ready(self, service: str, *, within: float = 60) -> float:
        """Poll /readyz until it answers 200; returns the seconds it took."""
        return await self.stack.ready(service, within=within)

    def cli(self, *args: str) -> None:
        """Run a zerovisit command against this drill's databases (accounts are made this way)."""
        subprocess.run(  # noqa: S603
            [PYTHON, "-m", "services.cli", *args],
            cwd=REPO_ROOT,
            env=self.stack.env,
            check=True,
            capture_output=True,
            timeout=120,
        )
