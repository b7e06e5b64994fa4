"""Identity errors."""

from services.common.errors import Conflict, Unauthorized


class UsernameTaken(Conflict):
    slug, title = "username-taken", "Username taken"


class InvalidCredentials(Unauthorized):
    slug, title = "invalid-credentials", "Invalid credentials"
