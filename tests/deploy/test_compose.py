"""The compose file is valid against the Compose Specification and deploys what the platform needs."""

from __future__ import annotations

import json
import re
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
    for variable in ("POSTGRES_PASSWORD", "EVENTS_SECRET_INTAKE", "EVENTS_SECRET_WORKFLOW"):
        assert "${" + variable in text


def test_each_publisher_signs_with_its_own_secret_and_each_receiver_knows_it_by_name() -> None:
    services = _compose()["services"]
    signing = {name: services[name]["environment"][f"{name.upper()}_EVENTS_SECRET"] for name in ("intake", "workflow")}
    assert signing["intake"] != signing["workflow"]
    for publisher, secret in signing.items():
        assert services[f"{publisher}-relay"]["environment"][f"{publisher.upper()}_EVENTS_SECRET"] == secret
        for receiver in {"intake", "workflow", "metrics"} - {publisher}:
            assert (
                services[receiver]["environment"][f"{receiver.upper()}_EVENTS_SOURCES__{publisher.upper()}"] == secret
            )
    assert "METRICS_EVENTS_SECRET" not in services["metrics"]["environment"]  # metrics publishes nothing


def test_each_publishing_service_has_a_relay_of_its_own_with_the_same_subscribers() -> None:
    services = _compose()["services"]
    for name in ("intake", "workflow"):
        prefix = name.upper()
        api, relay = services[name], services[f"{name}-relay"]
        assert api["environment"][f"{prefix}_RELAY_ENABLED"] == "false"
        assert relay["command"] == ["zerovisit", "relay", "--service", name]
        assert relay["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        subscribers = api["environment"][f"{prefix}_SUBSCRIBERS"]
        assert relay["environment"][f"{prefix}_SUBSCRIBERS"] == subscribers
        assert relay["environment"][f"{prefix}_DATABASE_URL"] == api["environment"][f"{prefix}_DATABASE_URL"]
        listed = json.loads(re.sub(r"\$\{\w+\}", "from-the-environment", subscribers))
        assert {subscriber["name"] for subscriber in listed} == (
            {"workflow", "metrics"} if name == "intake" else {"intake", "metrics"}
        )
