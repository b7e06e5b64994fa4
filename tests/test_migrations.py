"""Every service's migrations run for real, up to head and back down to base."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from services.common import migrations
from services.common.db import make_engine
from tests.support.databases import SERVICES, create_postgres_database, drop_postgres_database


@pytest.mark.parametrize("service", SERVICES)
async def test_upgrade_to_head_and_downgrade_to_base(backend: str, service: str, tmp_path: Path) -> None:
    name = f"zvt_mig_{service}_{uuid.uuid4().hex[:8]}"
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else await create_postgres_database(name)
    engine = make_engine(url)
    try:
        await migrations.upgrade(engine, service)
        assert await migrations.is_at_head(engine, service)
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        assert "inbox_event" in tables
        # Only a service that publishes events has an outbox (metrics publishes none).
        assert ("outbox_message" in tables) == (service != "metrics")
        await migrations.downgrade(engine, service)
        async with engine.connect() as connection:
            left = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        assert left <= {"alembic_version"}
        assert not await migrations.is_at_head(engine, service)
    finally:
        await engine.dispose()
        if backend == "postgres":
            await drop_postgres_database(name)


async def test_the_schema_matches_the_models(backend: str, templates: object, tmp_path: Path) -> None:
    """Autogenerate finds nothing to do: the written migrations and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tests.support.databases import FreshDatabases, Templates

    assert isinstance(templates, Templates)
    fresh = FreshDatabases(templates, backend, tmp_path)
    try:
        for service in SERVICES:
            module = __import__(f"services.{service}.models", fromlist=["metadata"])
            engine = make_engine(await fresh.url(service))
            try:
                async with engine.connect() as connection:
                    diff = await connection.run_sync(
                        lambda c, m=module: compare_metadata(
                            MigrationContext.configure(c, opts={"compare_type": False}), m.metadata
                        )
                    )
            finally:
                await engine.dispose()
            assert diff == [], f"{service}: {diff}"
    finally:
        await fresh.close()


async def test_usernames_are_case_folded_and_an_older_account_keeps_the_folded_spelling(
    backend: str, tmp_path: Path
) -> None:
    from sqlalchemy import text

    name = f"zvt_mig_fold_{uuid.uuid4().hex[:8]}"
    url = f"sqlite+aiosqlite:///{tmp_path / 'f.db'}" if backend == "sqlite" else await create_postgres_database(name)
    engine = make_engine(url)
    try:
        await migrations.upgrade(engine, "intake", "5e0b7d2c91a4")
        async with engine.begin() as connection:
            for n, username in enumerate(["Alice", "alice", "ALICE", "Bob", "carol"]):
                await connection.execute(
                    text(
                        "INSERT INTO account (id, username, password_hash, name, role, regions, created_at) "
                        "VALUES (:id, :username, 'x', 'N', 'applicant', '[]', :created_at)"
                    ),
                    {"id": f"id-{n}", "username": username, "created_at": datetime(2026, 1, n + 1, tzinfo=UTC)},
                )
        await migrations.upgrade(engine, "intake")
        async with engine.connect() as connection:
            rows = dict((await connection.execute(text("SELECT id, username FROM account"))).all())
        # "alice" was already taken as written; the other spellings of it stay as they were, reachable exactly.
        assert rows == {"id-0": "Alice", "id-1": "alice", "id-2": "ALICE", "id-3": "bob", "id-4": "carol"}
    finally:
        await engine.dispose()
        if backend == "postgres":
            await drop_postgres_database(name)


async def test_a_document_on_file_is_bound_to_the_premises_of_the_first_application_that_relied_on_it(
    backend: str, tmp_path: Path
) -> None:
    from sqlalchemy import insert, text

    from services.intake.applications.models import Application, ApplicationDocument

    name = f"zvt_mig_premises_{uuid.uuid4().hex[:8]}"
    url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}" if backend == "sqlite" else await create_postgres_database(name)
    engine = make_engine(url)
    try:
        await migrations.upgrade(engine, "intake", "7d3a9f12c6e8")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO account (id, username, password_hash, name, role, regions, created_at) "
                    "VALUES ('a', 'a', 'x', 'N', 'applicant', '[]', :at)"
                ),
                {"at": datetime(2026, 1, 1, tzinfo=UTC)},
            )
            for document in ("kept", "unused"):
                await connection.execute(
                    text(
                        "INSERT INTO document (id, owner_id, type, number, sha256, size, media_type, uploaded_at) "
                        "VALUES (:id, 'a', 'property_certificate', 'N-1', :sha, 1, 'application/pdf', :at)"
                    ),
                    {"id": document, "sha": "0" * 64, "at": datetime(2026, 1, 1, tzinfo=UTC)},
                )
            # The later application is inserted first: the order of submission decides, not of rows.
            for number, day, region, address in [(2, 9, "110105", "2 Later Road"), (1, 5, "110101", "1 First Road")]:
                await connection.execute(
                    insert(Application.__table__).values(_application(number, day, region, address))
                )
                await connection.execute(
                    insert(ApplicationDocument.__table__).values(
                        application_id=f"app-{number}", document_id="kept", type="property_certificate", reused=False
                    )
                )
        await migrations.upgrade(engine, "intake")
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, bound_region, bound_address FROM document"))).all()
        assert sorted(map(tuple, rows)) == [("kept", "110101", "1 First Road"), ("unused", None, None)]
    finally:
        await engine.dispose()
        if backend == "postgres":
            await drop_postgres_database(name)


def _application(number: int, day: int, region: str, address: str) -> dict[str, object]:
    return {
        "id": f"app-{number}",
        "number": f"ZV{number}",
        "owner_id": "a",
        "status": "submitted",
        "customer_type": "enterprise",
        "small_micro": True,
        "business_type": "new_install",
        "capacity_kva": 100,
        "dual_supply": False,
        "important_customer": False,
        "region": region,
        "address": address,
        "contact_name": "Li Wei",
        "contact_phone": "13800138000",
        "channel": "app",
        "category": "sme_lv",
        "access_voltage": "lv",
        "zero_investment": True,
        "grid_company": "SGCC-BJ",
        "rule_set": "r",
        "steps": [],
        "required_documents": [],
        "due_on": datetime(2026, 2, 1, tzinfo=UTC).date(),
        "due_on_provisional": False,
        "submitted_at": datetime(2026, 1, day, tzinfo=UTC),
        "progress": {},
    }
