"""One topology: a service's port is one setting; the key-set URL and the others' subscriber lists follow it."""

from __future__ import annotations

import os

import pytest

from services.common.settings import DEV_EVENTS_SECRET, Subscriber
from services.intake.settings import IntakeSettings
from services.metrics.settings import MetricsSettings
from services.workflow.settings import WorkflowSettings


@pytest.fixture(autouse=True)
def no_service_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the settings a test sets."""
    for key in os.environ:
        if key.startswith(("INTAKE_", "WORKFLOW_", "METRICS_")):
            monkeypatch.delenv(key)


def _routes(subscribers: list[Subscriber]) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {s.name: (s.url, s.topics) for s in subscribers}


def test_moving_intake_to_another_port_is_one_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_PORT", "9101")

    workflow = WorkflowSettings()

    assert IntakeSettings().port == 9101
    assert workflow.jwks_url == "http://127.0.0.1:9101/.well-known/jwks.json"
    assert MetricsSettings().jwks_url == "http://127.0.0.1:9101/.well-known/jwks.json"
    assert _routes(workflow.subscribers) == {
        "intake": ("http://127.0.0.1:9101/internal/events", ("job.*", "calendar.*")),
        "metrics": ("http://127.0.0.1:8003/internal/events", ("job.*", "calendar.*")),
    }


def test_intake_delivers_to_workflow_and_metrics_where_they_listen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKFLOW_PORT", "9102")
    monkeypatch.setenv("METRICS_PORT", "9103")

    assert _routes(IntakeSettings().subscribers) == {
        "workflow": ("http://127.0.0.1:9102/internal/events", ("application.*", "account.*")),
        # Named events only: the case's personal details (application.case_shared) and the staff directory
        # (account.staff_changed) never go to metrics.
        "metrics": (
            "http://127.0.0.1:9103/internal/events",
            (
                "application.submitted",
                "application.withdrawn",
                "application.evaluated",
                "application.disputed",
                "application.contract_signed",
            ),
        ),
    }
    assert MetricsSettings().subscribers == []


def test_the_defaults_are_the_ports_of_make_run() -> None:
    assert [IntakeSettings().port, WorkflowSettings().port, MetricsSettings().port] == [8001, 8002, 8003]
    assert WorkflowSettings().jwks_url == "http://127.0.0.1:8001/.well-known/jwks.json"
    assert IntakeSettings().jwks_url is None  # intake verifies with its own key
    assert WorkflowSettings().events_sources == {"intake": DEV_EVENTS_SECRET}
    assert MetricsSettings().events_topics == {
        "intake": [
            "application.submitted",
            "application.withdrawn",
            "application.evaluated",
            "application.disputed",
            "application.contract_signed",
        ],
        "workflow": ["job.*", "calendar.*"],
    }


def test_a_subscriber_is_reached_at_its_advertised_host_and_a_publishers_secret_known_by_its_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As in docker-compose.yml: intake binds every interface and is reached by its container name.
    monkeypatch.setenv("INTAKE_HOST", "0.0.0.0")  # noqa: S104 - a setting, not a bind
    monkeypatch.setenv("INTAKE_ADVERTISED_HOST", "intake")
    monkeypatch.setenv("INTAKE_EVENTS_SECRET", "intake-secret")
    monkeypatch.setenv("METRICS_HOST", "0.0.0.0")  # noqa: S104 - a setting, not a bind

    workflow = WorkflowSettings()

    assert workflow.jwks_url == "http://intake:8001/.well-known/jwks.json"
    assert {s.name: s.url for s in workflow.subscribers} == {
        "intake": "http://intake:8001/internal/events",
        "metrics": "http://127.0.0.1:8003/internal/events",
    }
    assert workflow.events_sources == {"intake": "intake-secret"}


def test_settings_set_explicitly_win_over_the_topology(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_PORT", "9101")
    monkeypatch.setenv("WORKFLOW_JWKS_URL", "https://keys.example/jwks.json")
    listed = '[{"name": "metrics", "url": "http://m/internal/events"}]'
    monkeypatch.setenv("WORKFLOW_SUBSCRIBERS", listed)

    workflow = WorkflowSettings()

    assert workflow.jwks_url == "https://keys.example/jwks.json"
    assert [s.url for s in workflow.subscribers] == ["http://m/internal/events"]
