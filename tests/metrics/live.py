"""Event payloads as intake and workflow publish them (their events.py contracts), for one live case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import uuid4

from services.common.clock import local_date
from tests.metrics.support import CALENDAR, RULES


@dataclass
class LiveCase:
    """A live case of a category in a region, submitted at an instant."""

    submitted_at: datetime
    category: str = "sme_lv"
    business_type: str = "new_install"
    region: str = "110105"
    channel: str = "app"
    application_id: str = field(default_factory=lambda: str(uuid4()))
    job_id: str = field(default_factory=lambda: str(uuid4()))

    @property
    def rules(self) -> Any:
        """The rule set in force at submission."""
        return RULES.in_force_on(local_date(self.submitted_at))

    @property
    def grid_company(self) -> str:
        """The company serving the region."""
        company: str = self.rules.grid_company_for(self.region)
        return company

    def submitted(self, **extra: Any) -> dict[str, Any]:
        """application.submitted v1."""
        category = self.rules.category(self.category)
        return {
            "application_id": self.application_id,
            "number": "ZV20260105ABCDEF12",
            "category": self.category,
            "report_category": self.rules.report_category(self.category, self.business_type),
            "business_type": self.business_type,
            "customer_type": "enterprise",
            "small_micro": True,
            "capacity_kva": "100.00",
            "dual_supply": False,
            "access_voltage": category.access_voltage,
            "zero_investment": category.zero_investment,
            "grid_company": self.grid_company,
            "region": self.region,
            "channel": self.channel,
            "rule_set": self.rules.id,
            "steps": [s.model_dump() for s in category.steps],
            "total_limit_working_days": category.total_limit_working_days,
            "allowed_visits": category.allowed_visits,
            "submitted_at": self.submitted_at.isoformat(),
            "due_on": CALENDAR.add_working_days(
                local_date(self.submitted_at), category.total_limit_working_days
            ).date.isoformat(),
            "documents_required": 3,
            "documents_supplied": 2,
            "documents_reused": 1,
            **extra,
        }

    def created(self, at: datetime, *, due_on: str | None = None) -> dict[str, Any]:
        """job.created v1: the job's fields and the case's own due date."""
        category = self.rules.category(self.category)
        return self.job(
            at,
            category=self.category,
            due_on=due_on or self.submitted()["due_on"],
            rule_set=self.rules.id,
            total_limit_working_days=category.total_limit_working_days,
            submitted_at=self.submitted_at.isoformat(),
        )

    def steps(self, completed: dict[str, datetime] | None = None) -> list[dict[str, Any]]:
        """The job's steps, those named in completed being done at the given instants."""
        done = completed or {}
        steps, started = [], self.submitted_at
        for step in self.rules.category(self.category).steps:
            finished = done.get(step.code)
            steps.append(
                {
                    "code": step.code,
                    "name": step.name,
                    "limit_working_days": step.limit_working_days,
                    "started_at": started.isoformat() if started else None,
                    "due_on": CALENDAR.add_working_days(local_date(started), step.limit_working_days).date.isoformat()
                    if started
                    else None,
                    "completed_at": finished.isoformat() if finished else None,
                    "elapsed_working_days": None,
                    "overdue": False,
                }
            )
            started = finished  # type: ignore[assignment]
        return steps

    def job(self, at: datetime, *, completed: dict[str, datetime] | None = None, **extra: Any) -> dict[str, Any]:
        """The fields every job.* event carries."""
        steps = self.steps(completed)
        current = next((s["code"] for s in steps if s["completed_at"] is None), None)
        return {
            "job_id": self.job_id,
            "application_id": self.application_id,
            "grid_company": self.grid_company,
            "region": self.region,
            "at": at.isoformat(),
            "current_step": current,
            "steps": steps,
            **extra,
        }
