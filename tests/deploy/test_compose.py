"""The compose file is valid against the Compose Specification and deploys what the platform needs."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import yaml

from services.common.settings import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return loaded


def test_the_compose_file_matches_the_compose_specification() -> None:
    schema_file = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.validate(_compose(), schema)


def test_postgres_is_healthchecked_and_migrations_run_once_before_the_services() -> None:
    services = _compose()["services"]
    assert "healthcheck" in services["postgres"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"
    for name in ("intake", "workflow", "metrics"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["command"][-1] == name


def test_secrets_come_from_the_environment_not_the_file() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert "dev-events-secret" not in text
    for variable in ("POSTGRES_PASSWORD", "EVENTS_SECRET_INTAKE", "EVENTS_SECRET_WORKFLOW", "EVENTS_SECRET_METRICS"):
        assert "${" + variable in text
