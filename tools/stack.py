"""One way to start a local stack of the three services: the demonstration, the benchmarks and the drills use it.

Each service runs as a child process on 127.0.0.1, in a session of its own, logging to a file; its
settings are those of `zerovisit run` plus what `environment` sets. Only the ports, secrets, databases and
var directory are set here: the key-set URL and the subscriber lists follow from the ports, as in
`make run` and docker-compose.yml. A stack on simulated time starts its services through `tools.serve`,
which hands each one the clock in a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import IO, Self

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from services.common import migrations
from services.common.db import make_engine
from services.common.settings import REPO_ROOT, ServiceSettings

PYTHON = sys.executable
SERVICES = ("intake", "workflow", "metrics")
PUBLISHERS = ("intake", "workflow")  # the services whose outbox a relay delivers
SERVICE_PREFIXES = tuple(f"{name.upper()}_" for name in SERVICES)
HOST = "127.0.0.1"
READY_SECONDS = 60.0
STOP_SECONDS = 10.0


def free_ports(names: Iterable[str]) -> dict[str, int]:
    """Ports on 127.0.0.1 nobody listens on now, asked of the system all at once so that they differ."""
    with contextlib.ExitStack() as stack:
        sockets = {name: stack.enter_context(socket.socket()) for name in names}
        for sock in sockets.values():
            sock.bind((HOST, 0))
        return {name: int(sock.getsockname()[1]) for name, sock in sockets.items()}


def every_service(**settings: str) -> dict[str, str]:
    """The same settings for all three services: RELAY_INTERVAL_SECONDS="0.05" -> INTAKE_RELAY_…, …"""
    return {prefix + key: value for prefix in SERVICE_PREFIXES for key, value in settings.items()}


def environment(
    ports: Mapping[str, int],
    *,
    var_dir: Path,
    secrets: Mapping[str, str],
    database_urls: Mapping[str, str | None] | None = None,
    settings: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of every process of a stack: none of the caller's service settings, these instead.

    Each service gets its port and the secret its events are signed with; the others find it from those
    alone. A service without a database URL uses SQLite under the var directory.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith(SERVICE_PREFIXES)}
    env["PYTHONUNBUFFERED"] = "1"
    for name in SERVICES:
        prefix = f"{name.upper()}_"
        env |= {
            prefix + "HOST": HOST,
            prefix + "PORT": str(ports[name]),
            prefix + "VAR_DIR": str(var_dir),
            prefix + "EVENTS_SECRET": secrets[name],
        }
        url = (database_urls or {}).get(name)
        if url:
            env[prefix + "DATABASE_URL"] = url
    env.update(settings or {})
    return env


@contextlib.contextmanager
def service_environment(overrides: Mapping[str, str] | None) -> Iterator[None]:
    """Run with the services' settings replaced by those in `overrides` (and no others); unchanged when None."""
    if overrides is None:
        yield
        return
    saved = {k: v for k, v in os.environ.items() if k.startswith(SERVICE_PREFIXES)}
    for key in saved:
        del os.environ[key]
    os.environ.update({k: v for k, v in overrides.items() if k.startswith(SERVICE_PREFIXES)})
    try:
        yield
    finally:
        for key in [k for k in os.environ if k.startswith(SERVICE_PREFIXES)]:
            del os.environ[key]
        os.environ.update(saved)


def settings_class(name: str) -> type[ServiceSettings]:
    """A service's settings class (IntakeSettings, …)."""
    found: type[ServiceSettings] = getattr(import_module(f"services.{name}.settings"), f"{name.capitalize()}Settings")
    return found


def settings_of(name: str, env: Mapping[str, str] | None = None) -> ServiceSettings:
    """A service's settings as a process with this environment (by default this one's) reads them."""
    with service_environment(env):
        return settings_class(name)()


# Who delivers events to whom, as the services' settings route them: (publisher, subscriber).
PAIRS = [(publisher, subscriber) for publisher in SERVICES for subscriber, _ in settings_class(publisher).routes]


async def migrate(env: Mapping[str, str] | None = None) -> None:
    """Bring the three databases an environment names to the newest migration, as `zerovisit migrate` does."""
    for name in SERVICES:
        settings = settings_of(name, env)
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.resolved_database_url())
        try:
            await migrations.upgrade(engine, name)
        finally:
            await engine.dispose()


def dsn(url: str, database: str | None = None) -> str:
    """A plain libpq URL (for asyncpg) from a SQLAlchemy one, optionally for another database on its server."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def sqlalchemy_url(url: str, database: str) -> str:
    """The SQLAlchemy URL of another database on the same server."""
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


def service_argv(name: str, *, workers: int = 1, clock_file: Path | None = None) -> list[str]:
    """The command that runs a service: `zerovisit run --service`, or on the time in a clock file."""
    if clock_file is not None:
        return [PYTHON, "-m", "tools.serve", "--clock-file", str(clock_file), "--service", name]
    more = ["--workers", str(workers)] if workers > 1 else []
    return [PYTHON, "-m", "services.cli", "run", "--service", name, *more]


def relay_argv(name: str) -> list[str]:
    """The command that delivers a service's outbox from a process of its own."""
    return [PYTHON, "-m", "services.cli", "relay", "--service", name]


def _die_with_parent() -> None:
    """In the child: be sent SIGTERM should the process that started it be killed (Linux only)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Process:
    """A child process of a stack, in a session (and process group) of its own, logging to a file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    def alive(self) -> bool:
        """Whether it is still running."""
        return self.popen.poll() is None

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send the process a signal (SIGKILL by default) and reap it."""
        if self.alive():
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=15)

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """SIGINT to its group (uvicorn shuts down cleanly, as on Ctrl-C), then SIGKILL if it lingers."""
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
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            return "\n".join(text[-lines:])
        return ""


@dataclass
class LocalStack:
    """The processes of one stack: services (and relays, and whatever else a tool runs) on 127.0.0.1."""

    env: dict[str, str]
    ports: dict[str, int]
    log_dir: Path
    clock_file: Path | None = None
    cpus: str | None = None  # pin the processes to these CPUs (taskset -c)
    processes: dict[str, Process] = field(default_factory=dict)

    def url(self, name: str) -> str:
        """The base URL of a service (or of another server of the stack)."""
        return f"http://{HOST}:{self.ports[name]}"

    def start(self, name: str, argv: Sequence[str]) -> Process:
        """Start a process in a session of its own, so that Ctrl-C reaches the tool, which stops it in order."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if name in self.processes and not self.processes[name].alive():
            self.processes[name].log_file.close()  # started again after a stop or a kill
        log_path = self.log_dir / f"{name}.log"
        log_file = log_path.open("ab")
        prefix = ["taskset", "-c", self.cpus] if self.cpus else []
        popen = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            [*prefix, *argv],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        process = Process(name, popen, log_path, log_file)
        self.processes[name] = process
        return process

    def start_service(self, name: str, *, workers: int = 1) -> Process:
        """Start one service (with its relay, unless *_RELAY_ENABLED=false)."""
        return self.start(name, service_argv(name, workers=workers, clock_file=self.clock_file))

    def start_relays(self) -> None:
        """Start a relay process for each publishing service that has none running."""
        for service in PUBLISHERS:
            name = f"{service}-relay"
            if name not in self.processes or not self.processes[name].alive():
                self.start(name, relay_argv(service))

    def stop_relays(self) -> None:
        """Stop the relay processes (each finishes the round under way)."""
        for service in PUBLISHERS:
            process = self.processes.pop(f"{service}-relay", None)
            if process is not None:
                process.stop()

    async def ready(self, name: str, *, path: str = "/readyz", within: float = READY_SECONDS) -> float:
        """Poll a server until it answers 200; the seconds it took. RuntimeError if it stops or takes too long."""
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                process = self.processes[name]
                if not process.alive():
                    raise RuntimeError(f"{name} stopped while starting:\n{process.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(self.url(name) + path)).status_code == 200:
                        return time.monotonic() - started
                if time.monotonic() - started > within:
                    raise RuntimeError(f"{name} was not ready within {within:.0f} s:\n{process.tail()}")
                await asyncio.sleep(0.05)

    def wait_ready(
        self, names: Sequence[str] = SERVICES, *, path: str = "/readyz", within: float = READY_SECONDS
    ) -> None:
        """Return once every named server answers its readiness path, in order."""
        for name in names:
            asyncio.run(self.ready(name, path=path, within=within))

    def alive(self) -> bool:
        """Whether every process still runs."""
        return all(process.alive() for process in self.processes.values())

    def check_alive(self) -> None:
        """Raise if a process died."""
        for process in self.processes.values():
            if not process.alive():
                raise RuntimeError(f"{process.name} exited:\n{process.tail()}")

    def stop(self) -> None:
        """Stop every process, the last started first."""
        for process in reversed(list(self.processes.values())):
            process.stop()
        self.processes.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
