"""Document errors."""

from pydantic import Field

from services.common.errors import NotFound, TooManyRequests, Unprocessable, ValidationProblem
from services.common.files import FileTooLarge, UnsupportedFile

__all__ = [
    "DocumentNotFound",
    "FileTooLarge",
    "UnsupportedFile",
    "UploadQuotaExceeded",
    "ValidityRequired",
]


class ValidityRequiredProblem(ValidationProblem):
    """A document whose validity end date is missing or already past."""

    field: str = Field(description="The form field to correct.", examples=["valid_until"])


class DocumentNotFound(NotFound, slug="document-not-found", title="Document not found"): ...


class ValidityRequired(
    Unprocessable, slug="validity-required", title="Validity end date missing or past", schema=ValidityRequiredProblem
): ...


class UploadQuotaExceeded(TooManyRequests, slug="upload-quota-exceeded", title="Too many uploads today"): ...
