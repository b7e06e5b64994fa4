"""Accounts and passwords: registration, sign-in with throttling, staff accounts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.auth import ROLES
from services.common.db import make_engine
from services.intake.identity.exceptions import InvalidCredentials, UsernameTaken
from services.intake.identity.models import Account

_hasher = PasswordHasher()
# Verifying against this when the username is unknown keeps the answer time the same either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


async def hash_password(password: str) -> str:
    """An argon2id hash, computed off the event loop."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def _verify(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


async def register_applicant(
    session: AsyncSession, *, username: str, password: str, name: str, now: datetime
) -> Account:
    """A new applicant account; 409 if the username is taken."""
    return await create_account(session, username=username, password=password, name=name, role="applicant", now=now)


async def create_account(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    name: str,
    role: str,
    now: datetime,
    grid_company: str | None = None,
    regions: Sequence[str] = (),
) -> Account:
    """An account of any role, as the command line makes them for staff, managers, regulators, admins."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role in ("staff", "manager") and not grid_company:
        raise ValueError(f"a {role} account needs a grid company")
    if role == "regulator" and not regions:
        raise ValueError("a regulator account needs region prefixes (or *)")
    existing = await session.scalar(select(Account.id).where(Account.username == username))
    if existing is not None:
        raise UsernameTaken(f"The username {username!r} is taken.")
    account = Account(
        username=username,
        password_hash=await hash_password(password),
        name=name,
        role=role,
        grid_company=grid_company if role in ("staff", "manager") else None,
        regions=list(regions) if role == "regulator" else [],
        created_at=now,
    )
    session.add(account)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise UsernameTaken(f"The username {username!r} is taken.") from exc
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


async def create_accounts(database_url: str, accounts: Sequence[NewAccount], *, now: datetime) -> list[Account]:
    """Make accounts straight in intake's database, all or none (`zerovisit users create`, the demonstration)."""
    engine = make_engine(database_url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
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
                )
                for new in accounts
            ]
    finally:
        await engine.dispose()


async def authenticate(session: AsyncSession, *, username: str, password: str) -> Account:
    """The account whose password matches; InvalidCredentials otherwise, without saying which part failed."""
    account = await session.scalar(select(Account).where(Account.username == username))
    valid = await _verify(account.password_hash if account else _DUMMY_HASH, password)
    if account is None or not valid:
        raise InvalidCredentials("The username or password is wrong.")
    return account


@dataclass
class LoginThrottle:
    """Counts failed sign-ins per username and per client, and locks both out for a while."""

    max_failures: int
    lockout_seconds: float
    max_keys: int = 100_000
    _failures: dict[str, list[float]] = field(default_factory=dict)

    def locked_for(self, *keys: str) -> float:
        """Seconds left in the lockout of any of the keys, 0 when none is locked."""
        now = time.monotonic()
        waits = []
        for key in keys:
            recent = self._recent(key, now)
            if len(recent) >= self.max_failures:
                waits.append(self.lockout_seconds - (now - recent[0]))
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        """Record a failed attempt."""
        now = time.monotonic()
        for key in keys:
            self._failures.setdefault(key, []).append(now)
        if len(self._failures) > self.max_keys:
            self._forget_least_failed(now)

    def _recent(self, key: str, now: float) -> list[float]:
        # Only keys with failures still in the window are kept: asking about a key never adds it.
        recent = [t for t in self._failures.get(key, ()) if now - t < self.lockout_seconds]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def _forget_least_failed(self, now: float) -> None:
        # Memory stays bounded under a spray of usernames, but the keys with the most recent failures, the
        # lockouts in force first, are the last to be forgotten: overflowing the table lifts no lockout.
        live = {key: [t for t in times if now - t < self.lockout_seconds] for key, times in self._failures.items()}
        ranked = sorted(((key, times) for key, times in live.items() if times), key=lambda item: -len(item[1]))
        self._failures = dict(ranked[: self.max_keys // 2])

    def succeeded(self, key: str) -> None:
        """Forget the failures of a username after a good sign-in."""
        self._failures.pop(key, None)
