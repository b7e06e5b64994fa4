"""Import errors."""

from services.common.errors import Conflict, PayloadTooLarge, Unprocessable


class BadRows(Unprocessable):
    slug, title = "bad-import-rows", "Some rows cannot be imported"


class TooManyRows(PayloadTooLarge):
    slug, title = "too-many-rows", "Too many rows in one batch"


class ImportRace(Conflict):
    slug, title = "import-race", "Another import of the same cases is running"
