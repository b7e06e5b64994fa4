"""Password hashing (argon2id) and the strength every new password must have (zxcvbn)."""

from __future__ import annotations

import functools

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# zxcvbn's scale: 0 and 1 fall to an online guesser within 10^6 tries; 2 holds out past 10^6.
MIN_SCORE = 2

_hasher = PasswordHasher()
ZXCVBN_MAX_LENGTH = 72


@functools.cache
def _dummy_hash() -> str:
    # Verifying against this when the username is unknown keeps the answer time the same either way.
    return _hasher.hash("not-a-real-password")


async def hash_password(password: str) -> str:
    """An argon2id hash, computed off the event loop."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify(password_hash: str | None, password: str) -> bool:
    """Whether a password matches a hash; with no hash it spends as long and answers False."""

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


def weakness(password: str, *, username: str, name: str = "") -> str | None:
    """Why a password is too weak for an account, or None when it will do.

    A password that contains the username, or that zxcvbn (common passwords, keyboard walks, dates, the
    account's own words) scores below MIN_SCORE, is refused.
    """
    from zxcvbn import zxcvbn  # its word lists take a moment to load: only when a password is set

    folded = password.casefold()
    if username and username.casefold() in folded:
        return "The password must not contain the username."
    # zxcvbn refuses to judge more than 72 characters (a ValueError); the first 72 are judged, and what
    # follows them can only make the password harder to guess.
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[username, *name.split()])
    if int(result["score"]) < MIN_SCORE:
        warning = str(result.get("feedback", {}).get("warning") or "It is too easy to guess.")
        return f"The password is too weak: {warning.rstrip('.')}."
    return None
