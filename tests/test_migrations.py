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
