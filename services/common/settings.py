"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.paths import DEFAULT_VAR_DIR as DEFAULT_VAR_DIR
from services.common.paths import REPO_ROOT as REPO_ROOT

# Only for a trial on one machine; production sets real secrets through the environment.
DEV_EVENTS_SECRET = "dev-events-secret-change-me"  # noqa: S105
# Where each service listens unless its *_PORT says otherwise; the others find it there too.
DEFAULT_PORTS = {"intake": 8001, "workflow": 8002, "metrics": 8003}
# Addresses a service may bind that no other service can connect to.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104 - compared against, never bound
JWKS_PATH = "/.well-known/jwks.json"
EVENTS_PATH = "/internal/events"
# The shortest events secret accepted beyond loopback: 32 bytes, the size of the HMAC-SHA256 key it becomes.
MIN_EVENTS_SECRET_BYTES = 32
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# How much longer than a publisher's longest series of retries inbox rows are kept, at the least.
RETENTION_MARGIN = 10
# Who delivers which events to whom: (publisher, receiver, topics). A receiver accepts from a publisher
# only these topics, checked with the publisher's own events secret.
# Metrics takes pseudonymous case data only: it is named the events it gets, so a case's personal details
# (application.case_shared) go to workflow alone.
EVENT_ROUTES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # Account data is personal: the staff directory goes to workflow, which assigns jobs, and nowhere else.
    ("intake", "workflow", ("application.*", "account.*")),
    (
        "intake",
        "metrics",
        (
            "application.submitted",
            "application.withdrawn",
            "application.evaluated",
            "application.disputed",
            "application.contract_signed",
        ),
    ),
    ("workflow", "intake", ("job.*", "calendar.*")),
    ("workflow", "metrics", ("job.*", "calendar.*")),
)


class Subscriber(BaseModel):
    """A service that receives this service's events."""

    name: str
    url: str
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
    # The secret this service signs the events it publishes with; each receiver knows it as this service's.
    events_secret: str = DEV_EVENTS_SECRET
    # The services this one accepts events from, each with the secret it signs with (by default that
    # service's own *_EVENTS_SECRET; set one with *_EVENTS_SOURCES__<NAME>=...), and the event types each
    # may send (by default as EVENT_ROUTES says).
    events_sources: dict[str, str] = Field(default_factory=dict)
    events_topics: dict[str, list[str]] = Field(default_factory=dict)
    events_tolerance_seconds: int = Field(default=300, ge=1)
    # Delivered outbox rows and inbox rows are deleted after this many days. An inbox row is what makes a
    # redelivery a duplicate, so this must stay far above the longest a publisher retries one event
    # (with the relay defaults, under two hours): see "Events" in the README.
    events_retention_days: int = Field(default=14, ge=1)
    events_prune_interval_seconds: float = Field(default=300, gt=0)
    events_prune_batch_size: int = Field(default=500, ge=1)
    subscribers: list[Subscriber] = Field(default_factory=list)
    relay_enabled: bool = True
    relay_interval_seconds: float = Field(default=0.2, gt=0)
    relay_batch_size: int = Field(default=100, ge=1)
    # Deliveries in flight at once per subscriber, each for a different case (a case's events go one by one).
    relay_concurrency: int = Field(default=8, ge=1, le=256)
    # Events sent to a subscriber in one signed request (1: each event on its own, to /internal/events).
    relay_events_per_request: int = Field(default=50, ge=1, le=500)
    relay_max_attempts: int = Field(default=12, ge=1)
    relay_backoff_base_seconds: float = Field(default=0.5, gt=0)
    relay_backoff_max_seconds: float = Field(default=300, gt=0)
    log_json: bool = False
    # How long the answer to a request with an Idempotency-Key is kept for replay.
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    # How stale a running app's calendar may be after a year is loaded: the database is asked whether a
    # year was stored at most this often (0: on every request that needs the calendar).
    calendar_reload_seconds: float = Field(default=60, ge=0)

    # Reverse proxies whose X-Forwarded-For names the client (comma-separated addresses or networks, or *).
    # None by default: the address a request came from is the client, whoever sends the header.
    trusted_proxies: str = ""
    # The bearer token Prometheus sends to scrape /metrics; while it is unset, /metrics is not served at all.
    metrics_token: str = ""

    # Whether tokens are verified with intake's published key set (by default at intake's address).
    verifies_with_intake_keys: ClassVar[bool] = False

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """A plain URL, as most tools write it, means the async driver: asyncpg for `postgresql://` (or
        `postgres://`), aiosqlite for `sqlite://`."""
        for plain, driver in (("postgresql://", "postgresql+asyncpg://"), ("postgres://", "postgresql+asyncpg://"),
                              ("sqlite://", "sqlite+aiosqlite://")):  # fmt: skip
            if url.startswith(plain):
                return driver + url.removeprefix(plain)
        return url

    @model_validator(mode="after")
    def _follow_the_topology(self) -> Self:
        """Unless set explicitly, the key-set URL and subscribers follow the other services' ports."""
        if self.verifies_with_intake_keys and "jwks_url" not in self.model_fields_set and self.jwks_file is None:
            self.jwks_url = peer_url("intake") + JWKS_PATH
        if "subscribers" not in self.model_fields_set:
            self.subscribers = [
                Subscriber(name=receiver, url=peer_url(receiver) + EVENTS_PATH, topics=topics)
                for publisher, receiver, topics in EVENT_ROUTES
                if publisher == self.service_name
            ]
        sources = [(publisher, topics) for publisher, receiver, topics in EVENT_ROUTES if receiver == self.service_name]
        if "events_sources" not in self.model_fields_set:
            self.events_sources = {publisher: Peer.of(publisher).events_secret for publisher, _ in sources}
        if "events_topics" not in self.model_fields_set:
            self.events_topics = {publisher: list(topics) for publisher, topics in sources}
        return self

    @model_validator(mode="after")
    def _inbox_rows_outlive_redeliveries(self) -> Self:
        # An inbox row pruned while its event may still come again would let that event apply twice.
        longest_retries = self.relay_max_attempts * self.relay_backoff_max_seconds
        if self.events_retention_days * 86400 < RETENTION_MARGIN * longest_retries:
            raise ValueError(
                f"events_retention_days ({self.events_retention_days}) must be at least {RETENTION_MARGIN} times "
                f"the longest series of relay retries ({longest_retries:.0f} s)"
            )
        return self

    def refuse_development_secrets(self, *, listening: bool = True) -> None:
        """Refuse a guessable events secret wherever events cross the network (forged events).

        Listening beyond loopback, the secret of each service it accepts events from counts, and so does
        the one it signs with when it has subscribers; delivering to a subscriber beyond loopback (a relay
        process, which does not listen), the one it signs with. Each must be at least 32 bytes and not the
        development value.
        """
        exposed = listening and self.host not in LOOPBACK_HOSTS
        in_use: dict[str, str] = {}
        if exposed:
            in_use |= {
                f"{name} (*_EVENTS_SOURCES__{name.upper()})": secret for name, secret in self.events_sources.items()
            }
        if self.subscribers and (
            exposed or any(urlsplit(s.url).hostname not in LOOPBACK_HOSTS for s in self.subscribers)
        ):
            in_use[f"{self.service_name} (*_EVENTS_SECRET)"] = self.events_secret
        weak = [
            owner
            for owner, secret in in_use.items()
            if secret == DEV_EVENTS_SECRET or len(secret.encode("utf-8")) < MIN_EVENTS_SECRET_BYTES
        ]
        if weak:
            raise ValueError(
                f"{self.service_name}: events beyond this machine need real event secrets of at least "
                f"{MIN_EVENTS_SECRET_BYTES} bytes; weak or missing: {', '.join(sorted(weak))}"
            )

    def resolved_database_url(self) -> str:
        """The configured URL, or an SQLite file under var/ named after the service."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.var_dir / f'{self.service_name}.db'}"
