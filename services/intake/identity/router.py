"""Embedded identity: register, sign in, who am I, and the public keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from services.common.auth import CurrentPrincipal
from services.common.clock import CurrentClock
from services.common.db import DbSession
from services.common.errors import NotFound, TooManyRequests, Unauthorized, Unprocessable, problem_responses
from services.intake.identity import service as identity_service
from services.intake.identity.exceptions import (
    AccountDeactivated,
    InvalidCredentials,
    RegistrationQuotaExceeded,
    WeakPassword,
)
from services.intake.identity.models import Account
from services.intake.identity.schemas import AccountCreate, AccountRead, Jwks, RegistrationRead, TokenRead
from services.intake.state import CurrentSigningKey, LoginThrottleDep, Settings

router = APIRouter(prefix="/api/v1/auth", tags=["identity"])
jwks_router = APIRouter(tags=["identity"])


def account_read(account: Account) -> AccountRead:
    """The public view of an account."""
    return AccountRead.model_validate(account, from_attributes=True)


def client_address(request: Request) -> str:
    """The caller's address (a proxy's X-Forwarded-For counts only from the proxies trusted in settings)."""
    return request.client.host if request.client else "unknown"


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationRead,
    responses=problem_responses(WeakPassword, Unprocessable, RegistrationQuotaExceeded),
    description="Register an applicant account. The answer is the same whether the username was free or "
    "already taken, so that nobody can find out which usernames exist: a taken username creates nothing, and "
    "signing in with the password just chosen then fails; choose another. Usernames are case folded "
    "(`Alice` is `alice`). A password that contains the username or is easy to guess (zxcvbn score below 2) "
    "is 422 `weak-password`. Each client address may register `INTAKE_REGISTRATIONS_PER_CLIENT_PER_HOUR` "
    "times an hour (429 past it).",
)
async def register_applicant(
    body: AccountCreate, request: Request, session: DbSession, clock: CurrentClock, settings: Settings
) -> RegistrationRead:
    """Register an applicant account."""
    await identity_service.register_applicant(
        session,
        username=body.username,
        password=body.password,
        name=body.name,
        client=client_address(request),
        per_hour=settings.registrations_per_client_per_hour,
        now=clock.now(),
    )
    return RegistrationRead(username=identity_service.normalise_username(body.username), name=body.name)


@router.post(
    "/token",
    response_model=TokenRead,
    responses=problem_responses(InvalidCredentials, AccountDeactivated, TooManyRequests),
)
async def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: DbSession,
    settings: Settings,
    throttle: LoginThrottleDep,
    signing_key: CurrentSigningKey,
) -> TokenRead:
    """Exchange a username and password for a bearer token (OAuth2 password flow)."""
    # Counted before the password is checked, in one step with the lockout check: concurrent guesses all count.
    # Counted against the account the username names, however it is spelt: ` Li.Wei` signs in as `li.wei`.
    attempt = throttle.admit(
        identity_service.normalise_username(form.username),
        client_address(request),
        refused=TooManyRequests,
        detail="Too many failed sign-ins; try again later.",
    )
    account = await identity_service.authenticate(session, username=form.username, password=form.password)
    throttle.succeeded(attempt)
    claims: dict[str, Any] = {"sub": account.id, "role": account.role, "name": account.name}
    if account.grid_company:
        claims["grid_company"] = account.grid_company
    if account.regions:
        claims["regions"] = list(account.regions)
    ttl = timedelta(seconds=settings.token_ttl_seconds)
    # Token lifetimes run on the real clock, the one every verifier checks expiry against.
    access_token = signing_key.issue(
        claims, issuer=settings.jwt_issuer, audience=settings.jwt_audience, now=datetime.now(UTC), ttl=ttl
    )
    return TokenRead(access_token=access_token, expires_in=settings.token_ttl_seconds)


@router.get("/me", response_model=AccountRead, responses=problem_responses(Unauthorized, AccountDeactivated, NotFound))
async def read_current_account(principal: CurrentPrincipal, session: DbSession) -> AccountRead:
    """The caller's own account."""
    account = await session.get(Account, principal.subject)
    if account is None:
        raise NotFound("The account of this token no longer exists.")
    if not account.active:
        raise AccountDeactivated("The account of this token is deactivated.")
    return account_read(account)


@jwks_router.get("/.well-known/jwks.json", response_model=Jwks)
async def read_signing_keys(signing_key: CurrentSigningKey) -> dict[str, Any]:
    """The public keys that verify this service's tokens."""
    return signing_key.jwks()
