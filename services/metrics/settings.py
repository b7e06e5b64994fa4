"""Settings of the metrics service (env prefix METRICS_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEFAULT_PORTS, ServiceSettings


class MetricsSettings(ServiceSettings):
    """The metrics service's settings."""

    model_config = SettingsConfigDict(env_prefix="METRICS_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "metrics"
    port: int = DEFAULT_PORTS["metrics"]
    verifies_with_intake_keys = True
    # Intake's address as a browser reaches it, for the dashboard's sign-in; by default the JWKS URL's origin.
    intake_url: str | None = None
    # A pause longer than this many working days is listed among the violations.
    long_pause_working_days: int = Field(default=20, ge=1)
    import_max_rows: int = Field(default=5000, ge=1)
    import_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
