"""Settings of the intake service (env prefix INTAKE_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEFAULT_PORTS, ServiceSettings, peer_url


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
