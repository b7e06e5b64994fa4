"""Events between services: transactional outbox, signed HTTP relay, idempotent inbox."""

from services.common.events.envelope import EventEnvelope, EventPayload
from services.common.events.inbox import EventHandler, EventHandlers, apply_event
from services.common.events.outbox import PUBLISHED, Queued, publish, queue, topic_matches
from services.common.events.relay import Relay
from services.common.events.router import make_events_router
from services.common.events.signing import sign, verify
from services.common.events.tables import EventTables, define_event_tables, define_inbox_table

__all__ = [
    "PUBLISHED",
    "EventEnvelope",
    "EventHandler",
    "EventHandlers",
    "EventPayload",
    "EventTables",
    "Queued",
    "Relay",
    "apply_event",
    "define_event_tables",
    "define_inbox_table",
    "make_events_router",
    "publish",
    "queue",
    "sign",
    "topic_matches",
    "verify",
]
