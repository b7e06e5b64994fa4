"""Applying: place the case, check documents once, fix deadlines, publish the submission."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ARRAY,
    Boolean,
    Insert,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.common import casetime
from services.common.clock import local_date
from services.common.events import EventTables, Queued, outbox
from services.common.events.tables import PENDING
from services.common.work import UnitOfWork
from services.intake import events, ownership
from services.intake.access import Reach
from services.intake.applications.completeness import DocumentCheck, Premises, check_documents, normalize_address
from services.intake.applications.exceptions import (
    ApplicationNotFound,
    IncompleteApplication,
    InvalidTransition,
    UnknownDocuments,
)
from services.intake.applications.models import Application, ApplicationDocument
from services.intake.applications.schemas import ApplicationCreate
from services.intake.documents.models import Document
from services.intake.guide import regions

OPEN_STATUSES = ("submitted", "in_progress", "paused")


@dataclass(frozen=True)
class Submitted:
    """A new application as written: its row, and the documents supplied now and reused from file."""

    row: dict[str, Any]
    supplied: list[str]
    reused: list[str]


class FiledDocument(NamedTuple):
    """The columns of a document that the completeness check reads."""

    id: str
    type: str
    number: str
    valid_until: date | None
    uploaded_at: datetime
    # The premises of the first application that relied on it (None, None if none has).
    bound_region: str | None
    bound_address: str | None

    @property
    def relied_on(self) -> bool:
        """Whether an earlier application relied on it."""
        return self.bound_region is not None

    @property
    def premises(self) -> Premises | None:
        """The premises it was first supplied for."""
        if self.bound_region is None or self.bound_address is None:
            return None
        return (self.bound_region, normalize_address(self.bound_address))


# Built once rather than per request (building a statement is Python work on the hot path). One query
# finds both the documents named in the request and those on file for the required types.
_COLUMNS = (
    Document.id,
    Document.type,
    Document.number,
    Document.valid_until,
    Document.uploaded_at,
    Document.bound_region,
    Document.bound_address,
)
_DOCUMENTS = select(*_COLUMNS).where(
    Document.owner_id == bindparam("owner_id"),
    or_(Document.type.in_(bindparam("types", expanding=True)), Document.id.in_(bindparam("ids", expanding=True))),
)
# PostgreSQL takes the lists as two array parameters: one statement text whatever their lengths, prepared once
# per connection, where an expanding IN is rewritten (and prepared again) for every length.
_DOCUMENTS_PG = select(*_COLUMNS).where(
    Document.owner_id == bindparam("owner_id"),
    or_(
        Document.type == any_(bindparam("types", type_=ARRAY(String))),
        Document.id == any_(bindparam("ids", type_=ARRAY(String))),
    ),
)
_INSERT_APPLICATION = insert(cast(Table, Application.__table__))
_INSERT_LINKS = insert(cast(Table, ApplicationDocument.__table__))
# The first submission to rely on a document binds it to its premises; a later one finds it bound already.
_BIND_PREMISES = (
    update(Document)
    .where(Document.id.in_(bindparam("document_ids", expanding=True)), Document.bound_region.is_(None))
    .values(bound_region=bindparam("region"), bound_address=bindparam("address"))
)


async def submit(work: UnitOfWork, *, owner_id: str, draft: ApplicationCreate) -> Submitted:
    """A complete application, with every missing document named at once when it is not.

    Core statements, no identity map: the reads and the one write go through the unit's one-statement
    connection, so that on PostgreSQL the submission is a single autocommitted statement.
    """
    async with work.one_statement(publishes=True) as connection:
        return await _submit(connection, work, owner_id=owner_id, draft=draft)


async def _submit(
    connection: AsyncConnection, work: UnitOfWork, *, owner_id: str, draft: ApplicationCreate
) -> Submitted:
    now, rules, calendar = work.now, work.state.rules, work.state.live_calendar
    today = local_date(now)
    rule_set = rules.in_force_on(today)
    grid_company = regions.served(rule_set, draft.region).grid_company
    placement, category = rule_set.place_case(draft)
    requirements = rule_set.requirements(category.code, draft.business_type)
    required = [requirement.name for requirement in requirements]
    kinds = [kind for requirement in requirements for kind in requirement.any_of]

    supplied, on_file = await _documents(connection, owner_id, kinds, draft.document_ids)
    check = check_documents(
        requirements,
        supplied=supplied,
        on_file=on_file,
        on=today,
        premises=(draft.region, normalize_address(draft.address)),
        premises_types=rule_set.premises_document_types,
    )
    if not check.complete:
        raise IncompleteApplication(
            "Some required documents are missing or expired; supply them all in one go.",
            missing_documents=check.missing,
            expired_documents=check.expired,
            required_documents=required,
            unmet_requirements=[unmet.as_dict() for unmet in check.unmet],
        )

    for doc_type, document in list(check.supplied.items()):
        # Handed over once: a document that an earlier application already relied on is reused when the
        # client lists it again, as much as when it is taken from file unasked.
        if document.relied_on:
            check.reused[doc_type] = check.supplied.pop(doc_type)

    due = casetime.due(await calendar.current(connection), started_at=now, limit=category.total_limit_working_days)
    steps = [step.model_dump() for step in category.steps]
    row: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        # 48 random bits a day: even a million applications in one day collide with a chance below 0.2%.
        "number": f"ZV{today:%Y%m%d}{uuid.uuid4().hex[:12].upper()}",
        "owner_id": owner_id,
        "status": "submitted",
        **draft.model_dump(exclude={"document_ids"}),
        "category": category.code,
        "access_voltage": placement.access_voltage,
        "zero_investment": placement.zero_investment,
        "grid_company": grid_company,
        "rule_set": rule_set.id,
        "steps": steps,
        "required_documents": required,
        "due_on": due.date,
        "due_on_provisional": due.provisional,
        "submitted_at": now,
        "progress": _initial_progress(steps, now),
    }
    links = [
        {"application_id": row["id"], "document_id": d.id, "type": d.type, "reused": False}
        for d in check.supplied.values()
    ] + [
        {"application_id": row["id"], "document_id": d.id, "type": d.type, "reused": True}
        for d in check.reused.values()
    ]
    # The event repeats the row's fields it declares (it ignores the rest), with the id, the capacity as text
    # and what only the event counts.
    payload = events.ApplicationSubmitted.model_validate(
        {
            **row,
            "application_id": row["id"],
            "report_category": rule_set.report_category(category.code, draft.business_type),
            "capacity_kva": str(draft.capacity_kva),
            "total_limit_working_days": category.total_limit_working_days,
            "allowed_visits": category.allowed_visits,
            "documents_required": len(required),
            "documents_supplied": len(check.supplied),
            "documents_reused": len(check.reused),
        }
    )
    queued = [work.queue(payload, case_key=row["id"]), work.queue(_case_shared(row, check), case_key=row["id"])]
    await _write_submission(connection, work.event_tables, row, links, queued)
    return Submitted(
        row=row,
        supplied=[d.id for d in check.supplied.values()],
        reused=[d.id for d in check.reused.values()],
    )


def _case_shared(row: dict[str, Any], check: DocumentCheck[FiledDocument]) -> events.ApplicationCaseShared:
    """The case's personal details for the grid company's field staff (routed to workflow only)."""
    documents = [*check.supplied.values(), *check.reused.values()]
    return events.ApplicationCaseShared(
        application_id=row["id"],
        grid_company=row["grid_company"],
        address=row["address"],
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        customer_type=row["customer_type"],
        business_type=row["business_type"],
        capacity_kva=str(row["capacity_kva"]),
        documents=[
            events.CaseDocument(id=d.id, type=d.type, number=d.number, valid_until=d.valid_until) for d in documents
        ],
    )


async def _write_submission(
    connection: AsyncConnection,
    event_tables: EventTables,
    row: dict[str, Any],
    links: list[dict[str, Any]],
    queued: list[Queued],
) -> None:
    """Write the application, its document links and its outbox rows."""
    if connection.dialect.name == "postgresql":
        # One statement instead of three: each round trip to the database costs the request more CPU than
        # anything it computes. The links and outbox rows arrive as arrays and are unnested server-side.
        statement = _submission_statement(event_tables.outbox, tuple(row))
        outbox_rows = [r for event in queued for r in event.rows]
        await connection.execute(
            statement,
            {
                **{f"a_{name}": value for name, value in row.items()},
                "l_document_ids": [link["document_id"] for link in links],
                "l_types": [link["type"] for link in links],
                "l_reused": [link["reused"] for link in links],
                "o_event_ids": [r["event_id"] for r in outbox_rows],
                "o_subscribers": [r["subscriber"] for r in outbox_rows],
                "o_event_types": [r["event_type"] for r in outbox_rows],
                "o_case_key": row["id"],
                "o_bodies": [r["body"] for r in outbox_rows],
                "o_now": queued[0].now,
            },
        )
        return
    await connection.execute(_INSERT_APPLICATION, row)
    if links:
        await connection.execute(_INSERT_LINKS, links)
        await connection.execute(
            _BIND_PREMISES,
            {
                "document_ids": [link["document_id"] for link in links],
                "region": row["region"],
                "address": row["address"],
            },
        )
    for event in queued:
        await outbox.write(connection, event_tables, event)


@functools.cache
def _submission_statement(outbox: Table, columns_set: tuple[str, ...]) -> Insert:
    """INSERT the outbox rows; the application, its links and its documents' premises are written by CTEs."""
    applications = cast(Table, Application.__table__)
    links = cast(Table, ApplicationDocument.__table__)
    new_application = (
        insert(applications)
        .values({name: bindparam(f"a_{name}", type_=applications.c[name].type) for name in columns_set})
        .cte("new_application")
    )
    new_links = (
        insert(links)
        .from_select(
            ["application_id", "document_id", "type", "reused"],
            select(
                bindparam("a_id", type_=links.c.application_id.type),
                func.unnest(bindparam("l_document_ids", type_=ARRAY(String))),
                func.unnest(bindparam("l_types", type_=ARRAY(String))),
                func.unnest(bindparam("l_reused", type_=ARRAY(Boolean))),
            ),
        )
        .cte("new_links")
    )
    documents = cast(Table, Document.__table__)
    bound_premises = (
        update(documents)
        .where(
            documents.c.id == any_(bindparam("l_document_ids", type_=ARRAY(String))),
            documents.c.bound_region.is_(None),
        )
        .values(
            bound_region=bindparam("a_region", type_=documents.c.bound_region.type),
            bound_address=bindparam("a_address", type_=documents.c.bound_address.type),
        )
        .cte("bound_premises")
    )
    now = outbox.c.created_at.type
    # One outbox row per event and subscriber, the arrays unnested side by side (in step, being of one length).
    rows = select(
        func.unnest(bindparam("o_event_ids", type_=ARRAY(String))),
        func.unnest(bindparam("o_subscribers", type_=ARRAY(String))),
        func.unnest(bindparam("o_event_types", type_=ARRAY(String))),
        bindparam("o_case_key", type_=outbox.c.case_key.type),
        func.unnest(bindparam("o_bodies", type_=ARRAY(String))),
        literal(PENDING, type_=outbox.c.status.type),
        literal(0, type_=outbox.c.attempts.type),
        bindparam("o_now", type_=now),
        bindparam("o_now", type_=now),
    )
    columns = ["event_id", "subscriber", "event_type", "case_key", "body", "status", "attempts"]
    return (
        insert(outbox)
        .from_select([*columns, "next_attempt_at", "created_at"], rows)
        .add_cte(new_application)
        .add_cte(new_links)
        .add_cte(bound_premises)
    )


def _initial_progress(steps: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    progress_steps = [dict(step) for step in steps]
    progress_steps[0]["started_at"] = now.isoformat()
    return {
        "current_step": steps[0]["code"],
        "steps": progress_steps,
        "timeline": [{"at": now.isoformat(), "event": "submitted"}],
    }


async def _documents(
    connection: AsyncConnection, owner_id: str, required: Sequence[str], ids: Sequence[str]
) -> tuple[list[FiledDocument], list[FiledDocument]]:
    """The owner's documents named by id (every id must be one), and those on file of the required types."""
    unique_ids = list(dict.fromkeys(ids))
    params = {"owner_id": owner_id, "types": list(required), "ids": unique_ids}
    statement = _DOCUMENTS_PG if connection.dialect.name == "postgresql" else _DOCUMENTS
    found = [FiledDocument(*row) for row in await connection.execute(statement, params)]
    wanted = set(unique_ids)
    supplied = [d for d in found if d.id in wanted]
    unknown = sorted(wanted - {d.id for d in supplied})
    if unknown:
        # Someone else's document is as unknown as one that never existed.
        raise UnknownDocuments("Some document ids are not documents of yours.", unknown_document_ids=unknown)
    types = set(required)
    return supplied, [d for d in found if d.type in types]


async def documents_on_file(session: AsyncSession, *, owner_id: str, types: Sequence[str]) -> list[FiledDocument]:
    """The owner's documents of some types, each with the premises it was first relied on for."""
    statement = select(*_COLUMNS).where(Document.owner_id == owner_id, Document.type.in_(types))
    return [FiledDocument(*row) for row in await session.execute(statement)]


def case_due_on(application: Application) -> date:
    """The case's due date: the workflow's latest word on its last step, else the one set at submission."""
    steps = application.progress.get("steps") or ()
    last_due = steps[-1].get("due_on") if steps else None
    # Due dates move with pauses and recounts; the job events carry them as they now stand.
    return date.fromisoformat(last_due) if last_due else application.due_on


async def get_for_owner(session: AsyncSession, *, owner_id: str, application_id: str) -> Application:
    """One of the owner's applications; someone else's answers 404."""
    missing = ApplicationNotFound(f"No application {application_id}.")
    return await ownership.get_owned(session, Application, application_id, owner_id=owner_id, missing=missing)


async def get_readable(session: AsyncSession, *, reach: Reach, application_id: str) -> Application:
    """An application the caller may read (its own, or its company's); any other answers 404, as a missing one."""
    application = await session.get(Application, application_id)
    if application is None or not (
        application.owner_id == reach.owner_id or application.grid_company == reach.grid_company
    ):
        raise ApplicationNotFound(f"No application {application_id}.")
    return application


async def list_for_owner(
    session: AsyncSession, *, owner_id: str, status: str | None, limit: int, offset: int
) -> tuple[Sequence[Application], int]:
    """A page of the owner's applications, newest first, and how many there are."""
    query = select(Application).where(Application.owner_id == owner_id)
    if status:
        query = query.where(Application.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = await session.scalars(
        query.order_by(Application.submitted_at.desc(), Application.id).limit(limit).offset(offset)
    )
    return page.all(), total


async def document_links(session: AsyncSession, application_ids: Sequence[str]) -> dict[str, list[ApplicationDocument]]:
    """The documents each application relies on."""
    links: dict[str, list[ApplicationDocument]] = {i: [] for i in application_ids}
    if application_ids:
        rows = await session.scalars(
            select(ApplicationDocument).where(ApplicationDocument.application_id.in_(application_ids))
        )
        for link in rows:
            links[link.application_id].append(link)
    return links


async def withdraw(work: UnitOfWork, application: Application) -> Application:
    """Withdraw an open application."""
    now = work.now
    await _take(work, application)
    if application.status not in OPEN_STATUSES:
        raise InvalidTransition(f"An application that is {application.status} cannot be withdrawn.")
    application.status = "withdrawn"
    application.withdrawn_at = now
    _add_timeline(application, now, "withdrawn")
    await work.session.flush()
    await work.publish(
        events.ApplicationWithdrawn(application_id=application.id, withdrawn_at=now), case_key=application.id
    )
    return application


async def evaluate(work: UnitOfWork, application: Application, *, score: int, comment: str | None) -> Application:
    """Rate a connected application, once."""
    now = work.now
    await _take(work, application)
    if application.status != "connected":
        raise InvalidTransition("An application can be rated once it is connected.")
    if application.evaluation_score is not None:
        raise InvalidTransition("This application was already rated.")
    application.evaluation_score = score
    application.evaluation_comment = comment
    application.evaluated_at = now
    _add_timeline(application, now, "evaluated")
    await work.session.flush()
    payload = events.ApplicationEvaluated(application_id=application.id, score=score, evaluated_at=now)
    await work.publish(payload, case_key=application.id)
    return application


async def _take(work: UnitOfWork, application: Application) -> None:
    """Hold the application's row for this change and read it as it now stands.

    Two requests of the same once-only action (a withdrawal, a rating) read the application at once: without
    the row, both would find it open and both would publish their event. With it, the second waits for the
    first to commit and then finds it done.
    """
    await work.session.refresh(application, with_for_update=True)


def _add_timeline(application: Application, at: datetime, event: str, **extra: Any) -> None:
    # JSON columns change by assignment, so the ORM sees a new value.
    progress = dict(application.progress)
    progress["timeline"] = [*progress.get("timeline", []), {"at": at.isoformat(), "event": event, **extra}]
    application.progress = progress
