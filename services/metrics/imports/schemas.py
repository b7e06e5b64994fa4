"""An import batch (services/metrics/README.md, "Imports"): each row is checked alone, so every bad row is named."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.common.rules.models import BusinessType, CategoryCode, StepCode
from services.metrics.periods import ReportedInstant

Channel = Literal["app", "web", "wechat", "hall"]


class ImportStep(BaseModel):
    """A step of a historical case with its dates."""

    model_config = ConfigDict(extra="forbid")

    code: StepCode
    started_at: ReportedInstant
    completed_at: ReportedInstant


class ImportCase(BaseModel):
    """A historical case: no names, phones, addresses or document numbers (unknown fields are refused)."""

    model_config = ConfigDict(extra="forbid")

    external_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    category: CategoryCode
    business_type: BusinessType
    grid_company: Annotated[str, StringConstraints(pattern=r"^\S{1,32}$")]
    region: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,6}$")]
    channel: Channel
    submitted_at: ReportedInstant
    connected_at: ReportedInstant
    steps: list[ImportStep] = Field(min_length=1, max_length=6)
    documents_supplied: int = Field(ge=0, le=100)
    customer_cost: Decimal = Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False)
    visits: int = Field(ge=0, le=100)
    paused_working_days: int = Field(default=0, ge=0, le=10_000)


class ImportBatch(BaseModel):
    """Rows are taken loosely here and checked one by one, so one bad row does not hide the others."""

    cases: list[dict[str, Any]] = Field(min_length=1)


class ImportResult(BaseModel):
    """How many rows became cases, and how many were already there (same grid company and external_id)."""

    imported: int
    skipped: int
