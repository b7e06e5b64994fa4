"""The envelope every event travels in, and the base class of event payloads."""

from __future__ import annotations

from typing import Any, ClassVar, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from services.common.errors import Unprocessable


class EventEnvelope(BaseModel):
    """One event as published and as received: metadata plus the payload's JSON."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    type: str
    version: int
    occurred_at: AwareDatetime
    case_key: str
    source: str
    data: dict[str, Any]


class EventPayload(BaseModel):
    """Base of the versioned payload models a publisher declares in its events.py.

    Declared once, by the publisher; receivers import the model by name. Fields a newer publisher adds
    are ignored by an older receiver, so adding a field never breaks a subscriber.
    """

    model_config = ConfigDict(extra="ignore")

    event_type: ClassVar[str]
    version: ClassVar[int] = 1

    def __init_subclass__(cls, *, event_type: str | None = None, version: int | None = None, **kwargs: Any) -> None:
        # An event is declared in its class statement: `class JobPaused(JobEvent, event_type="job.paused")`.
        super().__init_subclass__(**kwargs)
        if event_type is not None:
            cls.event_type = event_type
        if version is not None:
            cls.version = version

    @classmethod
    def from_envelope(cls, envelope: EventEnvelope) -> Self:
        """The payload of an envelope of this type, validated; 422 for a type or version mismatch."""
        if envelope.type != cls.event_type or envelope.version != cls.version:
            raise Unprocessable(f"Expected {cls.event_type} v{cls.version}, got {envelope.type} v{envelope.version}.")
        try:
            return cls.model_validate(envelope.data)
        except ValidationError as exc:
            raise Unprocessable(f"{envelope.type} does not match its contract: {exc.error_count()} errors.") from exc
