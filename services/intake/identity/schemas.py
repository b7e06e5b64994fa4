"""Identity request and response bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]{3,64}$"


class AccountCreate(BaseModel):
    """Self-registration of an applicant; the role is never chosen by the client."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(min_length=8, max_length=256)
    name: str = Field(min_length=1, max_length=200)


class RegistrationRead(BaseModel):
    """The answer to a registration, the same whether the username was free or taken."""

    username: str = Field(description="The username as it is kept: case folded, so `Alice` signs in as `alice`.")
    name: str
    role: Literal["applicant"] = "applicant"
    detail: str = Field(
        default="Registered, unless the username was already taken: sign in to continue.",
        description="A taken username creates nothing, and is not told apart from a free one.",
    )


class AccountRead(BaseModel):
    """An account as its owner sees it."""

    id: str
    username: str
    name: str
    role: str
    grid_company: str | None
    regions: list[str]


class TokenRead(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class Jwks(BaseModel):
    """A JSON Web Key Set."""

    keys: list[dict[str, str]]
