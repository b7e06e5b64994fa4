"""Evidence errors."""

from services.common.errors import NotFound, Unprocessable


class EvidenceNotFound(NotFound):
    slug, title = "evidence-not-found", "Evidence not found"


class UnknownStep(Unprocessable):
    slug, title = "unknown-step", "Not a step of the job's process"


class TakenAtOutOfRange(Unprocessable):
    slug, title = "taken-at-out-of-range", "taken_at is in the future or before the application"


class PositionIncomplete(Unprocessable):
    slug, title = "position-incomplete", "latitude and longitude go together"
