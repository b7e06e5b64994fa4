"""A change to a job written as one PostgreSQL statement: the job's UPDATE, guarded by the version it was read
at, gates every other row the change writes (its steps and records, its audit entry, its outbox rows).

The ORM's flush sends each of those rows as a statement of its own, and each round trip to the database costs
a request more CPU than anything the change computes. The change is still made on the ORM objects, as it is
on SQLite; this reads what the flush would have written (the session's new and modified objects) and sends it
at once. A statement is built once for each shape of change (which tables, which columns) and then prepared
once per connection.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import ARRAY, Select, String, Table, bindparam, exists, func, insert, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstanceState, Mapper
from sqlalchemy.orm.base import NO_VALUE

from services.common.events import PUBLISHED, Queued
from services.workflow.jobs.models import Job

# What an outbox row is made of, besides the subscriber: the same for every subscriber of an event.
_OUTBOX_COLUMNS = ("event_id", "event_type", "case_key", "body", "status", "attempts", "next_attempt_at", "created_at")


@dataclass(frozen=True)
class _Write:
    """The shape of one row's write: an UPDATE by primary key, or an INSERT."""

    table: Table
    columns: tuple[str, ...]  # the columns written
    keys: tuple[str, ...] = ()  # an UPDATE's primary key; an INSERT has none


async def write(session: AsyncSession, job: Job, events: Sequence[Queued], outbox: Table) -> bool:
    """Write the session's pending change of the job, and the events' outbox rows, in one statement.

    False when the job is no longer at the version it was read at: then nothing was written. On success the
    job and the rows written leave the session, so that its commit flushes nothing again.
    """
    if session.deleted:
        # No change to a job deletes rows; one that did would need its DELETEs gated here as well.
        raise RuntimeError("a change that deletes rows cannot be written as one statement yet")
    job_state = inspect(job)
    claim = _updated(job_state)
    rows: list[tuple[_Write, dict[str, Any], object]] = []
    for obj in session.new:
        rows.append((*_inserted(cast(InstanceState[Any], inspect(obj))), obj))
    for obj in session.dirty:
        if obj is not job:
            state = cast(InstanceState[Any], inspect(obj))
            update_ = _updated(state)
            if update_[0].columns:
                rows.append((*update_, obj))
    # In a fixed order, so that a change of one shape is always the same statement text.
    rows.sort(key=lambda row: (row[0].table.name, row[0].keys, row[0].columns, str(inspect(row[2]).identity)))
    was = _committed(job_state, "version")
    if not claim[0].columns:
        if not rows and not events:
            return True  # a change that found nothing to do: the job was taken by the claim's own UPDATE
        # Still gated on the version: the job row is set to what it is.
        claim = (replace(claim[0], columns=("version",)), {**claim[1], "version": was})
    shapes = tuple(shape for shape, _, _ in rows)
    statement = _statement(claim[0], shapes, len(events), outbox)
    parameters: dict[str, Any] = {"version_was": was, **_named("job", claim)}
    for index, (shape, values, _) in enumerate(rows):
        parameters |= _named(f"r{index}", (shape, values))
    for index, event in enumerate(events):
        parameters |= _outbox_parameters(f"e{index}", event)
    connection = await session.connection()
    claimed = (await connection.execute(statement, parameters)).scalar_one()
    if not claimed:
        return False
    if events:
        session.info[PUBLISHED] = True
    for _, _, obj in rows:
        if obj in session:
            session.expunge(obj)
    session.expunge(job)  # with its steps, pauses, fees and visits (cascade "all")
    return True


def _committed(state: InstanceState[Any], key: str) -> Any:
    """The value an attribute had when the row was read (the flush's own record of it)."""
    return state.committed_state.get(key, state.dict.get(key))


@functools.cache
def _column_names(mapper: Mapper[Any]) -> tuple[tuple[str, str], ...]:
    """(attribute, column) of every column attribute of a mapper, in the table's order."""
    return tuple((prop.key, prop.columns[0].name) for prop in mapper.column_attrs)


def _updated(state: InstanceState[Any]) -> tuple[_Write, dict[str, Any]]:
    """The columns of a loaded row that the change set to a new value, and its primary key."""
    table = cast(Table, state.mapper.local_table)
    # What the flush itself reads: the attributes set since the row was read, with the values they had then.
    was, now = state.committed_state, state.dict
    values = {
        column: now[key]
        for key, column in _column_names(state.mapper)
        if key in was and key in now and (was[key] is NO_VALUE or was[key] != now[key])
    }
    written = _Write(table, tuple(values), tuple(column.name for column in state.mapper.primary_key))
    # The primary key's parameters beside the values: `_keys` names them key_<column>.
    values |= {f"key_{name}": value for name, value in zip(written.keys, state.identity or (), strict=True)}
    return written, values


def _inserted(state: InstanceState[Any]) -> tuple[_Write, dict[str, Any]]:
    """The columns of a new row, as its object holds them."""
    table = cast(Table, state.mapper.local_table)
    values = {
        prop.columns[0].name: state.dict[prop.key] for prop in state.mapper.column_attrs if prop.key in state.dict
    }
    return _Write(table, tuple(values)), values


def _named(prefix: str, write: tuple[_Write, dict[str, Any]]) -> dict[str, Any]:
    return {f"{prefix}_{name}": value for name, value in write[1].items()}


def _outbox_parameters(prefix: str, event: Queued) -> dict[str, Any]:
    row = event.rows[0] if event.subscribers else {}
    return {
        f"{prefix}_subscribers": event.subscribers,
        **{f"{prefix}_{name}": row.get(name) for name in _OUTBOX_COLUMNS},
    }


@functools.cache
def _statement(claim: _Write, rows: tuple[_Write, ...], events: int, outbox: Table) -> Select[Any]:
    """UPDATE the job at its version as a CTE; every other write is a CTE that happens only if that one did."""
    job = claim.table
    claimed = (
        update(job)
        .where(*_keys("job", claim), job.c.version == bindparam("version_was", type_=job.c.version.type))
        .values({name: _value("job", job, name) for name in claim.columns})
        .returning(job.c.version)
        .cte("claimed")
    )
    taken = exists(select(claimed.c.version))
    writes = []
    for index, row in enumerate(rows):
        table, prefix = row.table, f"r{index}"
        if row.keys:
            change = (
                update(table)
                .where(*_keys(prefix, row), taken)
                .values({name: _value(prefix, table, name) for name in row.columns})
            )
            writes.append(change.cte(f"{prefix}_updated"))
        else:
            values = select(*(_value(prefix, table, name) for name in row.columns)).select_from(claimed)
            writes.append(insert(table).from_select(list(row.columns), values).cte(f"{prefix}_inserted"))
    for index in range(events):
        prefix = f"e{index}"
        rows_of_event = select(
            _value(prefix, outbox, "event_id"),
            func.unnest(bindparam(f"{prefix}_subscribers", type_=ARRAY(String))),
            *(_value(prefix, outbox, name) for name in _OUTBOX_COLUMNS[1:]),
        ).select_from(claimed)
        columns = ["event_id", "subscriber", *_OUTBOX_COLUMNS[1:]]
        writes.append(insert(outbox).from_select(columns, rows_of_event).cte(f"{prefix}_queued"))
    return select(func.count()).select_from(claimed).add_cte(*writes)


def _value(prefix: str, table: Table, name: str) -> Any:
    return bindparam(f"{prefix}_{name}", type_=table.c[name].type)


def _keys(prefix: str, write: _Write) -> Iterable[Any]:
    table = write.table
    return (table.c[name] == bindparam(f"{prefix}_key_{name}", type_=table.c[name].type) for name in write.keys)
