"""The supply contract of an application: made when the case is accepted, signed once by its applicant."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import Sha256Hex, UtcTimestamp
from services.intake.db import Base

USER_AGENT_MAX = 300


class SupplyContract(Base):
    """What the contract is made from (so the same bytes come out every time) and, once signed, the signature."""

    __tablename__ = "supply_contract"

    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64))
    # The applicant's name as the contract names them, kept as it was when the contract was made.
    party_name: Mapped[str] = mapped_column(String(200))
    # When the case was accepted: the contract's date, and the PDF's creation date.
    ready_at: Mapped[UtcTimestamp]
    signed_at: Mapped[UtcTimestamp | None]
    sha256: Mapped[Sha256Hex | None]
    signer_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    signer_name: Mapped[str | None] = mapped_column(String(200))
    # Where the signature came from: the client address as the throttles see it, and what the client said it was.
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_MAX))
