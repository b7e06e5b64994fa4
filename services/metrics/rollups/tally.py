"""Totals of a set of counted cases, merged from rollup rows, and the figures a report shows.

P90 is the nearest-rank 90th percentile of the merged histogram: the smallest working-day count w such
that at least 90% of the cases took w working days or fewer (the ceil(0.9 n)-th value in sorted order).
Working days are integers, so the histogram is exact and so is the P90.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.metrics.rollups.models import SUM_COLUMNS


@dataclass
class Tally:
    """Counts, sums and a working-day histogram."""

    connected_count: int = 0
    sum_working_days: int = 0
    sum_steps: int = 0
    sum_documents: int = 0
    sum_customer_cost: Decimal = Decimal(0)
    within_limit_count: int = 0
    zero_visit_count: int = 0
    online_count: int = 0
    sum_paused_working_days: int = 0
    evaluated_count: int = 0
    sum_evaluation: int = 0
    signed_online_count: int = 0
    histogram: Counter[int] = field(default_factory=Counter)

    def add_sums(self, row: Any) -> None:
        """Add a row holding the sum columns (a rollup row, or an aggregate of facts)."""
        for name in SUM_COLUMNS:
            total = getattr(self, name)
            # Each sum stays in its field's own type: whole numbers, and yuan as Decimal.
            setattr(self, name, total + type(total)(getattr(row, name) or 0))

    def merge(self, other: Tally) -> None:
        """Add another tally's cases to this one."""
        self.add_sums(other)
        self.histogram.update(other.histogram)

    def p90(self) -> int | None:
        """The nearest-rank 90th percentile of working days, None without cases."""
        total = sum(self.histogram.values())
        if total == 0:
            return None
        rank = math.ceil(0.9 * total)
        seen = 0
        for working_days in sorted(self.histogram):
            seen += self.histogram[working_days]
            if seen >= rank:
                return working_days
        raise AssertionError("unreachable: the ranks add up to the total")

    def figures(self) -> dict[str, Any]:
        """Averages and rates (fractions 0-1, costs in yuan); None where there is no case to average."""
        n = self.connected_count
        rating = self.sum_evaluation / self.evaluated_count if self.evaluated_count else None
        if n == 0:
            return {
                "connected_count": 0,
                "avg_working_days": None,
                "p90_working_days": None,
                "avg_steps": None,
                "avg_documents": None,
                "avg_customer_cost": None,
                "within_limit_rate": None,
                "zero_visit_rate": None,
                "online_rate": None,
                "avg_paused_working_days": None,
                "avg_evaluation": rating,
                "contracts_signed_online": 0,
                "signed_online_share": None,
            }
        cost = (self.sum_customer_cost / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return {
            "connected_count": n,
            "avg_working_days": self.sum_working_days / n,
            "p90_working_days": self.p90(),
            "avg_steps": self.sum_steps / n,
            "avg_documents": self.sum_documents / n,
            "avg_customer_cost": float(cost),
            "within_limit_rate": self.within_limit_count / n,
            "zero_visit_rate": self.zero_visit_count / n,
            "online_rate": self.online_count / n,
            "avg_paused_working_days": self.sum_paused_working_days / n,
            "avg_evaluation": rating,
            "contracts_signed_online": self.signed_online_count,
            "signed_online_share": self.signed_online_count / n,
        }
