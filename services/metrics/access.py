"""Who sees which cases: a regulator its region prefixes, a manager its grid company, an admin all.

A region filter is a prefix of the GB/T 2260 code ("11" Beijing, "4403" Shenzhen, "110105" one county).
A regulator asking for a region outside its prefixes gets 403, not an empty answer, so a mistyped
filter is never mistaken for a region without cases; likewise a manager asking for another company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import ColumnElement, Table, and_, false, or_, true

from services.common.auth import Principal, require_roles
from services.common.errors import Forbidden
from services.metrics.rollups.models import ALL_COMPANIES, LEVELS

Reader = Annotated[Principal, Depends(require_roles("regulator", "manager", "admin"))]
REGION_PREFIX = re.compile(r"^[0-9]{1,6}$")
RegionFilter = Annotated[str | None, Query(pattern=REGION_PREFIX.pattern, description="A region-code prefix.")]
CompanyFilter = Annotated[str | None, Query(pattern=r"^\S{1,32}$")]


@dataclass(frozen=True)
class Scope:
    """The cases a request may count: region prefixes ("" is every region) and perhaps one company."""

    prefixes: tuple[str, ...]
    grid_company: str | None = None

    def covers(self, region: str | None, grid_company: str | None) -> bool:
        """Whether one case is inside the scope."""
        if self.grid_company is not None and grid_company != self.grid_company:
            return False
        return "" in self.prefixes or (region is not None and any(region.startswith(p) for p in self.prefixes))

    def fact_filter(self, table: Table) -> ColumnElement[bool]:
        """A WHERE clause on case facts (or complaints) for this scope."""
        if "" in self.prefixes:
            regions: ColumnElement[bool] = true()
        elif self.prefixes:
            regions = or_(*(table.c.region.startswith(p, autoescape=True) for p in self.prefixes))
        else:
            regions = false()
        if self.grid_company is None:
            return regions
        return and_(regions, table.c.grid_company == self.grid_company)

    def rollup_filter(self, table: Table, *, by_company: bool) -> ColumnElement[bool]:
        """A WHERE clause on rollup rows: one region level per prefix, so nothing is counted twice.

        Nationwide, a question that neither names a company nor asks for each company's figures reads the
        buckets of all companies together (ALL_COMPANIES); every other reads the companies' own buckets.
        """
        clauses: list[Any] = []
        for prefix in self.prefixes:
            level = next(level for level in LEVELS if level >= len(prefix))
            # Escaped: a prefix is compared as the digits it is, never as a LIKE pattern ("%", "3_0").
            region = (
                table.c.region == prefix if level == len(prefix) else table.c.region.startswith(prefix, autoescape=True)
            )
            if level == 0 and self.grid_company is None:
                # Below the nation there are no all-company buckets to leave out or to choose.
                company = table.c.grid_company
                region = and_(region, company != ALL_COMPANIES if by_company else company == ALL_COMPANIES)
            clauses.append(and_(table.c.level == level, region))
        regions = or_(*clauses) if clauses else false()
        if self.grid_company is None:
            return regions
        return and_(regions, table.c.grid_company == self.grid_company)


def _outermost(prefixes: list[str]) -> tuple[str, ...]:
    # "11" already holds "1101": keeping both would count Beijing's cities twice.
    kept = sorted(set(prefixes), key=len)
    return tuple(p for i, p in enumerate(kept) if not any(p.startswith(q) for q in kept[:i]))


def scope_for(principal: Principal, *, region: str | None = None, grid_company: str | None = None) -> Scope:
    """The scope of a caller narrowed by the request's filters; Forbidden for a filter outside it."""
    if principal.role == "regulator":
        if region is not None:
            if not principal.covers_region(region):
                raise Forbidden(f"Region {region} is outside your regions.")
            return Scope((region,), grid_company)
        # A prefix that is not a run of digits (a token from another issuer, say) covers nothing.
        prefixes = ["" if p == "*" else p for p in principal.regions if p == "*" or REGION_PREFIX.match(p)]
        return Scope(_outermost(prefixes), grid_company)
    if principal.role == "manager":
        if principal.grid_company is None:
            raise Forbidden("Your account has no grid company.")
        if grid_company is not None and grid_company != principal.grid_company:
            raise Forbidden(f"Grid company {grid_company} is not yours.")
        return Scope((region or "",), principal.grid_company)
    if principal.role == "admin":
        return Scope((region or "",), grid_company)
    raise Forbidden("Figures are for regulators, managers and admins.")


async def read_scope(principal: Reader, region: RegionFilter = None, grid_company: CompanyFilter = None) -> Scope:
    """The caller's scope with the region and grid_company query filters applied."""
    return scope_for(principal, region=region, grid_company=grid_company)


ReadScope = Annotated[Scope, Depends(read_scope)]
