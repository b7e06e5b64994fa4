"""Alembic, one environment per service, run for real by the CLI, the tests and /readyz."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.common.db import is_sqlite
from services.common.settings import REPO_ROOT

ALEMBIC_INI = REPO_ROOT / "migrations" / "alembic.ini"


def alembic_config(service: str, url: str | None = None) -> Config:
    """The alembic configuration of one service's environment."""
    config = Config(str(ALEMBIC_INI), ini_section=service)
    if url:
        config.attributes["url"] = url
    return config


@lru_cache(maxsize=8)
def head_revision(service: str) -> str | None:
    """The newest migration of a service."""
    return ScriptDirectory.from_config(alembic_config(service)).get_current_head()


async def upgrade(engine: AsyncEngine, service: str, revision: str = "head") -> None:
    """Apply migrations up to a revision on an engine."""
    await _run(engine, service, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(engine: AsyncEngine, service: str, revision: str = "base") -> None:
    """Revert migrations down to a revision on an engine."""
    await _run(engine, service, lambda cfg: command.downgrade(cfg, revision))


async def _run(engine: AsyncEngine, service: str, action: object) -> None:
    def work(connection: Connection) -> None:
        config = alembic_config(service)
        config.attributes["connection"] = connection
        action(config)  # type: ignore[operator]

    async with engine.begin() as connection:
        await connection.run_sync(work)


async def is_at_head(engine: AsyncEngine, service: str) -> bool:
    """Whether the database's schema is at the newest migration."""

    def current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        revision = await connection.run_sync(current)
    return revision == head_revision(service)


def run_environment(metadata: MetaData, default_url: str) -> None:
    """The body of every env.py: migrate a given connection, or connect to the service's database."""
    from alembic import context

    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection, metadata)
        return
    url = config.attributes.get("url") or default_url

    async def connect_and_migrate() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, metadata)
        await engine.dispose()

    asyncio.run(connect_and_migrate())


def _migrate(connection: Connection, metadata: MetaData) -> None:
    from alembic import context

    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=is_sqlite(str(connection.engine.url)),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
