"""Complaint bodies."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from services.metrics.periods import ReportedInstant

Topic = Literal["delay", "fee", "visit", "documents", "service", "other"]
Status = Literal["received", "assigned", "resolved"]
# A complaint only moves forward: received, then assigned to the grid company, then resolved.
STATUS_ORDER: tuple[Status, ...] = ("received", "assigned", "resolved")
# Seven or more digits in a run are a phone, ID or account number (metrics keep no personal data), however
# they are written apart: 138 0013 8000, 138-0013-8000, 138—0013—8000, 138、0013、8000, (010)6512/3456, and in
# full-width digits or Chinese numerals (一三八〇〇一三八〇〇〇). Up to two marks may stand between two digits;
# a colon may not, so that a time span (9:30-11:45) is not taken for a number.
_SEPARATOR = r"[\s\-.·/\\()（）_+，,、~～*#'\"\u2010-\u2015\u2212]"
_NUMBER_RUN = re.compile(rf"\d(?:{_SEPARATOR}{{0,2}}\d)+")
_CHINESE_NUMERALS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_MIN_DIGITS = 7


def _holds_a_number(text: str) -> bool:
    # NFKC writes full-width digits and marks (１３８－００１３) as their ASCII forms.
    folded = unicodedata.normalize("NFKC", text).translate(_CHINESE_NUMERALS)
    return any(sum(c.isdigit() for c in run.group()) >= _MIN_DIGITS for run in _NUMBER_RUN.finditer(folded))


class ComplaintBase(BaseModel):
    """What the hotline recorded."""

    received_at: datetime
    region: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,6}$")]
    grid_company: Annotated[str, StringConstraints(pattern=r"^\S{1,32}$")]
    category: Topic
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    application_id: Annotated[str, StringConstraints(max_length=64)] | None = None


class ComplaintCreate(ComplaintBase):
    """A complaint to record; the summary must not hold names or numbers of people."""

    model_config = ConfigDict(extra="forbid")

    received_at: ReportedInstant

    @field_validator("summary")
    @classmethod
    def _no_numbers(cls, summary: str) -> str:
        return _without_numbers(summary, "summary")


def _without_numbers(text: str, name: str) -> str:
    if _holds_a_number(text):
        raise ValueError(f"the {name} must not contain phone, ID or account numbers")
    return text


class ComplaintUpdate(BaseModel):
    """How a complaint is being handled; resolving it needs a resolution."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["assigned", "resolved"] | None = None
    resolution: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] | None = None

    @field_validator("resolution")
    @classmethod
    def _no_numbers(cls, resolution: str | None) -> str | None:
        return None if resolution is None else _without_numbers(resolution, "resolution")


class ComplaintRead(ComplaintBase):
    """A recorded complaint."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    received_on: date
    recorded_by: str
    created_at: datetime
    status: Status
    resolution: str | None
    handled_by: str | None
    handled_at: datetime | None


class ComplaintPage(BaseModel):
    """Complaints, newest first."""

    items: list[ComplaintRead]
    total: int
    limit: int
    offset: int
