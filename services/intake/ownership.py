"""What an applicant owns, loaded for its owner: someone else's is as absent as a missing one."""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession


class Owned(Protocol):
    """A row with an owner: an application, a document."""

    @property
    def owner_id(self) -> str: ...


OwnedRow = TypeVar("OwnedRow", bound=Owned)


async def get_owned(
    session: AsyncSession, model: type[OwnedRow], key: str, *, owner_id: str, missing: Exception
) -> OwnedRow:
    """The row of that key if the owner owns it; otherwise `missing` is raised, as for a row that is not there."""
    row = await session.get(model, key)
    if row is None or row.owner_id != owner_id:
        raise missing
    return row
