"""Fresh, migrated databases per test: SQLite always, PostgreSQL when ZV_TEST_POSTGRES_URL is set.

Each service's schema is migrated once per session into a template (a file on SQLite, a template
database on PostgreSQL); every test then gets its own copy, so tests never share rows.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from services.common import migrations
from services.common.db import make_engine

POSTGRES_URL = os.environ.get("ZV_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
SERVICES = ("intake", "workflow", "metrics")


def postgres_url(database: str) -> str:
    """The test server's URL for another database."""
    return (
        make_url(POSTGRES_URL)
        .set(drivername="postgresql+asyncpg", database=database)
        .render_as_string(hide_password=False)
    )


async def _admin(statement: str) -> None:
    engine = create_async_engine(
        postgres_url(make_url(POSTGRES_URL).database or "postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def create_postgres_database(name: str, template: str | None = None) -> str:
    """Create a database (optionally from a template) and return its URL."""
    suffix = f" TEMPLATE {template}" if template else ""
    await _admin(f'CREATE DATABASE "{name}"{suffix}')
    return postgres_url(name)


async def drop_postgres_database(name: str) -> None:
    """Drop a test database, closing what still uses it."""
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def migrate(url: str, service: str) -> None:
    """Apply a service's migrations to a database."""
    engine = make_engine(url)
    try:
        await migrations.upgrade(engine, service)
    finally:
        await engine.dispose()


class Templates:
    """Migrated template databases, made once per test session."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.run_id = uuid.uuid4().hex[:8]
        self.postgres_templates: dict[str, str] = {}

    async def sqlite_template(self, service: str) -> Path:
        """A migrated SQLite file for a service."""
        path = self.directory / f"{service}-template.db"
        if not path.exists():
            await migrate(f"sqlite+aiosqlite:///{path}", service)
        return path

    async def postgres_template(self, service: str) -> str:
        """A migrated PostgreSQL template database for a service."""
        if service not in self.postgres_templates:
            name = f"zvt_{self.run_id}_{service}"
            url = await create_postgres_database(name)
            await migrate(url, service)
            self.postgres_templates[service] = name
        return self.postgres_templates[service]

    def close(self) -> None:
        """Drop the PostgreSQL templates."""
        for name in self.postgres_templates.values():
            asyncio.run(drop_postgres_database(name))


class FreshDatabases:
    """Hands out per-test copies of the templates and cleans them up."""

    def __init__(self, templates: Templates, backend: str, directory: Path) -> None:
        self.templates = templates
        self.backend = backend
        self.directory = directory
        self.created: list[str] = []

    async def url(self, service: str) -> str:
        """A new migrated database for a service."""
        if self.backend == "sqlite":
            path = self.directory / f"{service}-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(await self.templates.sqlite_template(service), path)
            return f"sqlite+aiosqlite:///{path}"
        template = await self.templates.postgres_template(service)
        name = f"zvt_{self.templates.run_id}_{service}_{uuid.uuid4().hex[:8]}"
        self.created.append(name)
        return await create_postgres_database(name, template=template)

    async def close(self) -> None:
        """Drop the databases this test made."""
        for name in self.created:
            await drop_postgres_database(name)
