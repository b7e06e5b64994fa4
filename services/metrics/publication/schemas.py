"""The public report: a frozen half-year report with its version."""

from __future__ import annotations

from datetime import datetime

from services.metrics.figures.schemas import Report


class PublicReport(Report):
    """A published version of a half-year report: figures per category and grid company, no case and no person."""

    version: int
    published_at: datetime
