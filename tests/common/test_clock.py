"""Clocks: local dates in Asia/Shanghai and simulated time shared through a file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from services.common.clock import local_date
from tools.clock import FileClock


def test_local_date_is_taken_in_shanghai() -> None:
    assert local_date(datetime(2026, 9, 30, 16, 30, tzinfo=UTC)) == date(2026, 10, 1)
    assert local_date(datetime(2026, 9, 30, 15, 59, tzinfo=UTC)) == date(2026, 9, 30)


def test_a_file_clock_reads_what_another_process_wrote(tmp_path: Path) -> None:
    writer, reader = FileClock(tmp_path / "clock"), FileClock(tmp_path / "clock")
    before = reader.now()
    assert abs((before - datetime.now(UTC)).total_seconds()) < 5
    writer.set(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    assert reader.now() == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
