"""Publishing writes outbox rows in the caller's transaction, one per interested subscriber."""

from __future__ import annotations

import json

import pytest

from services.common.db import Database
from services.common.events import EventEnvelope, publish, topic_matches
from services.common.settings import Subscriber
from tests.common.events.conftest import T0, TABLES, ThingHappened, outbox_rows, publish_thing


def _subscriber(name: str, *topics: str) -> Subscriber:
    return Subscriber(name=name, url=f"http://{name}/internal/events", topics=topics)


@pytest.mark.parametrize(
    ("topic", "matches"),
    [
        ("*", True),
        ("thing.happened", True),
        ("thing.*", True),
        ("other.*", False),
        ("thing", False),
        ("thing.happened.late", False),
        ("thing.happ*", False),
    ],
)
def test_topic_matching(topic: str, matches: bool) -> None:
    assert topic_matches((topic,), "thing.happened") is matches


async def test_publish_writes_one_row_per_matching_subscriber(database: Database) -> None:
    subscribers = (
        _subscriber("all", "*"),
        _subscriber("things", "thing.*"),
        _subscriber("exact", "other.event", "thing.happened"),
        _subscriber("others", "other.*"),
    )
    envelope = await publish_thing(database, case_key="case-1", note="接电", subscribers=subscribers)

    rows = await outbox_rows(database)
    assert [row["subscriber"] for row in rows] == ["all", "things", "exact"]
    for row in rows:
        assert row["event_id"] == str(envelope.id)
        assert (row["event_type"], row["case_key"], row["status"], row["attempts"]) == (
            "thing.happened",
            "case-1",
            "pending",
            0,
        )
        assert row["next_attempt_at"] == T0
        assert row["created_at"] == T0
        assert row["locked_until"] is None
    # The stored body is the envelope itself, byte for byte what will be signed and sent.
    assert EventEnvelope.model_validate_json(str(rows[0]["body"])) == envelope
    assert json.loads(str(rows[0]["body"]))["data"] == {"note": "接电"}
    assert envelope.type == "thing.happened"
    assert envelope.version == 1
    assert envelope.source == "tests"
    assert envelope.occurred_at == T0


async def test_publish_without_a_matching_subscriber_writes_nothing(database: Database) -> None:
    await publish_thing(database, case_key="case-1", subscribers=(_subscriber("others", "other.*"),))
    assert await outbox_rows(database) == []


async def test_a_rolled_back_transaction_leaves_no_outbox_row(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.sessionmaker() as session, session.begin():
            await publish(
                session,
                TABLES,
                ThingHappened(note="x"),
                case_key="case-1",
                source="tests",
                subscribers=(_subscriber("all", "*"),),
                now=T0,
            )
            # Visible inside the caller's transaction: publish only inserted, it did not commit.
            assert len((await session.execute(TABLES.outbox.select())).all()) == 1
            raise RuntimeError("the change the event describes failed")
    assert await outbox_rows(database) == []
