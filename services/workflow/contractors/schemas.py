"""Licence import bodies, and the contractor of a job."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Scope = Literal["install", "repair", "test"]
Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class LicenceCreate(BaseModel):
    """One licence as the regulator's registry lists it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    number: Number
    holder: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    licence_class: int = Field(alias="class", ge=1, le=5, description="1 is the highest class, 5 the lowest")
    scopes: list[Scope] = Field(min_length=1)
    valid_until: date


class LicenceImport(BaseModel):
    """Licences to add to the registry; a number already there is replaced by the one given."""

    model_config = ConfigDict(extra="forbid")

    licences: list[LicenceCreate] = Field(min_length=1, max_length=10_000)


class LicenceImportResult(BaseModel):
    """How many licences were new and how many replaced one of the same number."""

    imported: int
    updated: int


class ContractorUpdate(BaseModel):
    """The customer's contractor on a high-voltage job, by its licence number."""

    model_config = ConfigDict(extra="forbid")

    licence_number: Number
