"""Which real region a case is in, and which grid company serves it under a rule set."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.rules import Region, RuleSet, region_list
from services.intake.applications.exceptions import UnknownRegion


@dataclass(frozen=True)
class ServedRegion:
    """A county-level region and the grid company that serves it."""

    region: Region
    grid_company: str


def served(rule_set: RuleSet, code: str) -> ServedRegion:
    """The region of a GB/T 2260 county code and its grid company; UnknownRegion if either is missing."""
    region = region_list().lookup(code)
    if region is None:
        raise UnknownRegion(f"{code} is not a GB/T 2260 county-level code.", region=code)
    grid_company = rule_set.grid_company_for(code)
    if grid_company is None:
        # The shipped rule sets serve every code (a test says so); a hand-made one might not.
        raise UnknownRegion(f"No grid company serves region {code} under rule set {rule_set.id}.", region=code)
    return ServedRegion(region=region, grid_company=grid_company)
