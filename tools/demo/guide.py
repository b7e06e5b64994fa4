"""The public guide as the demonstration reads it: which documents expire, which fees a category has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tools.demo.http import Api


@dataclass(frozen=True)
class Fee:
    """A published fee standard."""

    code: str
    yuan: float
    unit: str
    payer: str


class Guide:
    """`GET /api/v1/guide` of the rule set in force, read again when the simulated day changes."""

    def __init__(self, api: Api) -> None:
        self._api = api
        self._read_on: date | None = None
        self._body: dict[str, Any] = {}

    def refresh(self, today: date) -> None:
        """Read the guide in force today, once a day."""
        if self._read_on != today:
            self._body = self._api.intake("GET", "/api/v1/guide").json()
            self._read_on = today

    @property
    def rule_set(self) -> str:
        """The id of the rule set in force."""
        return str(self._body.get("id", ""))

    def expires(self, document_type: str) -> bool:
        """Whether documents of this type carry a validity end date."""
        return document_type in self._body.get("expiring_document_types", [])

    def fees(self, category: str) -> list[Fee]:
        """The fee standards that apply to a category."""
        return [
            Fee(code=f["code"], yuan=float(f["yuan"]), unit=f["unit"], payer=f["payer"])
            for f in self._body.get("fees", [])
            if category in f.get("categories", [])
        ]

    def steps(self, category: str) -> list[str]:
        """The step codes of a category."""
        for entry in self._body.get("categories", []):
            if entry["code"] == category:
                return [step["code"] for step in entry["steps"]]
        return []
