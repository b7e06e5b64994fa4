"""Settings every service shares."""

from __future__ import annotations

from importlib import import_module

import pytest

from services.intake.settings import IntakeSettings
from services.metrics.settings import MetricsSettings


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_plain_postgresql_url_is_taken_with_the_async_driver(scheme: str) -> None:
    settings = IntakeSettings(database_url=f"{scheme}://zv:secret@db.internal:5432/intake")
    assert settings.resolved_database_url() == "postgresql+asyncpg://zv:secret@db.internal:5432/intake"


def test_a_plain_postgresql_url_from_the_environment_is_taken_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_DATABASE_URL", "postgresql://zv@db.internal/metrics")
    assert MetricsSettings().resolved_database_url() == "postgresql+asyncpg://zv@db.internal/metrics"


def test_an_async_url_is_kept_as_it_is() -> None:
    url = "postgresql+asyncpg://zv@db.internal/intake"
    assert IntakeSettings(database_url=url).resolved_database_url() == url


@pytest.mark.parametrize("service", ["intake", "workflow", "metrics"])
@pytest.mark.parametrize(
    ("plain", "driver"),
    [
        ("postgresql://zv@db.internal/zv", "postgresql+asyncpg://zv@db.internal/zv"),
        ("postgres://zv@db.internal/zv", "postgresql+asyncpg://zv@db.internal/zv"),
        ("sqlite:////srv/zerovisit/zv.db", "sqlite+aiosqlite:////srv/zerovisit/zv.db"),
    ],
)
def test_every_services_database_url_may_be_written_without_its_driver(
    service: str, plain: str, driver: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", plain)
    settings_class = getattr(import_module(f"services.{service}.settings"), f"{service.capitalize()}Settings")
    assert settings_class().resolved_database_url() == driver
