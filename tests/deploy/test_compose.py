"""The compose file is valid against the Compose Specification and deploys what the platform needs."""

from __future__ import annotations

import json
import os
import re
from importlib import import_module, resources
from typing import Any

import jsonschema
import pytest
import yaml

from services.common.settings import REPO_ROOT, ServiceSettings

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


# What an operator puts in the .env file beside the compose file.
OPERATOR = {
    "POSTGRES_PASSWORD": "pg",
    "EVENTS_SECRET_INTAKE": "secret-intake",
    "EVENTS_SECRET_WORKFLOW": "secret-workflow",
    "EVENTS_SECRET_METRICS": "secret-metrics",
}


def _interpolated(value: str, given: dict[str, str]) -> str:
    """${VAR}, ${VAR:-default} and ${VAR:?message} as Compose substitutes them."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, rest = match.group(1), match.group(2), match.group(3)
        if name in given:
            return given[name]
        if operator == ":-":
            return rest
        raise KeyError(f"{name} is not set: {rest}")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", substitute, value)


def _environment(service: str, given: dict[str, str]) -> dict[str, str]:
    return {
        key: _interpolated(str(value), given) for key, value in _compose()["services"][service]["environment"].items()
    }


def _settings(service: str, given: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> ServiceSettings:
    """A container's settings, read from its environment in the compose file and nothing else."""
    for key in os.environ:
        if key.startswith(("INTAKE_", "WORKFLOW_", "METRICS_")):
            monkeypatch.delenv(key)
    for key, value in _environment(service, given).items():
        monkeypatch.setenv(key, value)
    name = service.removesuffix("-relay")
    settings: ServiceSettings = getattr(import_module(f"services.{name}.settings"), f"{name.capitalize()}Settings")()
    return settings


def test_each_publishing_service_has_a_relay_of_its_own_with_the_same_subscribers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = _compose()["services"]
    for name in ("intake", "workflow"):
        prefix = name.upper()
        api, relay = services[name], services[f"{name}-relay"]
        assert api["environment"][f"{prefix}_RELAY_ENABLED"] == "false"
        assert relay["command"] == ["zerovisit", "relay", "--service", name]
        assert relay["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert relay["environment"][f"{prefix}_DATABASE_URL"] == api["environment"][f"{prefix}_DATABASE_URL"]
        subscribers = _settings(name, OPERATOR, monkeypatch).subscribers
        assert _settings(f"{name}-relay", OPERATOR, monkeypatch).subscribers == subscribers
        assert {subscriber.name for subscriber in subscribers} == (
            {"workflow", "metrics"} if name == "intake" else {"intake", "metrics"}
        )


def test_the_containers_find_each_other_by_name_and_each_signs_with_its_receivers_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workflow = _settings("workflow", OPERATOR, monkeypatch)

    assert workflow.jwks_url == "http://intake:8001/.well-known/jwks.json"
    assert {s.name: (s.url, s.secret) for s in workflow.subscribers} == {
        "intake": ("http://intake:8001/internal/events", "secret-intake"),
        "metrics": ("http://metrics:8003/internal/events", "secret-metrics"),
    }
    assert _settings("metrics", OPERATOR, monkeypatch).subscribers == []


def test_moving_intake_to_another_port_in_compose_is_one_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    given = {**OPERATOR, "INTAKE_PORT": "9101"}

    assert _settings("intake", given, monkeypatch).port == 9101
    assert _compose()["services"]["intake"]["ports"] == ["${INTAKE_PORT:-8001}:${INTAKE_PORT:-8001}"]
    for name in ("workflow", "metrics"):
        assert _settings(name, given, monkeypatch).jwks_url == "http://intake:9101/.well-known/jwks.json"
    for name in ("workflow", "workflow-relay"):
        urls = {s.name: s.url for s in _settings(name, given, monkeypatch).subscribers}
        assert urls["intake"] == "http://intake:9101/internal/events"
