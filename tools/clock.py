"""Simulated time shared by several processes through a file (`tools.serve` hands it to a service)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path


class FileClock:
    """Simulated time shared by several processes: the instant written in a file, for demonstrations only.

    Every service of a simulation is started on the same file, so they agree on what day it is while a
    driver moves time forward.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        """The instant in the file, or the real time while the file does not exist yet."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return datetime.now(UTC)
        instant = datetime.fromisoformat(text)
        return instant if instant.tzinfo else instant.replace(tzinfo=UTC)

    def set(self, instant: datetime) -> None:
        """Move the shared time (written atomically, so a reader never sees half an instant)."""
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(instant.isoformat(), encoding="utf-8")
        temporary.replace(self.path)
