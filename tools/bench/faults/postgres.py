"""The local PostgreSQL cluster: which one serves the URL, restarting it, and making sure it is up."""

from __future__ import annotations

import asyncio
import subprocess
import time
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import make_url

from tools.bench.faults.cluster import dsn

_PG_CTLCLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect"]


@dataclass(frozen=True)
class PgCluster:
    """A Debian-managed cluster (`pg_lsclusters`): version, name and port."""

    version: str
    name: str
    port: int

    @classmethod
    def serving(cls, url: str) -> PgCluster:
        """The cluster that listens on the URL's port; only 127.0.0.1 is accepted."""
        parsed = make_url(url)
        if parsed.host not in ("127.0.0.1", None):
            raise SystemExit(f"the fault drills run against 127.0.0.1 only, not {parsed.host}")
        port = parsed.port or 5432
        listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True)  # noqa: S607
        for line in listing.stdout.splitlines():
            version, name, cluster_port, *_ = line.split()
            if int(cluster_port) == port:
                return cls(version, name, port)
        raise SystemExit(f"no local PostgreSQL cluster listens on port {port} (pg_lsclusters)")

    def online(self) -> bool:
        """Whether pg_lsclusters reports the cluster online."""
        listing = subprocess.run(  # noqa: S603
            ["pg_lsclusters", "--no-header", self.version, self.name],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return "online" in listing.stdout

    def restart(self) -> float:
        """`pg_ctlcluster VERSION NAME restart` (fast shutdown: sessions are cut); returns the seconds it took."""
        started = time.monotonic()
        subprocess.run([*_PG_CTLCLUSTER, self.version, self.name, "restart"], check=True, timeout=180)  # noqa: S603
        return time.monotonic() - started

    def ensure_running(self) -> None:
        """Start the cluster if it is not online; used on every way out of the runner."""
        if not self.online():
            subprocess.run([*_PG_CTLCLUSTER, self.version, self.name, "start"], check=False, timeout=180)  # noqa: S603


async def accepting(url: str, *, within: float = 60) -> float:
    """Wait until the server takes a new connection and answers; returns the seconds waited."""
    started = time.monotonic()
    while True:
        try:
            connection = await asyncpg.connect(dsn(url), timeout=2)
            try:
                await connection.fetchval("SELECT 1")
            finally:
                await connection.close()
            return time.monotonic() - started
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            if time.monotonic() - started > within:
                raise
            await asyncio.sleep(0.05)


async def server_version(url: str) -> str:
    """The server's version string."""
    connection = await asyncpg.connect(dsn(url))
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()
