"""Rollup tables: sums per bucket, and an exact histogram of working days per bucket.

A bucket is (connection month as yyyymm, report category, grid company, region level, region). Every
counted case adds to one bucket per region level: level 0 holds it under region "", level 2 under the
province (first 2 digits), level 4 under the city, level 6 under the county. A query for a region prefix
reads one level only, so a prefix is an exact key and nothing is counted twice.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from services.metrics.db import Base

LEVELS: tuple[int, ...] = (0, 2, 4, 6)


class Rollup(Base):
    """Counts and sums of the counted cases in one bucket."""

    __tablename__ = "rollup"

    # Key order = primary-key index order: a query names one level and region, then a range of months.
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(6), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_category: Mapped[str] = mapped_column(String(32), primary_key=True)
    grid_company: Mapped[str] = mapped_column(String(32), primary_key=True)
    connected_count: Mapped[int] = mapped_column(Integer)
    sum_working_days: Mapped[int] = mapped_column(BigInteger)
    sum_steps: Mapped[int] = mapped_column(BigInteger)
    sum_documents: Mapped[int] = mapped_column(BigInteger)
    sum_customer_cost: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    within_limit_count: Mapped[int] = mapped_column(Integer)
    zero_visit_count: Mapped[int] = mapped_column(Integer)
    online_count: Mapped[int] = mapped_column(Integer)
    sum_paused_working_days: Mapped[int] = mapped_column(BigInteger)
    # Customers' ratings (1-5) of the cases rated so far: the average rating is sum / count.
    evaluated_count: Mapped[int] = mapped_column(Integer, server_default="0")
    sum_evaluation: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Cases whose supply contract the applicant signed online, without a trip to sign it.
    signed_online_count: Mapped[int] = mapped_column(Integer, server_default="0")


class RollupHistogram(Base):
    """How many counted cases of one bucket took exactly this many working days."""

    __tablename__ = "rollup_histogram"

    # Key order = primary-key index order: a query names one level and region, then a range of months.
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(6), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_category: Mapped[str] = mapped_column(String(32), primary_key=True)
    grid_company: Mapped[str] = mapped_column(String(32), primary_key=True)
    working_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


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
KEY_COLUMNS: tuple[str, ...] = ("level", "region", "month", "report_category", "grid_company")
