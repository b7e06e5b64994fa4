"""Dispute errors."""

from services.common.errors import Conflict, Unprocessable


class RecordNotOnCase(Unprocessable, slug="record-not-on-case", title="No such visit or fee on this case"): ...


class DisputeExists(Conflict, slug="dispute-exists", title="This record is already disputed"): ...
