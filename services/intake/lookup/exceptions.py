"""Lookup errors."""

from services.common.errors import NotFound, TooManyRequests


class CaseNotFound(NotFound):
    # One answer for an unknown number and a wrong phone: the lookup tells a guesser nothing.
    slug, title = "case-not-found", "No case with this number and phone"


class TooManyLookups(TooManyRequests):
    slug, title = "too-many-lookups", "Too many failed lookups"
