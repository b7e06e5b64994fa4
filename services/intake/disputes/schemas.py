"""Dispute bodies: what the applicant sends, and what it reads back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

RecordKind = Literal["visit", "fee"]


class DisputeCreate(BaseModel):
    """A visit or fee on the case (its id as the progress lists it) and why the applicant disputes it."""

    model_config = ConfigDict(extra="forbid")

    record: RecordKind
    record_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class DisputeRequest(DisputeCreate):
    """A dispute with the application it is raised on: what an Idempotency-Key is bound to."""

    application_id: str


class DisputeRead(BaseModel):
    """A dispute as the applicant raised it; `open` until the grid company's answer is recorded."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    application_id: str
    record: RecordKind
    record_id: str
    reason: str
    status: Literal["open"]
    created_at: datetime


class DisputeList(BaseModel):
    """The disputes of one application, oldest first."""

    items: list[DisputeRead]
