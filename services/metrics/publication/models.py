"""A published version of a half-year report, frozen as it was when published."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcTimestamp
from services.metrics.db import Base


class PublishedReport(Base):
    """One version of a period's public report; publishing again adds the next version."""

    __tablename__ = "published_report"

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    published_at: Mapped[UtcTimestamp]
    published_by: Mapped[str] = mapped_column(String(64))
    # The PublicReport document: per-company figures only, no case ids and no personal data.
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
