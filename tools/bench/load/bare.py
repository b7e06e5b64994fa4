"""The baseline: a bare FastAPI endpoint that validates a small JSON body and inserts one row.

Served exactly as `zerovisit run --service NAME` serves a service (uvicorn[standard], a factory, the same
host, log level and access log setting, the same worker count) and on the same engine settings
(`services.common.db.make_engine`: asyncpg, the same pool) and with the same garbage-collector freeze at
start-up, so the difference to a service endpoint is what the service does per request.

    BARE_DATABASE_URL=postgresql+asyncpg://... python -m tools.bench.load.bare --port 8010
"""

from __future__ import annotations

import argparse
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
from fastapi import FastAPI, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import Column, DateTime, MetaData, String, Table, insert

from services.common.app import freeze_startup_objects
from services.common.db import make_engine

metadata = MetaData()
item = Table(
    "bare_item",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("region", String(6), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
DDL = """
CREATE TABLE IF NOT EXISTS bare_item (
    id varchar(36) PRIMARY KEY,
    name varchar(100) NOT NULL,
    region varchar(6) NOT NULL,
    created_at timestamptz NOT NULL
)
"""


class ItemCreate(BaseModel):
    """What a client sends."""

    name: str = Field(min_length=1, max_length=100)
    region: str = Field(pattern=r"^[0-9]{2,6}$")


class ItemRead(ItemCreate):
    """What it reads back."""

    id: str
    created_at: datetime


async def create_table(database_dsn: str) -> None:
    """The one table the endpoint writes to (a throwaway benchmark table, not a service schema)."""
    connection = await asyncpg.connect(database_dsn)
    try:
        await connection.execute(DDL)
    finally:
        await connection.close()


def create_app() -> FastAPI:
    """The bare app; its engine lives for the app's lifespan."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(os.environ["BARE_DATABASE_URL"])
        freeze_startup_objects()  # as every service does at start-up
        try:
            yield
        finally:
            await app.state.engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/items", status_code=status.HTTP_201_CREATED, response_model=ItemRead)
    async def create_item(request: Request, body: ItemCreate) -> ItemRead:
        row = ItemRead(id=str(uuid.uuid4()), created_at=datetime.now(UTC), **body.model_dump())
        async with request.app.state.engine.begin() as connection:
            await connection.execute(insert(item).values(**row.model_dump()))
        return row

    return app


def main() -> None:
    """Serve the bare app as the services are served."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "tools.bench.load.bare:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        log_level="info",
        access_log=False,
        workers=args.workers if args.workers > 1 else None,
    )


if __name__ == "__main__":
    main()
