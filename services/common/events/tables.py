"""The outbox and inbox tables, as SQLAlchemy Core tables on a service's metadata.

Each service's alembic migration creates them with ``op.create_table`` mirroring these columns
(``DateTime`` below means ``sa.DateTime(timezone=True)``; no server defaults, every value is written):

outbox_message
    seq              BigInteger (Integer on SQLite), primary key, autoincrement
    event_id         String(36), not null
    subscriber       String(64), not null
    event_type       String(128), not null
    case_key         String(128), not null
    body             Text, not null (the exact JSON that is POSTed and signed)
    status           String(16), not null; check ck_outbox_message_status:
                     status IN ('pending', 'delivered', 'parked')
    attempts         Integer, not null
    next_attempt_at  DateTime, not null
    locked_until     DateTime, null
    claim_token      String(36), null
    last_error       Text, null
    created_at       DateTime, not null
    delivered_at     DateTime, null
    unique uq_outbox_message_event_id (event_id, subscriber)
    index ix_outbox_message_subscriber_status_seq (subscriber, status, seq)
    index ix_outbox_message_subscriber_case_key_seq (subscriber, case_key, seq)

inbox_event (the only one of the two in a service that publishes nothing)
    event_id         String(36), primary key (pk_inbox_event)
    event_type       String(128), not null
    source           String(64), not null
    received_at      DateTime, not null
    index ix_inbox_event_received_at (received_at), for pruning
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from services.common.db import UtcDateTime

PENDING, DELIVERED, PARKED = "pending", "delivered", "parked"


@dataclass(frozen=True)
class EventTables:
    """The outbox and inbox of one service's database."""

    outbox: Table
    inbox: Table


def define_inbox_table(metadata: MetaData) -> Table:
    """Add inbox_event to a service's metadata: the ids of the events it has applied."""
    return Table(
        "inbox_event",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(128), nullable=False),
        Column("source", String(64), nullable=False),
        Column("received_at", UtcDateTime, nullable=False, index=True),
    )


def define_event_tables(metadata: MetaData) -> EventTables:
    """Add outbox_message and inbox_event to the metadata of a service that publishes events."""
    outbox = Table(
        "outbox_message",
        metadata,
        # SQLite only autoincrements an INTEGER PRIMARY KEY, never a BIGINT one.
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False),
        Column("subscriber", String(64), nullable=False),
        Column("event_type", String(128), nullable=False),
        Column("case_key", String(128), nullable=False),
        Column("body", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", UtcDateTime, nullable=False),
        Column("locked_until", UtcDateTime, nullable=True),
        Column("claim_token", String(36), nullable=True),
        Column("last_error", Text, nullable=True),
        Column("created_at", UtcDateTime, nullable=False),
        Column("delivered_at", UtcDateTime, nullable=True),
        CheckConstraint(f"status IN ('{PENDING}', '{DELIVERED}', '{PARKED}')", name="status"),
        UniqueConstraint("event_id", "subscriber"),
        # Named explicitly: the ix_ convention names an index after its first column only, and both start
        # with subscriber.
        Index("ix_outbox_message_subscriber_status_seq", "subscriber", "status", "seq"),
        Index("ix_outbox_message_subscriber_case_key_seq", "subscriber", "case_key", "seq"),
    )
    return EventTables(outbox=outbox, inbox=define_inbox_table(metadata))
