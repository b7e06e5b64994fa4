"""Events between services: transactional outbox, signed HTTP relay, idempotent inbox."""

from services.common.events.envelope import EventEnvelope, EventPayload
from services.common.events.inbox import EventHandler, EventHandlers, apply_event, make_events_router
from services.common.events.outbox import publish, topic_matches
from services.common.events.relay import Relay
from services.common.events.signing import sign, verify
from services.common.events.tables import EventTables, define_event_tables

__all__ = [
    "EventEnvelope",
    "EventHandler",
    "EventHandlers",
    "EventPayload",
    "EventTables",
    "Relay",
    "apply_event",
    "define_event_tables",
    "make_events_router",
    "publish",
    "sign",
    "topic_matches",
    "verify",
]
