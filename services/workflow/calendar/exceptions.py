"""Calendar errors."""

from services.common.errors import Unprocessable


class DateOutOfRange(Unprocessable):
    slug, title = "date-out-of-range", "Date out of range"
