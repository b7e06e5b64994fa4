"""What an app's lifespan builds, as one typed object reached through `Annotated` dependencies."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import httpx
from fastapi import Depends, Request
from sqlalchemy import Table

from services.common.auth import TokenVerifier
from services.common.calendar import LiveCalendar
from services.common.clock import Clock
from services.common.db import Database
from services.common.events.relay import Relay
from services.common.events.tables import EventTables
from services.common.idempotency import Idempotency
from services.common.rules import RuleBook
from services.common.settings import ServiceSettings


@dataclass
class ServiceState:
    """The settings, clock, rules, calendar and outbox of one app; the database and client once started."""

    settings: ServiceSettings
    clock: Clock
    rules: RuleBook
    event_tables: EventTables | None = None
    inbox: Table | None = None
    calendar: LiveCalendar | None = None
    idempotency: Idempotency | None = None
    # The relay running in this process, once started: woken after a write that published events.
    relay: Relay | None = None
    verifier: TokenVerifier | None = None
    _database: Database | None = field(default=None, repr=False)
    _http: httpx.AsyncClient | None = field(default=None, repr=False)

    @property
    def database(self) -> Database:
        """The app's database; only while its lifespan runs."""
        if self._database is None:
            raise RuntimeError(f"{self.settings.service_name} is not started")
        return self._database

    @property
    def http(self) -> httpx.AsyncClient:
        """The app's HTTP client; only while its lifespan runs."""
        if self._http is None:
            raise RuntimeError(f"{self.settings.service_name} is not started")
        return self._http

    @property
    def live_calendar(self) -> LiveCalendar:
        """The app's calendar; every service has one."""
        if self.calendar is None:
            raise RuntimeError(f"{self.settings.service_name} keeps no calendar")
        return self.calendar


def service_state(request: Request) -> ServiceState:
    """The typed state of the app serving a request."""
    state: ServiceState = request.app.state.service
    return state


async def _state(request: Request) -> ServiceState:
    # async although it awaits nothing: FastAPI runs a plain `def` dependency in a worker thread.
    return service_state(request)


State = Annotated[ServiceState, Depends(_state)]


async def _rules(request: Request) -> RuleBook:
    return service_state(request).rules


CurrentRules = Annotated[RuleBook, Depends(_rules)]

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def settings_of(kind: type[SettingsT]) -> Callable[[Request], Coroutine[Any, Any, SettingsT]]:
    """A dependency giving the app's settings as the service's own settings class."""

    async def _settings(request: Request) -> SettingsT:
        settings = service_state(request).settings
        if not isinstance(settings, kind):
            raise TypeError(f"{settings.service_name} is not configured with {kind.__name__}")
        return settings

    return _settings
