"""Calendar errors."""

from services.common.errors import Unprocessable


class DateOutOfRange(Unprocessable, slug="date-out-of-range", title="Date out of range"): ...
