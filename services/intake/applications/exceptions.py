"""Application errors."""

from services.common.errors import Conflict, NotFound, Unprocessable


class ApplicationNotFound(NotFound):
    slug, title = "application-not-found", "Application not found"


class IncompleteApplication(Unprocessable):
    slug, title = "incomplete-application", "Documents missing"


class UnknownRegion(Unprocessable):
    slug, title = "unknown-region", "Region not served"


class UnknownDocuments(Unprocessable):
    slug, title = "unknown-documents", "Unknown documents"


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", "Not possible in the application's state"
