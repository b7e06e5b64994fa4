"""Evidence as the field app reads it back."""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from services.common.rules.models import EvidenceKind


class EvidenceRead(BaseModel):
    """A file from the site; its content is at `/api/v1/jobs/{id}/evidence/{evidence_id}/content`."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    # Read from a stored row, where the step is its step_code.
    step: str = Field(
        validation_alias=AliasChoices("step", "step_code"),
        description="The step of the job's process the evidence is for.",
    )
    kind: EvidenceKind
    sha256: str = Field(description="SHA-256 of the file, as recorded in the job's audit chain.")
    media_type: str
    size: int
    latitude: float | None
    longitude: float | None
    taken_at: datetime | None = Field(description="When the device says it was taken (never after the upload).")
    uploaded_at: datetime
    uploaded_by: str
