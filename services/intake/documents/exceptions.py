"""Document errors."""

from pydantic import Field

from services.common.errors import (
    NotFound,
    PayloadTooLarge,
    Problem,
    TooManyRequests,
    Unprocessable,
    UnsupportedMediaType,
    ValidationProblem,
)


class FileTooLargeProblem(Problem):
    """A file over the upload limit."""

    limit_bytes: int = Field(description="The largest file accepted, in bytes.", examples=[10485760])


class ValidityRequiredProblem(ValidationProblem):
    """A document whose validity end date is missing or already past."""

    field: str = Field(description="The form field to correct.", examples=["valid_until"])


class FileTooLarge(PayloadTooLarge):
    slug, title = "file-too-large", "File too large"
    schema = FileTooLargeProblem


class UnsupportedFile(UnsupportedMediaType):
    slug, title = "unsupported-file", "Unsupported file type"


class DocumentNotFound(NotFound):
    slug, title = "document-not-found", "Document not found"


class ValidityRequired(Unprocessable):
    slug, title = "validity-required", "Validity end date missing or past"
    schema = ValidityRequiredProblem


class UploadQuotaExceeded(TooManyRequests):
    slug, title = "upload-quota-exceeded", "Too many uploads today"
