"""A realistic, reproducible population of case facts, derived exactly as the service derives them."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from services.common import casetime
from services.common.calendar import WorkingDayCalendar
from services.common.rules import RuleBook
from services.metrics.facts import derive
from services.metrics.facts.models import CaseFact

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROVINCES = ("11", "12", "31", "32", "33", "37", "44", "45", "53")
# County codes: 9 provinces x 4 cities x 8 counties; Guangdong's 4401/4403 are Guangzhou and Shenzhen.
REGIONS = tuple(f"{p}{c:02d}{k:02d}" for p in PROVINCES for c in (1, 2, 3, 4) for k in range(1, 9))
CATEGORIES = (("residential_lv", 55), ("sme_lv", 20), ("non_residential_lv", 10), ("hv_single", 10), ("hv_dual", 5))
FIRST_SUBMISSION = date(2025, 6, 16)
COLUMNS = tuple(column.name for column in CaseFact.__table__.columns)
DERIVED = (
    "working_days",
    "within_limit",
    "counted",
    "connected_month",
    "is_open",
    "due_on",
    "step_count",
    "overdue_steps",
    "connected_on",
    "submitted_on",
)


class _Memo(WorkingDayCalendar):
    """The calendar with its answers remembered: a million cases ask about a few thousand distinct spans."""

    def __init__(self, calendar: WorkingDayCalendar) -> None:
        self.__dict__.update(calendar.__dict__)
        self.add_working_days = lru_cache(maxsize=None)(super().add_working_days)  # type: ignore[method-assign]
        self.working_days_between = lru_cache(maxsize=None)(super().working_days_between)  # type: ignore[method-assign]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)


class Population:
    """Draws cases from a seeded generator; `today` is the last day a case may connect."""

    def __init__(self, rules: RuleBook, calendar: WorkingDayCalendar, today: date, seed: int = 2026) -> None:
        self.rules, self.today, self.seed = rules, today, seed
        self.calendar = _Memo(calendar)
        self.random = random.Random(seed)
        self.span_days = (today - FIRST_SUBMISSION).days
        self.now = datetime.now(UTC)

    def case(self, number: int) -> dict[str, Any]:
        """One case fact as a column -> value mapping."""
        rnd, cal = self.random, self.calendar
        code = rnd.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
        business_type = "capacity_increase" if rnd.random() < 0.2 else "new_install"
        region = rnd.choice(REGIONS)
        submitted_on = FIRST_SUBMISSION + timedelta(days=rnd.randrange(self.span_days))
        rule_set = self.rules.in_force_on(submitted_on)
        category = rule_set.category(code)
        total = category.total_limit_working_days
        planned = max(1, int(total * rnd.uniform(0.3, 1.3)))
        paused = rnd.randint(1, 30) if rnd.random() < 0.1 else 0
        connected_on: date | None = cal.add_working_days(submitted_on, planned + paused).date
        withdrawn = rnd.random() < 0.01
        if withdrawn or (connected_on is not None and connected_on >= self.today):
            connected_on, paused = None, 0
        steps, elapsed_left, started_on = [], planned, submitted_on
        limits_total = sum(s.limit_working_days for s in category.steps)
        for i, step in enumerate(category.steps):
            last = i == len(category.steps) - 1
            share = round(planned * step.limit_working_days / limits_total)
            elapsed = elapsed_left if last else min(elapsed_left, share)
            elapsed_left -= elapsed
            done_on = cal.add_working_days(started_on, elapsed).date
            completed = connected_on is not None and (not last or done_on <= connected_on)
            steps.append(
                {
                    "code": step.code,
                    "limit_working_days": step.limit_working_days,
                    "started_at": _at(started_on, 10).isoformat() if started_on else None,
                    "due_on": cal.add_working_days(started_on, step.limit_working_days).date.isoformat(),
                    "completed_at": _at(done_on, 15).isoformat() if completed else None,
                    "elapsed_working_days": elapsed if completed else None,
                    "overdue": completed and elapsed > step.limit_working_days,
                }
            )
            if not completed:
                break
            started_on = done_on
        # A live case's time is workflow's to report: what its job.connected event would have said.
        reported = (
            casetime.handling_days(cal, started_on=submitted_on, ended_on=connected_on, paused=paused)
            if connected_on
            else None
        )
        zero = category.zero_investment
        cost = Decimal(0) if zero and rnd.random() > 0.005 else Decimal(rnd.randrange(0, 20_000_000)) / 100
        visits = rnd.choices((0, 1, 2), (85, 12, 3))[0]
        fact = {name: None for name in COLUMNS} | {
            "id": f"bench-{number:08d}",
            "source": "live",
            "category": code,
            "report_category": rule_set.report_category(code, business_type),
            "business_type": business_type,
            "grid_company": rule_set.grid_company_for(region),
            "region": region,
            "channel": "hall" if rnd.random() < 0.1 else rnd.choice(("app", "web", "wechat")),
            "rule_set": rule_set.id,
            "zero_investment": zero,
            "allowed_visits": category.allowed_visits,
            "total_limit_working_days": total,
            "submitted_at": _at(submitted_on, 9),
            "case_due_on": cal.add_working_days(submitted_on, total).date,
            "current_step": None if connected_on else steps[-1]["code"],
            "connected_at": _at(connected_on, 16) if connected_on else None,
            "withdrawn_at": _at(submitted_on + timedelta(days=3), 11) if withdrawn else None,
            "paused_working_days": paused,
            "reported_working_days": reported,
            "reported_within_limit": None
            if reported is None
            else reported <= total and not any(step["overdue"] for step in steps),
            "longest_pause_working_days": paused,
            "documents_supplied": rnd.randint(0, 5),
            "documents_reused": rnd.randint(0, 2),
            "customer_cost": cost,
            "flagged_fees": int(zero and cost > 0),
            "flagged_fee_yuan": cost if zero else Decimal(0),
            "visits": visits,
            "steps": steps,
            "fees": [],
            "visit_log": [],
            "pauses": [],
            "updated_at": self.now,
            "unlicensed_contractor": False,
        }
        return fact | self.derived(fact)

    def derived(self, fact: dict[str, Any]) -> dict[str, Any]:
        """The derived columns, computed by the service's own derivation."""
        # A plain namespace stands in for the ORM object: refresh() only reads and sets attributes, and
        # building a million mapped instances would take longer than the whole load.
        probe = SimpleNamespace(**{k: v for k, v in fact.items() if k not in DERIVED})
        derive.refresh(probe, calendar=self.calendar)  # type: ignore[arg-type]
        return {name: getattr(probe, name) for name in DERIVED}

    def records(self, start: int, count: int) -> Iterator[tuple[Any, ...]]:
        """Rows for COPY, in table column order, JSON columns as text.

        Each run of cases draws from a generator seeded by the seed and its first number, so the same
        cases come out whichever process makes them and in whatever order the runs are made.
        """
        self.random = random.Random(f"{self.seed}:{start}")
        for number in range(start, start + count):
            fact = self.case(number)
            for name in ("steps", "fees", "visit_log", "pauses"):
                fact[name] = json.dumps(fact[name])
            yield tuple(fact[name] for name in COLUMNS)
