"""Keeping open_case in step with the facts: one row per open case that has a deadline."""

from __future__ import annotations

from typing import Any

from services.metrics.facts.models import OPEN_CASE_COLUMNS, CaseFact, OpenCase


def listing(fact: CaseFact) -> dict[str, Any] | None:
    """The fact's open_case row as it should stand; None when the case has none (closed, or no deadline)."""
    if not fact.is_open or fact.due_on is None:
        return None
    return {name: getattr(fact, name) for name in OPEN_CASE_COLUMNS}


def sync(fact: CaseFact) -> None:
    """Make the fact's open_case row stand as it should, or go once the case is closed or has no deadline.

    Written with the fact at the next flush: a batch of events writes its cases' rows together.
    """
    values = listing(fact)
    if values is None:
        fact.open_case = None
    elif fact.open_case is None:
        fact.open_case = OpenCase(**values)
    else:
        for name, value in values.items():
            setattr(fact.open_case, name, value)
