"""Document errors."""

from services.common.errors import NotFound, TooManyRequests, Unprocessable
from services.common.files import FileTooLarge, UnsupportedFile

__all__ = [
    "DocumentNotFound",
    "FileTooLarge",
    "UnsupportedFile",
    "UploadQuotaExceeded",
    "ValidityRequired",
]


class DocumentNotFound(NotFound):
    slug, title = "document-not-found", "Document not found"


class ValidityRequired(Unprocessable):
    slug, title = "validity-required", "Validity end date missing or past"


class UploadQuotaExceeded(TooManyRequests):
    slug, title = "upload-quota-exceeded", "Too many uploads today"
