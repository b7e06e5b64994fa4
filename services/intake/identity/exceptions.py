"""Identity errors."""

from services.common.errors import Conflict, NotFound, TooManyRequests, Unauthorized, Unprocessable


class UsernameTaken(Conflict):
    slug, title = "username-taken", "Username taken"


class InvalidCredentials(Unauthorized):
    slug, title = "invalid-credentials", "Invalid credentials"


class WeakPassword(Unprocessable):
    slug, title = "weak-password", "Password too weak"


class RegistrationQuotaExceeded(TooManyRequests):
    slug, title = "registration-quota-exceeded", "Too many registrations"


class AccountDeactivated(Unauthorized):
    slug, title = "account-deactivated", "Account deactivated"


class AccountNotFound(NotFound):
    # A token can outlive its account: the account may have been removed since the token was issued.
    slug, title = "account-not-found", "Account not found"
