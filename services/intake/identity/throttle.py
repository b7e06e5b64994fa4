"""Failed sign-ins counted per username and client together, per username and per client, in this process."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field

from services.common.errors import TooManyRequests


def username_key(username: str) -> str:
    """A fixed-size key for a username (as sign-in normalises it): a megabyte of username costs 32 bytes here."""
    return hashlib.blake2b(username.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass
class LoginThrottle:
    """Locks out guessing without letting one client lock out everyone else.

    Three counters: one username from one client (the tight limit: someone mistyping, or guessing one
    account); one username from anywhere (guessing spread over many addresses, looser); one client across
    usernames (spraying from one address, loosest, so that an office behind one address is not locked out by
    one person's typos). An attempt is counted when it starts, in the same step as the check, so attempts
    sent at once cannot all pass the check before any is counted; a good password takes its count back.
    """

    max_failures: int
    lockout_seconds: float
    max_failures_per_username: int = 20
    max_failures_per_client: int = 100
    max_keys: int = 100_000
    _failures: dict[str, list[float]] = field(default_factory=dict)

    def begin(self, username: str, client: str) -> tuple[Attempt | None, float]:
        """Start an attempt: (the attempt, 0), or (None, seconds to wait) while any of its counters is locked."""
        now = time.monotonic()
        limits = self._limits(username, client)
        wait = max((self._wait(key, limit, now) for key, limit in limits), default=0.0)
        if wait > 0:
            return None, wait
        for key, limit in limits:
            times = self._failures.setdefault(key, [])
            times.append(now)
            del times[:-limit]  # the oldest failures past the limit can no longer lock anything
        if len(self._failures) > self.max_keys:
            self._forget_least_failed(now)
        return Attempt(tuple(key for key, _ in limits), now), 0.0

    def admit(self, username: str, client: str, *, refused: type[TooManyRequests], detail: str) -> Attempt:
        """Start an attempt, or refuse it as `refused`, with a Retry-After, while any of its counters is locked."""
        attempt, wait = self.begin(username, client)
        if attempt is None:
            raise refused(detail, headers={"Retry-After": str(math.ceil(wait))})
        return attempt

    def succeeded(self, attempt: Attempt) -> None:
        """Take back a good sign-in's count, and forget what this client got wrong for this username."""
        pair, *others = attempt.keys
        self._failures.pop(pair, None)
        for key in others:
            times = self._failures.get(key)
            if times and attempt.started in times:
                times.remove(attempt.started)

    def _limits(self, username: str, client: str) -> list[tuple[str, int]]:
        user = username_key(username)
        return [
            (f"pair:{user}:{client}", self.max_failures),
            (f"user:{user}", self.max_failures_per_username),
            (f"client:{client}", self.max_failures_per_client),
        ]

    def _wait(self, key: str, limit: int, now: float) -> float:
        recent = self._recent(key, now)
        if len(recent) < limit:
            return 0.0
        return self.lockout_seconds - (now - recent[-limit])

    def _recent(self, key: str, now: float) -> list[float]:
        # Only keys with failures still in the window are kept: asking about a key never adds it.
        recent = [t for t in self._failures.get(key, ()) if now - t < self.lockout_seconds]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def _forget_least_failed(self, now: float) -> None:
        # Memory stays bounded under a spray of usernames, but the keys with the most recent failures, the
        # lockouts in force first, are the last to be forgotten: overflowing the table lifts no lockout.
        live = {key: [t for t in times if now - t < self.lockout_seconds] for key, times in self._failures.items()}
        ranked = sorted(((key, times) for key, times in live.items() if times), key=lambda item: -len(item[1]))
        self._failures = dict(ranked[: self.max_keys // 2])


@dataclass(frozen=True)
class Attempt:
    """A sign-in under way: the counters it was counted in, and when."""

    keys: tuple[str, ...]
    started: float
