"""The workflow migrations go down to nothing and up again, on every backend."""

from __future__ import annotations

from sqlalchemy import inspect

from services.common import migrations
from services.common.db import make_engine

TABLES = {
    "contractor_licence",
    "alembic_version",
    "audit_entry",
    "calendar_day",
    "case_file",
    "calendar_year",
    "idempotency_record",
    "inbox_event",
    "job",
    "job_evidence",
    "job_fee",
    "job_pause",
    "job_step",
    "job_visit",
    "outbox_message",
    "staff_member",
}


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_downgrade_to_base_and_upgrade_to_head(workflow_url: str) -> None:
    engine = make_engine(workflow_url)
    try:
        await migrations.downgrade(engine, "workflow", "base")
        emptied = await _tables(workflow_url)
        await migrations.upgrade(engine, "workflow", "head")
        at_head = await migrations.is_at_head(engine, "workflow")
    finally:
        await engine.dispose()

    assert emptied == {"alembic_version"}
    assert (await _tables(workflow_url), at_head) == (TABLES, True)
