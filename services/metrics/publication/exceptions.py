"""Publication errors."""

from services.common.errors import Conflict


class PublicationsCrossed(Conflict, slug="publications-crossed", title="Publications crossed"):
    """More publications of one half-year came in at once than a publication gives way to: publish it again."""
