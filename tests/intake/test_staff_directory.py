"""Staff and manager accounts are announced to workflow's directory; a deactivated account signs in no more."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from services.common.clock import FixedClock
from services.intake.db import event_tables
from services.intake.identity import directory
from services.intake.identity import service as identity_service
from services.intake.identity.exceptions import AccountNotFound
from services.intake.identity.models import Account
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.support.services import Service

PASSWORD = "field-work-2026!"


async def _make(intake: Service, clock: FixedClock, username: str, role: str, **extra: Any) -> Account:
    async with intake.app.state.database.sessionmaker() as session, session.begin():
        return await identity_service.create_account(
            session,
            username=username,
            password=PASSWORD,
            name=f"{username.title()} Wang",
            role=role,
            now=clock.now(),
            subscribers=intake.app.state.service.settings.subscribers,
            **extra,
        )


async def _set_active(intake: Service, clock: FixedClock, username: str, *, active: bool) -> bool:
    async with intake.app.state.database.sessionmaker() as session, session.begin():
        _, changed = await directory.set_active(
            session,
            username=username,
            active=active,
            subscribers=intake.app.state.service.settings.subscribers,
            now=clock.now(),
        )
        return changed


async def _announced(intake: Service) -> list[tuple[str, dict[str, Any]]]:
    """(subscriber, event data) of every account.staff_changed in intake's outbox, oldest first."""
    outbox = event_tables.outbox
    query = (
        select(outbox.c.subscriber, outbox.c.body)
        .where(outbox.c.event_type == "account.staff_changed")
        .order_by(outbox.c.seq)
    )
    async with intake.app.state.database.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return [(subscriber, json.loads(body)["data"]) for subscriber, body in rows]


async def _token(intake: Service, username: str) -> Any:
    return await intake.client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})


async def test_a_new_staff_account_is_announced_to_workflow_alone(intake: Service, clock: FixedClock) -> None:
    account = await _make(intake, clock, "li.gong", "staff", grid_company="SGCC-BJ")

    (announcement,) = await _announced(intake)
    changed_at = announcement[1].pop("changed_at")
    assert datetime.fromisoformat(changed_at) == clock.now()
    assert [announcement] == [
        (
            "workflow",
            {
                "account_id": account.id,
                "username": "li.gong",
                "name": "Li.Gong Wang",
                "role": "staff",
                "grid_company": "SGCC-BJ",
                "active": True,
                "revision": 1,
            },
        )
    ]


@pytest.mark.parametrize(("role", "extra"), [("applicant", {}), ("regulator", {"regions": ["11"]}), ("admin", {})])
async def test_accounts_outside_a_grid_company_are_not_announced(
    intake: Service, clock: FixedClock, role: str, extra: dict[str, Any]
) -> None:
    await _make(intake, clock, f"not-{role}", role, **extra)

    assert await _announced(intake) == []


async def test_a_deactivated_account_gets_no_token_and_is_announced_inactive(
    intake: Service, clock: FixedClock
) -> None:
    await _make(intake, clock, "zhou.bo", "staff", grid_company="SGCC-BJ")

    assert await _set_active(intake, clock, "Zhou.Bo", active=False)
    refused = await _token(intake, "zhou.bo")

    assert (refused.status_code, refused.json()["type"].rsplit("/", 1)[1]) == (401, "account-deactivated")
    assert [(data["active"], data["revision"]) for _, data in await _announced(intake)] == [(True, 1), (False, 2)]


async def test_a_reactivated_account_signs_in_again_at_a_later_revision(intake: Service, clock: FixedClock) -> None:
    await _make(intake, clock, "sun.li", "manager", grid_company="SGCC-SH")
    await _set_active(intake, clock, "sun.li", active=False)

    assert await _set_active(intake, clock, "sun.li", active=True)

    assert (await _token(intake, "sun.li")).status_code == 200
    assert [(data["active"], data["revision"]) for _, data in await _announced(intake)] == [
        (True, 1),
        (False, 2),
        (True, 3),
    ]


async def test_deactivating_twice_changes_and_announces_nothing_the_second_time(
    intake: Service, clock: FixedClock
) -> None:
    await _make(intake, clock, "qin.fa", "staff", grid_company="SGCC-BJ")
    await _set_active(intake, clock, "qin.fa", active=False)

    assert not await _set_active(intake, clock, "qin.fa", active=False)
    assert len(await _announced(intake)) == 2


async def test_deactivating_an_unknown_username_is_account_not_found(intake: Service, clock: FixedClock) -> None:
    with pytest.raises(AccountNotFound):
        await _set_active(intake, clock, "nobody", active=False)


async def test_a_token_issued_before_deactivation_is_refused_where_intake_checks_the_account(
    intake: Service, clock: FixedClock
) -> None:
    applicant = await sign_in(intake.client, "wu.min")
    documents = await upload_all(intake.client, applicant)
    created = await intake.client.post("/api/v1/applications", headers=applicant, json=application_body(documents))
    assert created.status_code == 201, created.text
    await _make(intake, clock, "he.jun", "staff", grid_company="SGCC-BJ")
    staff = {"Authorization": f"Bearer {(await _token(intake, 'he.jun')).json()['access_token']}"}
    case = f"/api/v1/applications/{created.json()['id']}"
    assert (await intake.client.get(case, headers=staff)).status_code == 200

    await _set_active(intake, clock, "he.jun", active=False)

    answers = [
        await intake.client.get(case, headers=staff),
        await intake.client.get(f"/api/v1/documents/{documents[0]}/content", headers=staff),
        await intake.client.get("/api/v1/auth/me", headers=staff),
    ]
    assert [(a.status_code, a.json()["type"].rsplit("/", 1)[1]) for a in answers] == [(401, "account-deactivated")] * 3


async def test_publishing_the_directory_announces_every_staff_and_manager_at_its_revision(
    intake: Service, clock: FixedClock
) -> None:
    staff = await _make(intake, clock, "ma.chao", "staff", grid_company="SGCC-BJ")
    manager = await _make(intake, clock, "tang.yu", "manager", grid_company="SGCC-BJ")
    await _make(intake, clock, "gu.an", "regulator", regions=["11"])
    await _set_active(intake, clock, "ma.chao", active=False)
    before = len(await _announced(intake))

    async with intake.app.state.database.sessionmaker() as session, session.begin():
        count = await directory.publish_directory(
            session, subscribers=intake.app.state.service.settings.subscribers, now=clock.now()
        )

    again = [data for _, data in (await _announced(intake))[before:]]
    assert count == 2
    assert [(d["account_id"], d["active"], d["revision"]) for d in again] == [
        (staff.id, False, 2),
        (manager.id, True, 1),
    ]
