"""The demonstration's own three services: a fresh var directory, free ports, one clock file, a local stack."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import signal
from collections.abc import Iterator, Mapping
from pathlib import Path

from tools.demo.http import Urls
from tools.stack import SERVICES, LocalStack, environment, every_service

MARKER = ".zerovisit-demo"
# Relays look for work this often (seconds); the default is for production, not for a day a second.
RELAY_INTERVAL = "0.05"
# Simulated time jumps a night at once; a delivery signed just before the jump must still be fresh.
EVENTS_TOLERANCE = str(2 * 24 * 3600)


class PlatformError(Exception):
    """The demonstration's services could not be prepared or started."""


def prepare_var_dir(path: Path) -> None:
    """Empty a var directory an earlier demonstration made (or make one); refuse any other non-empty one."""
    if path.exists() and any(path.iterdir()):
        if not (path / MARKER).exists():
            raise PlatformError(f"{path} is not empty and was not made by the demonstration; choose another --var-dir")
        shutil.rmtree(path)
    (path / "logs").mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("made by the demonstration; emptied by the next one\n", encoding="utf-8")


def demo_environment(
    var_dir: Path, ports: Mapping[str, int], database_urls: Mapping[str, str | None]
) -> dict[str, str]:
    """Every service's settings: the same var dir, each other's ports, one events secret for the run."""
    secret = secrets.token_urlsafe(24)
    return environment(
        ports,
        var_dir=var_dir,
        secrets=dict.fromkeys(SERVICES, secret),
        database_urls=database_urls,
        settings=every_service(EVENTS_TOLERANCE_SECONDS=EVENTS_TOLERANCE, RELAY_INTERVAL_SECONDS=RELAY_INTERVAL),
    )


class LocalServices(LocalStack):
    """intake, workflow and metrics as child processes of the demonstration, on the time in its clock file."""

    @property
    def urls(self) -> Urls:
        """Where the demonstration reaches the three services."""
        return Urls(*(self.url(name) for name in SERVICES))

    def start_all(self) -> None:
        """Start the three processes; they get ready while the caller does other things."""
        for name in SERVICES:
            self.start_service(name)

    def wait_all_ready(self) -> None:
        """Return once every service answers /readyz; PlatformError if one stops or takes too long."""
        try:
            self.wait_ready()
        except RuntimeError as exc:
            raise PlatformError(str(exc)) from exc


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
