"""The metrics schema migrates down to nothing and back up on every backend."""

from __future__ import annotations

from services.common import migrations
from services.common.db import make_engine
from tests.support.databases import FreshDatabases


async def test_the_schema_downgrades_to_base_and_upgrades_to_head(databases: FreshDatabases) -> None:
    engine = make_engine(await databases.url("metrics"))
    try:
        await migrations.downgrade(engine, "metrics", "base")
        at_base = await migrations.is_at_head(engine, "metrics")
        await migrations.upgrade(engine, "metrics")
        at_head = await migrations.is_at_head(engine, "metrics")
    finally:
        await engine.dispose()

    assert (at_base, at_head) == (False, True)
