"""Identity errors."""

from services.common.errors import Conflict, NotFound, TooManyRequests, Unauthorized, Unprocessable


class UsernameTaken(Conflict, slug="username-taken", title="Username taken"): ...


class InvalidCredentials(Unauthorized, slug="invalid-credentials", title="Invalid credentials"): ...


class WeakPassword(Unprocessable, slug="weak-password", title="Password too weak"): ...


class RegistrationQuotaExceeded(
    TooManyRequests, slug="registration-quota-exceeded", title="Too many registrations"
): ...


class AccountDeactivated(Unauthorized, slug="account-deactivated", title="Account deactivated"): ...


# A token can outlive its account: the account may have been removed since the token was issued.
class AccountNotFound(NotFound, slug="account-not-found", title="Account not found"): ...
