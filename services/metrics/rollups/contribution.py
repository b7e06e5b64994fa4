"""What one counted case adds to the rollups, and what one open case adds to the overdue counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.metrics.rollups.models import ALL_COMPANIES, LEVELS


def region_buckets(region: str, grid_company: str) -> list[dict[str, Any]]:
    """The level, region and company of every bucket a case of this county and company is counted in."""
    own = [{"level": level, "region": region[:level], "grid_company": grid_company} for level in LEVELS]
    return [*own, {"level": 0, "region": "", "grid_company": ALL_COMPANIES}]


@dataclass(frozen=True)
class Contribution:
    """A counted case's share of its buckets: one of each count, its figures for each sum."""

    month: int
    report_category: str
    grid_company: str
    region: str
    working_days: int
    steps: int
    documents: int
    customer_cost: Decimal
    within_limit: bool
    zero_visit: bool
    online: bool
    paused_working_days: int
    evaluation: int | None
    signed_online: bool

    def bucket_keys(self) -> list[dict[str, Any]]:
        """The bucket of every region level this case is counted in, and the nationwide one of all companies."""
        fixed = {"month": self.month, "report_category": self.report_category}
        return [{**bucket, **fixed} for bucket in region_buckets(self.region, self.grid_company)]

    def sums(self, sign: int) -> dict[str, Any]:
        """The increments of every sum column, negated when the contribution is taken away."""
        return {
            "connected_count": sign,
            "sum_working_days": sign * self.working_days,
            "sum_steps": sign * self.steps,
            "sum_documents": sign * self.documents,
            "sum_customer_cost": sign * self.customer_cost,
            "within_limit_count": sign * int(self.within_limit),
            "zero_visit_count": sign * int(self.zero_visit),
            "online_count": sign * int(self.online),
            "sum_paused_working_days": sign * self.paused_working_days,
            "evaluated_count": sign * int(self.evaluation is not None),
            "sum_evaluation": sign * (self.evaluation or 0),
            "signed_online_count": sign * int(self.signed_online),
        }


@dataclass(frozen=True)
class OpenShare:
    """An open case that will be overdue after its due date: one in each of its open_due buckets."""

    report_category: str
    grid_company: str
    region: str
    due_on: date

    def bucket_keys(self) -> list[dict[str, Any]]:
        """The open_due row of every region level this case is counted in, and the nationwide one."""
        fixed = {"due_on": self.due_on, "report_category": self.report_category}
        return [{**bucket, **fixed} for bucket in region_buckets(self.region, self.grid_company)]
