"""Accounts and passwords: registration, sign-in, staff accounts."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.roles import ROLES
from services.common.rules import region_list
from services.common.settings import Subscriber
from services.intake.identity import directory, passwords
from services.intake.identity.exceptions import (
    AccountDeactivated,
    InvalidCredentials,
    RegistrationQuotaExceeded,
    UsernameTaken,
    WeakPassword,
)
from services.intake.identity.models import Account, Registration
from services.intake.identity.throttle import LoginThrottle

__all__ = [
    "LoginThrottle",
    "NewAccount",
    "authenticate",
    "check_region_prefixes",
    "create_account",
    "create_accounts",
    "normalise_username",
    "register_applicant",
]

REGISTRATION_WINDOW = timedelta(hours=1)


def normalise_username(username: str) -> str:
    """The one spelling of a username: `Alice` and `alice` are the same account."""
    return username.strip().casefold()


async def register_applicant(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    name: str,
    client: str,
    per_hour: int,
    now: datetime,
) -> None:
    """Register an applicant unless the username is taken, answering alike either way.

    Whether the username was free is not told (it would list the accounts that exist): a taken one creates
    nothing, takes as long, and counts against the client's quota of `per_hour` registrations (0: none).
    """
    username = normalise_username(username)
    _check_strength(password, username=username, name=name)
    await _count_registration(session, client=client, per_hour=per_hour, now=now)
    password_hash = await passwords.hash_password(password)
    try:
        applicant = Account(username=username, password_hash=password_hash, name=name, role="applicant", created_at=now)
        await _add(session, applicant)
    except UsernameTaken:
        return


def check_region_prefixes(prefixes: Sequence[str]) -> None:
    """Refuse a regulator's scope unless it is ["*"] or GB/T 2260 code prefixes (2, 4 or 6 digits, real)."""
    if list(prefixes) == ["*"]:
        return
    known = region_list()
    wrong = [p for p in prefixes if not (p.isascii() and p.isdigit() and known.is_prefix(p))]
    if wrong:
        raise ValueError(
            f"region prefixes must be '*' alone or 2, 4 or 6 digits that begin GB/T 2260 codes; not {', '.join(wrong)}"
        )


async def create_account(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    name: str,
    role: str,
    now: datetime,
    subscribers: Sequence[Subscriber],
    grid_company: str | None = None,
    regions: Sequence[str] = (),
) -> Account:
    """An account of any role, as the command line makes them; a staff or manager account is announced."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role in ("staff", "manager") and not grid_company:
        raise ValueError(f"a {role} account needs a grid company")
    if role == "regulator" and not regions:
        raise ValueError("a regulator account needs region prefixes (or *)")
    if role == "regulator":
        check_region_prefixes(regions)
    username = normalise_username(username)
    _check_strength(password, username=username, name=name)
    if await session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise UsernameTaken(f"The username {username!r} is taken.")
    account = await _add(
        session,
        Account(
            username=username,
            password_hash=await passwords.hash_password(password),
            name=name,
            role=role,
            grid_company=grid_company if role in ("staff", "manager") else None,
            regions=list(regions) if role == "regulator" else [],
            created_at=now,
        ),
    )
    if directory.listed(account):
        account.directory_revision = 1
        await session.flush()
        await directory.announce(session, account, subscribers=subscribers, now=now)
    return account


@dataclass(frozen=True)
class NewAccount:
    """An account to make from outside the API: staff, managers, regulators, admins."""

    username: str
    password: str
    role: str
    name: str = ""
    grid_company: str | None = None
    regions: Sequence[str] = ()


async def create_accounts(
    database_url: str, accounts: Sequence[NewAccount], *, now: datetime, subscribers: Sequence[Subscriber]
) -> list[Account]:
    """Make accounts straight in intake's database, all or none (`zerovisit users create`, the demonstration).

    Staff and manager accounts are announced through the outbox: intake's relay delivers them to workflow.
    """

    async def create(session: AsyncSession) -> list[Account]:
        return [
            await create_account(
                session,
                username=new.username,
                password=new.password,
                name=new.name or new.username,
                role=new.role,
                grid_company=new.grid_company,
                regions=new.regions,
                now=now,
                subscribers=subscribers,
            )
            for new in accounts
        ]

    return await directory.in_database(database_url, create)


async def authenticate(session: AsyncSession, *, username: str, password: str) -> Account:
    """The account whose password matches; InvalidCredentials otherwise, without saying which part failed."""
    folded = normalise_username(username)
    # An account from before usernames were case folded keeps its own spelling when it shared the folded one.
    candidates = (await session.scalars(select(Account).where(Account.username.in_({username, folded})))).all()
    account = next((a for a in candidates if a.username == username), candidates[0] if candidates else None)
    valid = await passwords.verify(account.password_hash if account else None, password)
    if account is None or not valid:
        raise InvalidCredentials("The username or password is wrong.")
    if not account.active:
        # Told only to whoever knows the password: it says nothing about which accounts exist.
        raise AccountDeactivated("The account is deactivated; ask an administrator to reactivate it.")
    return account


async def refuse_if_deactivated(session: AsyncSession, subject: str) -> None:
    """401 for a token of an account deactivated since it was issued (a subject unknown here passes)."""
    active = await session.scalar(select(Account.active).where(Account.id == subject))
    if active is False:
        raise AccountDeactivated("The account of this token is deactivated.")


def _check_strength(password: str, *, username: str, name: str) -> None:
    reason = passwords.weakness(password, username=username, name=name)
    if reason:
        raise WeakPassword(reason)


async def _count_registration(session: AsyncSession, *, client: str, per_hour: int, now: datetime) -> None:
    if per_hour <= 0:
        return
    client_key = hashlib.sha256(client.encode()).hexdigest()[:32]  # the address itself is not kept
    since = now - REGISTRATION_WINDOW
    # Count and record as one step per client: registrations sent at once must not all pass the count.
    # PostgreSQL: a lock on the client's key until commit; SQLite: the delete below takes the write lock.
    if session.get_bind().dialect.name == "postgresql":
        lock_id = int.from_bytes(bytes.fromhex(client_key[:16]), "big", signed=True)
        await session.execute(select(func.pg_advisory_xact_lock(lock_id)))
    await session.execute(delete(Registration).where(Registration.registered_at <= since))
    count = await session.scalar(
        select(func.count()).where(Registration.client == client_key, Registration.registered_at > since)
    )
    if (count or 0) >= per_hour:
        raise RegistrationQuotaExceeded(
            f"At most {per_hour} registrations an hour from one client; try again later.",
            headers={"Retry-After": str(int(REGISTRATION_WINDOW.total_seconds()))},
        )
    session.add(Registration(client=client_key, registered_at=now))
    await session.flush()


async def _add(session: AsyncSession, account: Account) -> Account:
    """Add a new account; UsernameTaken if another has its username."""
    try:
        async with session.begin_nested():
            session.add(account)
            await session.flush()
    except IntegrityError as exc:
        raise UsernameTaken(f"The username {account.username!r} is taken.") from exc
    return account
