"""Staff directory bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class StaffRead(BaseModel):
    """A member of a grid company's staff, as a manager picks an assignee."""

    id: str = Field(description="The account id: what `POST /api/v1/jobs/{id}/assign` takes as `assignee`.")
    username: str
    name: str
    role: Literal["staff", "manager"] = Field(description="Only `staff` may be given a job.")
    grid_company: str
    active: bool
