"""Settings of the intake service (env prefix INTAKE_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEV_EVENTS_SECRET, ServiceSettings, Subscriber


def _default_subscribers() -> list[Subscriber]:
    return [
        Subscriber(
            name="workflow",
            url="http://127.0.0.1:8002/internal/events",
            secret=DEV_EVENTS_SECRET,
            topics=("application.*",),
        ),
        Subscriber(
            name="metrics",
            url="http://127.0.0.1:8003/internal/events",
            secret=DEV_EVENTS_SECRET,
            topics=("application.*",),
        ),
    ]


class IntakeSettings(ServiceSettings):
    """Accounts, documents and applications."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "intake"
    port: int = 8001
    subscribers: list[Subscriber] = Field(default_factory=_default_subscribers)
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    token_ttl_seconds: int = Field(default=3600, ge=60)
    signing_key_file: Path | None = None
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_seconds: int = Field(default=300, ge=1)
    # Web pages of other origins that may call intake from a browser: the metrics dashboard signs in here.
    cors_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8003", "http://localhost:8003"])

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
