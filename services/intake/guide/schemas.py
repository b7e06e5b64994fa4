"""What the public guide answers."""

from __future__ import annotations

from pydantic import BaseModel


class RegionRead(BaseModel):
    """A GB/T 2260 county-level region and the grid company that serves it."""

    code: str
    name: str
    province: str
    province_code: str
    grid_company: str
