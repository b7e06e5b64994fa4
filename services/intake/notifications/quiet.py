"""Quiet hours: no SMS at night in Asia/Shanghai; a message due then waits for the morning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from services.common.clock import SHANGHAI


@dataclass(frozen=True)
class QuietHours:
    """From one local time until another (across midnight when the first is later); equal times: none."""

    start: time
    end: time

    def is_quiet(self, instant: datetime) -> bool:
        """Whether an SMS may not go at this instant."""
        local = instant.astimezone(SHANGHAI).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start > self.end:
            return local >= self.start or local < self.end
        return self.start <= local < self.end

    def release_at(self, instant: datetime) -> datetime:
        """The instant itself if an SMS may go then, else the end of these quiet hours (UTC)."""
        if not self.is_quiet(instant):
            return instant
        local = instant.astimezone(SHANGHAI)
        end = datetime.combine(local.date(), self.end, SHANGHAI)
        if end <= local:
            # Quiet since the evening: the end is tomorrow morning. (Shanghai keeps no summer time.)
            end += timedelta(days=1)
        return end.astimezone(UTC)
