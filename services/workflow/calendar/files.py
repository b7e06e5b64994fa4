"""A year's official schedule as published by the State Council, read from a YAML or JSON file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.common.calendar import YearSchedule


class CalendarFileError(ValueError):
    """A schedule file cannot be read or does not describe one year consistently."""


class NamedDay(BaseModel):
    """A listed day and what it is for."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    name: str = Field(default="", max_length=100)


class YearFile(BaseModel):
    """One year: its days off and the weekend days worked in exchange (调休)."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1900, le=9999)
    holidays: list[NamedDay] = Field(min_length=1)
    makeup_workdays: list[NamedDay] = Field(default_factory=list)
    source: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[str] = []
        listed = [day.date for day in [*self.holidays, *self.makeup_workdays]]
        problems += [f"{d} is not in {self.year}" for d in listed if d.year != self.year]
        problems += [f"{d} is listed twice" for d in sorted(set(listed)) if listed.count(d) > 1]
        # A make-up day on a weekday would change nothing, so it is a typo for another date.
        problems += [
            f"make-up working day {d.date} is not a Saturday or Sunday"
            for d in self.makeup_workdays
            if d.date.weekday() < 5
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def schedule(self) -> YearSchedule:
        """The year as the calendar counts it."""
        return YearSchedule(
            year=self.year,
            holidays=frozenset(day.date for day in self.holidays),
            makeup_workdays=frozenset(day.date for day in self.makeup_workdays),
        )


def read_year_file(path: Path) -> YearFile:
    """Parse and check a schedule file (.json as JSON, anything else as YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise CalendarFileError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise CalendarFileError(f"{path}: must hold a mapping with year, holidays and makeup_workdays")
    try:
        return YearFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'file'}: {error['msg']}"
            for error in exc.errors(include_url=False)
        )
        raise CalendarFileError(f"{path}: {problems}") from None
