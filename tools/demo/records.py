"""What the demonstration remembers about its cases, and what it counts as it goes."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from tools.demo.http import Login
from tools.demo.people import Applicant, Case


@dataclass
class CaseRecord:
    """One application the demonstration made, as far as the applicant and the grid company got with it."""

    key: str  # stable across runs of one seed, unlike the ids the services give out
    application_id: str
    applicant: Applicant
    login: Login
    case: Case
    category: str
    grid_company: str
    zero_investment: bool
    submitted_on: date
    withdraw_on: date | None = None
    job_id: str | None = None
    status: str = "open"  # open, connected, withdrawn
    connected_on: date | None = None
    late: bool = False
    welcomed: bool = False  # staff have seen the job once
    paused_until: date | None = None
    pauses_used: set[str] = field(default_factory=set)
    rate_on: date | None = None
    rated: bool = False


@dataclass
class Tally:
    """Running counts of what happened, for the progress line and the closing summary."""

    registered: int = 0
    applications: int = 0
    second_applications: int = 0
    incomplete_answers: int = 0
    documents_uploaded: int = 0
    documents_reused: int = 0
    withdrawn: int = 0
    steps_completed: int = 0
    late_steps: int = 0
    pauses: int = 0
    resumes: int = 0
    fees: int = 0
    customer_fees_zero_investment: int = 0
    visits: int = 0
    connected: int = 0
    evaluations: int = 0
    conflicts: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Every count by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


class Book:
    """Every case record, by application id and by job id."""

    def __init__(self) -> None:
        self.by_application: dict[str, CaseRecord] = {}
        self.tally = Tally()

    def add(self, record: CaseRecord) -> None:
        """Remember a new application."""
        self.by_application[record.application_id] = record

    def records(self) -> list[CaseRecord]:
        """Every record, in the order the applications were made."""
        return list(self.by_application.values())

    def open_count(self) -> int:
        """Applications neither connected nor withdrawn."""
        return sum(r.status == "open" for r in self.by_application.values())
