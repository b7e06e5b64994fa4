"""Finding a case by its number and phone, in the same time whether the number exists or not."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.applications import service as application_service
from services.intake.applications.models import Application
from services.intake.lookup.exceptions import CaseNotFound
from services.intake.lookup.schemas import PublicStatusRead, PublicStepRead

# Compared against when the number is unknown, so both misses do the same work.
_NO_PHONE = "\x00\x00\x00\x00"


def _last4(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-4:].rjust(4, "\x00")


async def find(session: AsyncSession, *, number: str, phone_last4: str) -> Application:
    """The case with this number whose contact phone ends in these digits, else CaseNotFound."""
    application = await session.scalar(select(Application).where(Application.number == number))
    expected = _last4(application.contact_phone) if application is not None else _NO_PHONE
    matches = hmac.compare_digest(expected.encode(), phone_last4.encode())
    if application is None or not matches:
        raise CaseNotFound("No case matches this number and phone.")
    return application


def public_status(application: Application) -> PublicStatusRead:
    """The case's progress as the public sees it."""
    progress = application.progress
    steps = progress.get("steps") or application.steps
    return PublicStatusRead(
        number=application.number,
        status=application.status,
        current_step=progress.get("current_step"),
        due_on=application_service.case_due_on(application),
        steps=[PublicStepRead(code=s["code"], name=s["name"], completed_at=s.get("completed_at")) for s in steps],
    )
