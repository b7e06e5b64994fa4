"""Lookup errors."""

from services.common.errors import NotFound, TooManyRequests


# One answer for an unknown number and a wrong phone: the lookup tells a guesser nothing.
class CaseNotFound(NotFound, slug="case-not-found", title="No case with this number and phone"): ...


class TooManyLookups(TooManyRequests, slug="too-many-lookups", title="Too many failed lookups"): ...
