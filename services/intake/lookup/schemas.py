"""What the public may read of a case: its progress, never who applied or where."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from services.common.rules.models import StepCode
from services.intake.applications.schemas import Status

PhoneLast4 = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
CaseNumber = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class PublicStepRead(BaseModel):
    """A step of the case and when it was done."""

    code: StepCode
    name: str
    completed_at: datetime | None = None


class PublicStatusRead(BaseModel):
    """Where a case stands, with no personal data."""

    number: str
    status: Status
    current_step: StepCode | None
    due_on: date
    steps: list[PublicStepRead]
