"""Database engine, sessions and the one-transaction-per-request dependency."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from sqlalchemy import DateTime, Dialect, Index, MetaData, String, event, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import mapped_column
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeDecorator

from services.common.errors import Unprocessable

# Connections of each engine's pool (PostgreSQL; SQLite has one writer anyway).
POOL_SIZE = 20

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite keeps timestamps as text without an offset, so values are stored in UTC and read back marked UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Column types for values that several tables hold, each declared once so that it is stored alike everywhere:
# `grid_company: Mapped[GridCompanyCode]`, or `Mapped[GridCompanyCode | None]` for a nullable column.
UtcTimestamp = Annotated[datetime, mapped_column(UtcDateTime)]
UuidText = Annotated[str, mapped_column(String(36))]
Sha256Hex = Annotated[str, mapped_column(String(64))]
MediaType = Annotated[str, mapped_column(String(64))]
# The id of a case outside intake: the application's id, or the id an imported case was given.
CaseId = Annotated[str, mapped_column(String(64))]
RuleSetId = Annotated[str, mapped_column(String(64))]
# A code the rule set defines: a category, report category, business or customer type, step, document type
# or kind of evidence.
RuleCode = Annotated[str, mapped_column(String(32))]
GridCompanyCode = Annotated[str, mapped_column(String(32))]
# An administrative division code (GB/T 2260), or a prefix of one.
RegionCode = Annotated[str, mapped_column(String(6))]
Address = Annotated[str, mapped_column(String(500))]
PhoneNumber = Annotated[str, mapped_column(String(32))]


class TextWithNul(Unprocessable, slug="text-with-nul", title="Text contains a NUL character"):
    """Text that no database column can hold: PostgreSQL rejects the NUL character in text."""


def _reject_nul(
    _connection: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    # Every value bound for the database passes here, whichever request field or event it came from,
    # so a NUL is refused the same way on SQLite and PostgreSQL instead of failing inside the driver.
    # The parameters come as one row or many, by name or by position, and a batched INSERT ... RETURNING
    # brings its rows' values as one flat list whatever `executemany` says: every string among them is looked at.
    if _holds_nul(parameters):
        raise TextWithNul("Text must not contain the NUL character (U+0000).")


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_holds_nul(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def new_metadata() -> MetaData:
    """A MetaData with the project's constraint naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of only the rows where a condition (SQL) holds, on PostgreSQL and SQLite alike."""
    return Index(name, *columns, unique=unique, postgresql_where=text(where), sqlite_where=text(where))


def is_sqlite(url: str) -> bool:
    """Whether a URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; busy_timeout makes writers queue instead of failing.
    # Autocommit at the driver level so that _sqlite_begin below decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A deferred transaction that reads and then writes fails with SQLITE_BUSY when another writer
    # committed in between; taking the write lock up front makes writers queue instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine that refuses text with NUL; SQLite gets WAL, foreign keys and a busy timeout."""
    # Errors name the statement but not the values: they are logged, and values hold applicants' details.
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        _ensure_parent(make_url(url).database or "")
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    else:
        # A fixed pool rather than overflow connections: under load those are opened and closed again and
        # again, each paying for its own statement preparation and type lookups. Requests beyond it wait.
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", 0)
        engine = create_async_engine(url, **kwargs)
        # Every checkout is checked, so that a connection the server dropped (a restart) is replaced before a
        # request uses it; here in one round trip, where the driver's own pre-ping takes three.
        event.listen(engine.sync_engine.pool, "checkout", _replace_if_lost)
    event.listen(engine.sync_engine, "before_cursor_execute", _reject_nul)
    return engine


def _replace_if_lost(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Send `;` on a connection leaving the pool; DisconnectionError (the pool connects anew) if it is lost.

    SQLAlchemy's asyncpg ping wraps the same `;` in BEGIN and ROLLBACK (for pgbouncer's transaction mode, which
    is not used here): three round trips before each request, more CPU than a small request's own query.
    """
    try:
        dbapi_connection.run_async(lambda connection: connection.fetchrow(";"))
    except Exception as exc:
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the server closed the connection") from exc
        raise


def _ensure_parent(path: str) -> None:
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


@dataclass
class Database:
    """The engine and session factory of one app.

    On PostgreSQL there is also an engine whose connections autocommit, for a request whose whole write is
    one statement: that statement is atomic by itself, and skipping BEGIN and COMMIT saves two round trips.
    """

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    autocommit: AsyncEngine | None = None
    # A pool hands a returned connection to whoever asks next, even past requests already waiting, which
    # under load left some waiting far longer than the rest: requests queue here instead, in order of arrival.
    _autocommit_queue: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(POOL_SIZE))
    _request_queue: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(POOL_SIZE))

    @classmethod
    def connect(cls, url: str) -> Database:
        """Build the engine and session factory for a URL."""
        engine = make_engine(url)
        autocommit = None
        if not is_sqlite(url):
            autocommit = make_engine(url, isolation_level="AUTOCOMMIT", pool_size=POOL_SIZE, max_overflow=0)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False), autocommit)

    @contextlib.asynccontextmanager
    async def single_statement(self) -> AsyncIterator[AsyncConnection]:
        """An autocommit connection (PostgreSQL only), first come, first served."""
        if self.autocommit is None:
            raise RuntimeError("no autocommit engine on this database")
        async with self._autocommit_queue, self.autocommit.connect() as connection:
            yield connection

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self.autocommit is not None:
            await self.autocommit.dispose()


@contextlib.asynccontextmanager
async def request_session(request: Request, *, one_guarded_statement: bool = False) -> AsyncIterator[AsyncSession]:
    """The session of one request, committed as the block ends; an exception leaving it rolls back.

    `one_guarded_statement`: every write of the request is one statement guarded by a version the client sent.
    On PostgreSQL the session then autocommits, sparing BEGIN and COMMIT (two round trips): the statement is
    atomic by itself and writes nothing when another change came first.
    """
    database: Database = request.app.state.service.database
    bind = database.autocommit if one_guarded_statement and database.autocommit is not None else database.engine
    # The transaction begins with the first statement, so a request that ends up not using the session
    # costs no connection.
    async with database._request_queue, database.sessionmaker(bind=bind) as session:
        yield session
        if session.in_transaction():
            await session.commit()


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request_session(request) as session:
        yield session


if TYPE_CHECKING:
    from fastapi import Request

    DbSession = Annotated[AsyncSession, "the request's session"]
else:

    def __getattr__(name: str) -> Any:
        # Built on first use, so that the command line, which never serves a request, need not import FastAPI.
        if name != "DbSession":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from fastapi import Depends, Request

        _request_session.__annotations__["request"] = Request  # the real class, for FastAPI to recognise
        # scope="function" commits before the response is sent: a client never sees a success rolled back.
        session = Annotated[AsyncSession, Depends(_request_session, scope="function")]
        globals()["DbSession"] = session
        return session


def insert_unless_present(target: Any, dialect: str, *, key: list[str]) -> Insert:
    """INSERT that writes nothing when a row with the same key exists (ON CONFLICT DO NOTHING), for the backends
    that have it; elsewhere a plain INSERT, whose clash the caller meets as an IntegrityError.

    On PostgreSQL it waits for a concurrent insert of the same key to commit or roll back, so a race ends with
    one row and no failed transaction.
    """
    if dialect == "postgresql":
        return postgresql.insert(target).on_conflict_do_nothing(index_elements=key)
    if dialect == "sqlite":
        return sqlite.insert(target).on_conflict_do_nothing(index_elements=key)
    return insert(target)
