"""Events between services: transactional outbox, signed HTTP relay, idempotent inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.common.lazy import lazy_exports

if TYPE_CHECKING:
    from services.common.events.envelope import EventEnvelope, EventPayload
    from services.common.events.inbox import EventHandler, EventHandlers, apply_event
    from services.common.events.outbox import PUBLISHED, Queued, publish, queue, topic_matches
    from services.common.events.relay import Relay
    from services.common.events.router import make_events_router
    from services.common.events.signing import sign, verify
    from services.common.events.tables import EventTables, define_event_tables, define_inbox_table

# Each name's module, imported on first use: a model module needs only the tables, and the command line
# starts faster without the web framework and HTTP client that the inbox and relay bring in.
_HOMES = {
    "EventEnvelope": "envelope",
    "EventPayload": "envelope",
    "EventHandler": "inbox",
    "EventHandlers": "inbox",
    "apply_event": "inbox",
    "make_events_router": "router",
    "PUBLISHED": "outbox",
    "Queued": "outbox",
    "publish": "outbox",
    "queue": "outbox",
    "topic_matches": "outbox",
    "Relay": "relay",
    "sign": "signing",
    "verify": "signing",
    "EventTables": "tables",
    "define_event_tables": "tables",
    "define_inbox_table": "tables",
}

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


__getattr__ = lazy_exports(__name__, _HOMES)
