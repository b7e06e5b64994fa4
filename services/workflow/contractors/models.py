"""The registry of contractors' licences (承装（修、试）电力设施许可证), as regulators import it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcTimestamp
from services.workflow.db import Base


class ContractorLicence(Base):
    """A licence: its holder, class (1 highest, 5 lowest), scopes and the last day it is valid."""

    __tablename__ = "contractor_licence"

    number: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    licence_class: Mapped[int]
    scopes: Mapped[list[str]] = mapped_column(JSON)
    valid_until: Mapped[date]
    imported_at: Mapped[UtcTimestamp]

    def is_valid_on(self, day: date) -> bool:
        """Whether the licence's validity has not ended on a day."""
        return self.valid_until >= day
