"""Settings of the intake service (env prefix INTAKE_)."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import (
    DEFAULT_PORTS,
    LOOPBACK_HOSTS,
    MIN_EVENTS_SECRET_BYTES,
    ServiceSettings,
    peer_url,
)


def _dashboard_origins() -> list[str]:
    # The metrics dashboard's page, wherever the topology puts metrics, by address and by name.
    metrics = peer_url("metrics")
    return list(dict.fromkeys([metrics, metrics.replace("://127.0.0.1:", "://localhost:")]))


class IntakeSettings(ServiceSettings):
    """Accounts, documents and applications."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "intake"
    port: int = DEFAULT_PORTS["intake"]
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    token_ttl_seconds: int = Field(default=3600, ge=60)
    signing_key_file: Path | None = None
    # Failed sign-ins before a lockout: one username from one client, one username from anywhere, one client.
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_username: int = Field(default=20, ge=1)
    login_max_failures_per_client: int = Field(default=100, ge=1)
    login_lockout_seconds: int = Field(default=300, ge=1)
    # Quotas; 0 turns one off.
    uploads_per_applicant_per_day: int = Field(default=50, ge=0)
    registrations_per_client_per_hour: int = Field(default=20, ge=0)
    # Web pages of other origins that may call intake from a browser: the metrics dashboard signs in here.
    cors_origins: list[str] = Field(default_factory=_dashboard_origins)
    # Failed public status lookups (a number with a wrong phone, or an unknown number) one client address
    # may make per window before it is answered 429 until the window passes.
    public_lookup_max_failures: int = Field(default=10, ge=1)
    public_lookup_window_seconds: int = Field(default=600, ge=1)

    # SMS to applicants: `log` writes each message to the log; `http` POSTs it to a provider (see README).
    sms_provider: Literal["log", "http"] = "log"
    sms_url: str = ""
    sms_key: str = ""
    # No SMS from this local time (Asia/Shanghai) until that one: a message due meanwhile waits for morning.
    sms_quiet_from: time = time(22, 0)
    sms_quiet_until: time = time(8, 0)
    # The frontends' push gateway; unset, no push messages are written. Each POST is signed with the secret.
    push_url: str = ""
    push_secret: str = ""
    # The sender of SMS and push messages in this process (turn off to run it elsewhere).
    messages_enabled: bool = True
    messages_interval_seconds: float = Field(default=1.0, gt=0)
    messages_batch_size: int = Field(default=50, ge=1, le=1000)
    # A message refused this often is parked for an operator; a provider that is down is waited for.
    messages_max_attempts: int = Field(default=10, ge=1)
    messages_backoff_base_seconds: float = Field(default=5, gt=0)
    messages_backoff_max_seconds: float = Field(default=900, gt=0)
    messages_lease_seconds: float = Field(default=60, ge=15)
    messages_timeout_seconds: float = Field(default=5, gt=0)
    # The daily check for cases due soon or overdue: a case due within this many working days is due soon.
    due_soon_working_days: int = Field(default=2, ge=1, le=30)
    # The check runs once a day at or after this local time, looked for every interval.
    reminders_enabled: bool = True
    reminders_at: time = time(9, 0)
    reminders_interval_seconds: float = Field(default=300, gt=0)

    @model_validator(mode="after")
    def _channels_are_complete(self) -> Self:
        if self.sms_provider == "http" and not (self.sms_url and self.sms_key):
            raise ValueError("INTAKE_SMS_PROVIDER=http needs INTAKE_SMS_URL and INTAKE_SMS_KEY")
        if self.push_url and not self.push_secret:
            raise ValueError("INTAKE_PUSH_URL needs INTAKE_PUSH_SECRET to sign what it sends")
        return self

    def refuse_development_secrets(self, *, listening: bool = True) -> None:
        """The events secrets as every service's, and a push secret of 32 bytes or more beyond loopback."""
        super().refuse_development_secrets(listening=listening)
        beyond_loopback = self.push_url and urlsplit(self.push_url).hostname not in LOOPBACK_HOSTS
        if beyond_loopback and len(self.push_secret.encode("utf-8")) < MIN_EVENTS_SECRET_BYTES:
            raise ValueError(
                f"{self.service_name}: a push gateway beyond this machine needs INTAKE_PUSH_SECRET of at least "
                f"{MIN_EVENTS_SECRET_BYTES} bytes"
            )

    @property
    def data_dir(self) -> Path:
        """Where intake keeps its key pair and uploaded files."""
        return self.var_dir / "intake"

    @property
    def documents_dir(self) -> Path:
        """Uploaded files, named by their SHA-256."""
        return self.data_dir / "documents"

    @property
    def key_file(self) -> Path:
        """The token-signing private key (PEM), made on first run."""
        return self.signing_key_file or self.data_dir / "jwt_signing_key.pem"
