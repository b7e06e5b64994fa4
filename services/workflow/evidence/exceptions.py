"""Evidence errors."""

from services.common.errors import NotFound, Unprocessable


class EvidenceNotFound(NotFound, slug="evidence-not-found", title="Evidence not found"): ...


class UnknownStep(Unprocessable, slug="unknown-step", title="Not a step of the job's process"): ...


class TakenAtOutOfRange(
    Unprocessable, slug="taken-at-out-of-range", title="taken_at is in the future or before the application"
): ...


class PositionIncomplete(Unprocessable, slug="position-incomplete", title="latitude and longitude go together"): ...
