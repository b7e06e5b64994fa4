"""Settings of the intake service (env prefix INTAKE_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEFAULT_PORTS, ServiceSettings


class IntakeSettings(ServiceSettings):
    """Accounts, documents and applications."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "intake"
    port: int = DEFAULT_PORTS["intake"]
    routes = (("workflow", ("application.*",)), ("metrics", ("application.*",)))
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    token_ttl_seconds: int = Field(default=3600, ge=60)
    signing_key_file: Path | None = None
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_seconds: int = Field(default=300, ge=1)
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
