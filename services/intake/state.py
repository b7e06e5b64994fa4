"""What intake's lifespan adds to the common state: its signing key and its throttles, typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.common.state import settings_of
from services.intake.identity.keys import SigningKey
from services.intake.identity.throttle import LoginThrottle
from services.intake.settings import IntakeSettings


@dataclass
class IntakeState:
    """Intake's own parts; the signing key once the lifespan has loaded it."""

    login_throttle: LoginThrottle
    lookup_throttle: LoginThrottle
    signing_key: SigningKey | None = None

    @classmethod
    def for_settings(cls, settings: IntakeSettings) -> IntakeState:
        """The throttles the settings ask for."""
        return cls(
            login_throttle=LoginThrottle(
                settings.login_max_failures,
                settings.login_lockout_seconds,
                max_failures_per_username=settings.login_max_failures_per_username,
                max_failures_per_client=settings.login_max_failures_per_client,
            ),
            lookup_throttle=LoginThrottle(
                settings.public_lookup_max_failures,
                settings.public_lookup_window_seconds,
                # Every lookup counts under one name: the per-client limit applies.
                max_failures_per_username=2**31,
                max_failures_per_client=settings.public_lookup_max_failures,
            ),
        )


def intake_state(request: Request) -> IntakeState:
    """Intake's own parts of the app serving a request."""
    state: IntakeState = request.app.state.intake
    return state


async def _login_throttle(request: Request) -> LoginThrottle:
    return intake_state(request).login_throttle


async def _lookup_throttle(request: Request) -> LoginThrottle:
    return intake_state(request).lookup_throttle


async def _signing_key(request: Request) -> SigningKey:
    key = intake_state(request).signing_key
    if key is None:
        raise RuntimeError("intake is not started: its signing key is not loaded")
    return key


Settings = Annotated[IntakeSettings, Depends(settings_of(IntakeSettings))]
LoginThrottleDep = Annotated[LoginThrottle, Depends(_login_throttle)]
LookupThrottle = Annotated[LoginThrottle, Depends(_lookup_throttle)]
CurrentSigningKey = Annotated[SigningKey, Depends(_signing_key)]
