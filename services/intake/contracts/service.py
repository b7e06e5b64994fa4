"""Making the contract when the case is accepted, serving it, and signing it once."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.rules import region_list
from services.common.work import UnitOfWork
from services.intake import events
from services.intake.applications.exceptions import InvalidTransition
from services.intake.applications.models import Application
from services.intake.contracts import render, templates
from services.intake.contracts.exceptions import ContractAlreadySigned, ContractNotReady
from services.intake.contracts.models import USER_AGENT_MAX, SupplyContract

ACCEPT_STEP = "accept"


async def make_ready(
    session: AsyncSession, *, application: Application, owner_name: str | None, accepted_at: datetime
) -> SupplyContract | None:
    """The contract of an accepted case, made once; None when its category has no template (nothing to sign).

    Written with the rest of the transaction; the party is the owner by name, or the application's contact.
    """
    with session.no_autoflush:
        existing = await session.get(SupplyContract, application.id)
    if existing is not None:
        return None
    template = templates.library().for_category(application.category)
    if template is None:
        return None
    contract = SupplyContract(
        application_id=application.id,
        template_id=template.id,
        party_name=owner_name or application.contact_name,
        ready_at=accepted_at,
    )
    session.add(contract)
    return contract


def _region_name(code: str) -> str:
    region = region_list().lookup(code)
    if region is None:
        return code
    # County names of the municipalities' districts do not repeat the province: 北京市 + 朝阳区.
    return region.name if region.name.startswith(region.province) else f"{region.province}{region.name}"


def contract_case(application: Application, contract: SupplyContract) -> render.ContractCase:
    """What the contract says of the case: the application as submitted and the contract as made."""
    return render.ContractCase(
        application_id=application.id,
        number=application.number,
        party_name=contract.party_name,
        contact_name=application.contact_name,
        contact_phone=application.contact_phone,
        address=application.address,
        region_name=_region_name(application.region),
        category=application.category,
        access_voltage=application.access_voltage,
        capacity_kva=application.capacity_kva,
        zero_investment=application.zero_investment,
        grid_company=application.grid_company,
        ready_at=contract.ready_at,
    )


async def ready_contract(session: AsyncSession, application: Application) -> SupplyContract:
    """The application's contract; 409 `contract-not-ready` until the case is accepted."""
    contract = await session.get(SupplyContract, application.id)
    if contract is None:
        raise ContractNotReady("The contract is made once the grid company has accepted the application.")
    return contract


def pdf(application: Application, contract: SupplyContract) -> bytes:
    """The contract's PDF, the same bytes every time."""
    library = templates.library()
    return render.render(contract_case(application, contract), library.templates[contract.template_id], library.terms)


async def sign(
    work: UnitOfWork, application: Application, *, signer_id: str, client: str, user_agent: str | None
) -> SupplyContract:
    """Sign the contract once: record its SHA-256, the signer, the time and the client; publish the signature."""
    session, now = work.session, work.now
    contract = await ready_contract(session, application)
    if application.status == "withdrawn":
        raise InvalidTransition("A withdrawn application's contract cannot be signed.")
    if contract.signed_at is not None:
        raise ContractAlreadySigned(f"The contract was signed at {contract.signed_at.isoformat()}.")
    digest = hashlib.sha256(pdf(application, contract)).hexdigest()
    # Only the first of two signatures sent at once takes the row; the other finds it signed.
    result = cast(
        CursorResult[Any],
        await session.execute(
            update(SupplyContract)
            .where(SupplyContract.application_id == application.id, SupplyContract.signed_at.is_(None))
            .values(
                signed_at=now,
                sha256=digest,
                signer_id=signer_id,
                signer_name=contract.party_name,
                client_address=client[:64],
                user_agent=user_agent[:USER_AGENT_MAX] if user_agent else None,
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise ContractAlreadySigned("The contract was signed by another request just now.")
    await session.refresh(contract)
    _add_timeline(application, now)
    await work.publish(
        events.ApplicationContractSigned(
            application_id=application.id,
            grid_company=application.grid_company,
            region=application.region,
            category=application.category,
            signed_at=now,
            sha256=digest,
        ),
        case_key=application.id,
    )
    return contract


def _add_timeline(application: Application, at: datetime) -> None:
    # JSON columns change by assignment, so the ORM sees a new value.
    progress = dict(application.progress)
    progress["timeline"] = [*progress.get("timeline", []), {"at": at.isoformat(), "event": "contract_signed"}]
    application.progress = progress
