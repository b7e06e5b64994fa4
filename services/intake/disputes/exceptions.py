"""Dispute errors."""

from services.common.errors import Conflict, Unprocessable


class RecordNotOnCase(Unprocessable):
    slug, title = "record-not-on-case", "No such visit or fee on this case"


class DisputeExists(Conflict):
    slug, title = "dispute-exists", "This record is already disputed"
