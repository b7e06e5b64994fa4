"""Intake's events as workflow reads them: its own models of the fields it needs, nothing more."""

from __future__ import annotations

from typing import TypeVar

from pydantic import AwareDatetime, BaseModel, ValidationError

from services.common.errors import Unprocessable
from services.common.events import EventEnvelope

Payload = TypeVar("Payload", bound=BaseModel)
SUPPORTED_VERSION = 1


class SubmittedCase(BaseModel):
    """From application.submitted: the case as intake placed it, and the rule set it is judged by."""

    application_id: str
    category: str
    grid_company: str
    region: str
    rule_set: str
    important_customer: bool = False
    submitted_at: AwareDatetime


class WithdrawnCase(BaseModel):
    """From application.withdrawn: which application, and when."""

    application_id: str
    withdrawn_at: AwareDatetime


def parse(model: type[Payload], envelope: EventEnvelope) -> Payload:
    """The fields of an envelope's data that a model names; 422 for another version or bad data."""
    if envelope.version != SUPPORTED_VERSION:
        raise Unprocessable(f"{envelope.type} v{envelope.version} is not understood; v{SUPPORTED_VERSION} is.")
    try:
        return model.model_validate(envelope.data)
    except ValidationError as exc:
        raise Unprocessable(f"The {envelope.type} payload is not valid: {exc.error_count()} errors.") from exc
