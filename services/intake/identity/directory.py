"""The staff directory: staff and manager accounts announced to workflow, deactivated and reactivated.

Workflow assigns jobs only to staff it knows to be active; it learns them from `account.staff_changed`,
written to the outbox in the same transaction as the account's change, so neither is ever without the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import make_engine
from services.common.events import publish
from services.common.settings import Subscriber
from services.intake.db import event_tables
from services.intake.events import StaffChanged
from services.intake.identity.exceptions import AccountNotFound
from services.intake.identity.models import Account

# The roles a grid company's directory lists: those who work its jobs and those who hand them out.
STAFF_ROLES = ("staff", "manager")
SOURCE = "intake"

T = TypeVar("T")


def listed(account: Account) -> bool:
    """Whether the account belongs in a grid company's staff directory."""
    return account.role in STAFF_ROLES and account.grid_company is not None


async def announce(
    session: AsyncSession, account: Account, *, subscribers: Sequence[Subscriber], now: datetime
) -> None:
    """Queue the account's directory entry as it stands; only inserts, the caller commits."""
    assert account.grid_company is not None
    payload = StaffChanged(
        account_id=account.id,
        username=account.username,
        name=account.name,
        role=account.role,
        grid_company=account.grid_company,
        active=account.active,
        revision=account.directory_revision,
        changed_at=now,
    )
    # Keyed by the account: its changes reach each subscriber one after another, in order.
    await publish(
        session,
        event_tables,
        payload,
        case_key=f"account:{account.id}",
        source=SOURCE,
        subscribers=subscribers,
        now=now,
    )


async def set_active(
    session: AsyncSession, *, username: str, active: bool, subscribers: Sequence[Subscriber], now: datetime
) -> tuple[Account, bool]:
    """Deactivate or reactivate an account: the account, and whether anything changed.

    A deactivated account gets no more tokens; a staff or manager account's change is announced to the
    directory, where workflow unassigns a deactivated engineer's open jobs.
    """
    folded = username.strip().casefold()
    account = await session.scalar(
        select(Account).where(Account.username.in_({username, folded})).order_by(Account.username != username)
    )
    if account is None:
        raise AccountNotFound(f"No account {username!r}.")
    if account.active == active:
        return account, False
    account.active = active
    account.deactivated_at = None if active else now
    if listed(account):
        account.directory_revision += 1
        await session.flush()
        await announce(session, account, subscribers=subscribers, now=now)
    await session.flush()
    return account, True


async def publish_directory(session: AsyncSession, *, subscribers: Sequence[Subscriber], now: datetime) -> int:
    """Announce every staff and manager account at the revision it stands at; how many were announced.

    For accounts made before the directory existed, and to fill a workflow database restored or made anew:
    a receiver already holding an entry at that revision keeps it, so running this twice changes nothing.
    """
    accounts = (
        await session.scalars(
            select(Account).where(Account.role.in_(STAFF_ROLES)).order_by(Account.created_at, Account.username)
        )
    ).all()
    announced = [account for account in accounts if listed(account)]
    for account in announced:
        await announce(session, account, subscribers=subscribers, now=now)
    return len(announced)


async def in_database(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run a piece of work in one transaction on intake's database, from outside the API (the command line)."""
    engine = make_engine(database_url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()
