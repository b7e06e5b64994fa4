"""What every service app gets from the common skeleton."""

from __future__ import annotations

import pytest

from services.metrics.app import create_app as create_metrics_app
from services.metrics.settings import MetricsSettings
from services.workflow.app import create_app as create_workflow_app
from services.workflow.settings import WorkflowSettings
from tests.support.services import Service


def test_a_service_listening_beyond_loopback_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="real event secrets"):
        create_workflow_app(WorkflowSettings(host="0.0.0.0"))  # noqa: S104
    create_metrics_app(MetricsSettings(host="0.0.0.0", events_secret="a-real-secret-from-the-vault"))  # noqa: S104


async def test_every_service_refuses_an_oversized_body_before_reading_it(intake: Service) -> None:
    response = await intake.client.post(
        "/api/v1/auth/register",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
