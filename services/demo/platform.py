"""The demonstration's own three services: a fresh var directory, free ports, one clock file, child processes."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

import httpx

from services.common.settings import REPO_ROOT
from services.demo.accounts import SERVICE_PREFIXES, service_environment, zerovisit
from services.demo.http import Urls

SERVICES = ("intake", "workflow", "metrics")
MARKER = ".zerovisit-demo"
HOST = "127.0.0.1"
# Relays look for work this often (seconds); the default is for production, not for a day a second.
RELAY_INTERVAL = "0.05"
# Simulated time jumps a night at once; a delivery signed just before the jump must still be fresh.
EVENTS_TOLERANCE = str(2 * 24 * 3600)
READY_SECONDS = 60
STOP_SECONDS = 10


class PlatformError(Exception):
    """The demonstration's services could not be prepared or started."""


def prepare_var_dir(path: Path) -> None:
    """Empty a var directory an earlier demonstration made (or make one); refuse any other non-empty one."""
    if path.exists() and any(path.iterdir()):
        if not (path / MARKER).exists():
            raise PlatformError(f"{path} is not empty and was not made by `zerovisit demo`; choose another --var-dir")
        shutil.rmtree(path)
    (path / "logs").mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("made by zerovisit demo; emptied by the next one\n", encoding="utf-8")


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now, asked of the system all at once so that they differ."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]


def environment(
    var_dir: Path, ports: Mapping[str, int], database_urls: Mapping[str, str | None], clock_file: Path
) -> dict[str, str]:
    """Every service's settings: the same var dir and clock, each other's ports, one events secret."""
    secret = secrets.token_urlsafe(24)
    url = {name: f"http://{HOST}:{ports[name]}" for name in SERVICES}

    def subscribers(*names: str, topics: str) -> str:
        return json.dumps(
            [{"name": n, "url": f"{url[n]}/internal/events", "secret": secret, "topics": [topics]} for n in names]
        )

    env: dict[str, str] = {}
    for name in SERVICES:
        prefix = f"{name.upper()}_"
        env |= {
            prefix + "VAR_DIR": str(var_dir),
            prefix + "HOST": HOST,
            prefix + "PORT": str(ports[name]),
            prefix + "CLOCK_FILE": str(clock_file),
            prefix + "EVENTS_SECRET": secret,
            prefix + "EVENTS_TOLERANCE_SECONDS": EVENTS_TOLERANCE,
            prefix + "RELAY_INTERVAL_SECONDS": RELAY_INTERVAL,
        }
        if database_urls.get(name):
            env[prefix + "DATABASE_URL"] = str(database_urls[name])
    jwks = f"{url['intake']}/.well-known/jwks.json"
    env |= {
        "INTAKE_SUBSCRIBERS": subscribers("workflow", "metrics", topics="application.*"),
        "WORKFLOW_SUBSCRIBERS": subscribers("intake", "metrics", topics="job.*"),
        "METRICS_SUBSCRIBERS": "[]",
        # Every simulated applicant registers from this one machine.
        "INTAKE_REGISTRATIONS_PER_CLIENT_PER_HOUR": "0",
        "WORKFLOW_JWKS_URL": jwks,
        "METRICS_JWKS_URL": jwks,
    }
    return env


def migrate(env: Mapping[str, str]) -> None:
    """Bring the three databases to the newest migration, as `zerovisit migrate` does."""
    with service_environment(env):
        code, output = zerovisit("migrate")
    if code != 0:
        raise PlatformError(f"zerovisit migrate failed: {output}")


def _die_with_parent() -> None:
    """In the child: be sent SIGTERM should the demonstration itself be killed (Linux only)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LocalServices:
    """intake, workflow and metrics as child processes of the demonstration, logging to files."""

    def __init__(self, env: Mapping[str, str], ports: Mapping[str, int], log_dir: Path) -> None:
        self.env = env
        self.urls = Urls(*(f"http://{HOST}:{ports[name]}" for name in SERVICES))
        self.log_dir = log_dir
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []

    def log(self, name: str) -> Path:
        """Where a service's output goes."""
        return self.log_dir / f"{name}.log"

    def __enter__(self) -> LocalServices:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the three processes; they get ready while the caller does other things."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
        for name in SERVICES:
            log = open(self.log(name), "wb")
            self._logs.append(log)
            self.children[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "services.cli", "run", "--service", name],
                env={**inherited, **self.env},
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches the demonstration, which stops them in order
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    def wait_ready(self) -> None:
        """Return once every service answers /readyz; PlatformError if one stops or takes too long."""
        deadline = time.monotonic() + READY_SECONDS
        with httpx.Client(timeout=2.0) as client:
            for name, base in zip(SERVICES, (self.urls.intake, self.urls.workflow, self.urls.metrics), strict=True):
                while True:
                    if self.children[name].poll() is not None:
                        raise PlatformError(f"{name} stopped while starting:\n{self.tail(name)}")
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(f"{base}/readyz").status_code == 200:
                            break
                    if time.monotonic() > deadline:
                        raise PlatformError(f"{name} was not ready within {READY_SECONDS} s:\n{self.tail(name)}")
                    time.sleep(0.1)

    def tail(self, name: str, lines: int = 15) -> str:
        """The last lines a service logged."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log(name).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        return ""

    def alive(self) -> bool:
        """Whether every service still runs."""
        return all(child.poll() is None for child in self.children.values())

    def stop(self) -> None:
        """Ask each service to stop (SIGINT, as Ctrl-C would), and kill one that does not in time."""
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.children.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()


@contextlib.contextmanager
def interrupt_on_termination() -> Iterator[None]:
    """SIGTERM and SIGHUP end the demonstration the way Ctrl-C does, so its services are stopped too."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
