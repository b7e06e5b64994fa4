"""Document errors."""

from services.common.errors import NotFound, PayloadTooLarge, TooManyRequests, Unprocessable, UnsupportedMediaType


class FileTooLarge(PayloadTooLarge):
    slug, title = "file-too-large", "File too large"


class UnsupportedFile(UnsupportedMediaType):
    slug, title = "unsupported-file", "Unsupported file type"


class DocumentNotFound(NotFound):
    slug, title = "document-not-found", "Document not found"


class ValidityRequired(Unprocessable):
    slug, title = "validity-required", "Validity end date missing or past"


class UploadQuotaExceeded(TooManyRequests):
    slug, title = "upload-quota-exceeded", "Too many uploads today"
