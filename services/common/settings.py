"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VAR_DIR = REPO_ROOT / "var"
# Only for a trial on one machine; production sets real secrets through the environment.
DEV_EVENTS_SECRET = "dev-events-secret-change-me"  # noqa: S105
# The shortest events secret accepted beyond loopback: 32 bytes, the size of the HMAC-SHA256 key it becomes.
MIN_EVENTS_SECRET_BYTES = 32
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# How much longer than a publisher's longest series of retries inbox rows are kept, at the least.
RETENTION_MARGIN = 10


class Subscriber(BaseModel):
    """A service that receives this service's events."""

    name: str
    url: str
    topics: tuple[str, ...] = ("*",)


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
    # The services this one accepts events from, each with the secret it signs with (set one with
    # *_EVENTS_SOURCES__<NAME>=...), and the event types each may send ("application.*", "job.*").
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
    relay_max_attempts: int = Field(default=12, ge=1)
    relay_backoff_base_seconds: float = Field(default=0.5, gt=0)
    relay_backoff_max_seconds: float = Field(default=300, gt=0)
    log_json: bool = False
    # Only for `zerovisit demo`: every service reads simulated time from this file instead of the system clock.
    clock_file: Path | None = None

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
