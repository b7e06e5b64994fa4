"""Rollup tables: sums per bucket, an exact histogram of working days per bucket, open cases by due date.

A bucket is (connection month as yyyymm, report category, grid company, region level, region). Every
counted case adds to one bucket per region level: level 0 holds it under region "", level 2 under the
province (first 2 digits), level 4 under the city, level 6 under the county. A query for a region prefix
reads one level only, so a prefix is an exact key and nothing is counted twice.

The whole country is also kept without a company breakdown, under grid company "" (ALL_COMPANIES) at
level 0: a nationwide question that does not ask about companies reads those rows, a tenth as many as the
companies' own, however many cases there are.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Numeric, Table
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import GridCompanyCode, RegionCode, RuleCode, partial_index
from services.metrics.db import Base

LEVELS: tuple[int, ...] = (0, 2, 4, 6)
# The grid company of the nationwide buckets that add up every company (no company's code is empty).
ALL_COMPANIES = ""


class Bucket:
    """The key of a bucket, first in each rollup table."""

    # Key order = primary-key index order: a query names one level, region and company (all of them, or one),
    # then a range of months, so the index holds its rows side by side. A mixin's columns would otherwise
    # follow the table's own.
    level: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    region: Mapped[RegionCode] = mapped_column(primary_key=True, sort_order=-1)
    grid_company: Mapped[GridCompanyCode] = mapped_column(primary_key=True, sort_order=-1)
    month: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    report_category: Mapped[RuleCode] = mapped_column(primary_key=True, sort_order=-1)


class Rollup(Bucket, Base):
    """Counts and sums of the counted cases in one bucket."""

    __tablename__ = "rollup"

    connected_count: Mapped[int]
    sum_working_days: Mapped[int] = mapped_column(BigInteger)
    sum_steps: Mapped[int] = mapped_column(BigInteger)
    sum_documents: Mapped[int] = mapped_column(BigInteger)
    sum_customer_cost: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    within_limit_count: Mapped[int]
    zero_visit_count: Mapped[int]
    online_count: Mapped[int]
    sum_paused_working_days: Mapped[int] = mapped_column(BigInteger)
    # Customers' ratings (1-5) of the cases rated so far: the average rating is sum / count.
    evaluated_count: Mapped[int] = mapped_column(server_default="0")
    sum_evaluation: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Cases whose supply contract the applicant signed online, without a trip to sign it.
    signed_online_count: Mapped[int] = mapped_column(server_default="0")


class RollupHistogram(Bucket, Base):
    """How many counted cases of one bucket took exactly this many working days."""

    __tablename__ = "rollup_histogram"

    working_days: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int]


class OpenDue(Base):
    """How many open cases of one region, category and company become overdue after this due date.

    A case is counted on its current deadline: overdue now are the rows due before today's cutoff. A case
    paused on or before its deadline is not counted while paused, as it is not overdue then; workflow's
    job list and the overdue list count the same way (services.metrics.figures.service.overdue_filter).
    The overdue count reads these rows, not every open case: a backlog of many overdue cases costs no more.
    """

    __tablename__ = "open_due"
    # The rows a case left empty, found without reading the rest: each flush that moves cases deletes them.
    __table_args__ = (partial_index("ix_open_due_emptied", "level", where="count = 0"),)

    # In the order of Bucket's key: one level, region and company, then a range of due dates.
    level: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[RegionCode] = mapped_column(primary_key=True)
    grid_company: Mapped[GridCompanyCode] = mapped_column(primary_key=True)
    due_on: Mapped[date] = mapped_column(primary_key=True)
    report_category: Mapped[RuleCode] = mapped_column(primary_key=True)
    count: Mapped[int]


# The tables, for statements written in SQLAlchemy Core.
ROLLUP: Table = Rollup.__table__  # type: ignore[assignment]
HISTOGRAM: Table = RollupHistogram.__table__  # type: ignore[assignment]
OPEN_DUE: Table = OpenDue.__table__  # type: ignore[assignment]
SUM_COLUMNS: tuple[str, ...] = (
    "connected_count",
    "sum_working_days",
    "sum_steps",
    "sum_documents",
    "sum_customer_cost",
    "within_limit_count",
    "zero_visit_count",
    "online_count",
    "sum_paused_working_days",
    "evaluated_count",
    "sum_evaluation",
    "signed_online_count",
)
# The key as the rebuild selects it and the check compares it (not the index order).
KEY_COLUMNS: tuple[str, ...] = ("level", "region", "month", "report_category", "grid_company")
OPEN_DUE_KEY_COLUMNS: tuple[str, ...] = ("level", "region", "due_on", "report_category", "grid_company")
