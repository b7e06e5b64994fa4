"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Self

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VAR_DIR = REPO_ROOT / "var"
# Only for a trial on one machine; production sets real secrets through the environment.
DEV_EVENTS_SECRET = "dev-events-secret-change-me"  # noqa: S105
# Where each service listens unless its *_PORT says otherwise; the others find it there too.
DEFAULT_PORTS = {"intake": 8001, "workflow": 8002, "metrics": 8003}
# Addresses a service may bind that no other service can connect to.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104 - compared against, never bound
JWKS_PATH = "/.well-known/jwks.json"
EVENTS_PATH = "/internal/events"


class Subscriber(BaseModel):
    """A service that receives this service's events."""

    name: str
    url: str
    secret: str
    topics: tuple[str, ...] = ("*",)


class Peer(BaseSettings):
    """How the other services reach one service, read from that service's own variables (INTAKE_PORT, …).

    Moving a service to another port is one setting: the key-set URL and the subscriber lists of the others
    follow from it. `*_ADVERTISED_HOST` names the host the others connect to when it is not the one the
    service binds (a container's name beside `*_HOST=0.0.0.0`).
    """

    model_config = SettingsConfigDict(extra="ignore")

    host: str = "127.0.0.1"
    port: int | None = Field(default=None, ge=1, le=65535)
    advertised_host: str | None = None
    events_secret: str = DEV_EVENTS_SECRET

    @classmethod
    def of(cls, service: str) -> Peer:
        """A service's address and events secret, as its environment variables set them."""
        return cls(_env_prefix=f"{service.upper()}_")

    def url(self, service: str) -> str:
        """The base URL the others reach the service at."""
        host = self.advertised_host or ("127.0.0.1" if self.host in WILDCARD_HOSTS else self.host)
        return f"http://{host}:{self.port or DEFAULT_PORTS[service]}"


def peer_url(service: str) -> str:
    """The base URL of a service of this platform, as the others reach it."""
    return Peer.of(service).url(service)


class ServiceSettings(BaseSettings):
    """What every service needs: a database, token verification, event delivery."""

    model_config = SettingsConfigDict(extra="ignore", env_nested_delimiter="__")

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    database_url: str = ""
    var_dir: Path = DEFAULT_VAR_DIR
    jwt_issuer: str = "zerovisit-intake"
    jwt_audience: str = "zerovisit"
    jwks_url: str | None = None
    jwks_file: Path | None = None
    jwks_cache_seconds: int = Field(default=300, ge=1)
    events_secret: str = DEV_EVENTS_SECRET
    events_tolerance_seconds: int = Field(default=300, ge=1)
    subscribers: list[Subscriber] = Field(default_factory=list)
    relay_enabled: bool = True
    relay_interval_seconds: float = Field(default=0.2, gt=0)
    relay_batch_size: int = Field(default=100, ge=1)
    # Deliveries in flight at once per subscriber, each for a different case (a case's events go one by one).
    relay_concurrency: int = Field(default=8, ge=1, le=256)
    relay_max_attempts: int = Field(default=12, ge=1)
    relay_backoff_base_seconds: float = Field(default=0.5, gt=0)
    relay_backoff_max_seconds: float = Field(default=300, gt=0)
    log_json: bool = False
    # How long the answer to a request with an Idempotency-Key is kept for replay.
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    # How stale a running app's calendar may be after a year is loaded: the database is asked whether a
    # year was stored at most this often (0: on every request that needs the calendar).
    calendar_reload_seconds: float = Field(default=60, ge=0)

    # The default subscriber list: (service, topics) for each service that receives this one's events.
    routes: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()
    # Whether tokens are verified with intake's published key set (by default at intake's address).
    verifies_with_intake_keys: ClassVar[bool] = False

    @model_validator(mode="after")
    def _follow_the_topology(self) -> Self:
        """Unless set explicitly, the key-set URL and subscribers follow the other services' ports."""
        if self.verifies_with_intake_keys and "jwks_url" not in self.model_fields_set and self.jwks_file is None:
            self.jwks_url = peer_url("intake") + JWKS_PATH
        if "subscribers" not in self.model_fields_set:
            self.subscribers = [self._subscriber(name, topics) for name, topics in self.routes]
        return self

    @staticmethod
    def _subscriber(name: str, topics: tuple[str, ...]) -> Subscriber:
        peer = Peer.of(name)
        return Subscriber(name=name, url=peer.url(name) + EVENTS_PATH, secret=peer.events_secret, topics=topics)

    def refuse_development_secrets(self) -> None:
        """Refuse to listen beyond this machine with the development events secret (forged events)."""
        loopback = self.host in ("127.0.0.1", "localhost", "::1")
        shared = self.events_secret == DEV_EVENTS_SECRET or any(s.secret == DEV_EVENTS_SECRET for s in self.subscribers)
        if shared and not loopback:
            raise ValueError(
                f"{self.service_name}: listening on {self.host} needs real event secrets; "
                "set the *_EVENTS_SECRET and *_SUBSCRIBERS settings"
            )

    def resolved_database_url(self) -> str:
        """The configured URL, or an SQLite file under var/ named after the service."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.var_dir / f'{self.service_name}.db'}"
