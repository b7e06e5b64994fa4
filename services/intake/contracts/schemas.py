"""Signing the contract."""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StrictBool, field_validator


class SignatureCreate(BaseModel):
    """The applicant's agreement to the contract as served by `GET .../contract`."""

    model_config = ConfigDict(extra="forbid")

    # Strict: a signature is given by `true` itself, never by 1 or "true" coerced into it.
    agree: StrictBool = Field(
        description="Must be literally `true`: anything else is 422, and nothing is signed.",
        json_schema_extra={"const": True},
    )

    @field_validator("agree")
    @classmethod
    def _must_agree(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("the contract is signed only by agreeing to it: send true")
        return value


class SignatureRead(BaseModel):
    """A signed contract: when, by whom, and the SHA-256 of the PDF that was signed."""

    model_config = ConfigDict(from_attributes=True)

    application_id: str
    signed_at: datetime
    sha256: str = Field(description="SHA-256 (hex) of the PDF served by `GET .../contract`, which never changes.")
    # Read from a signed contract, which keeps the name as its signer_name.
    signer: str = Field(
        validation_alias=AliasChoices("signer", "signer_name"),
        description="The name of the applicant who signed, as the contract names them.",
    )
