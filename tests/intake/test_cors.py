"""The metrics dashboard's page may ask intake for a token from its own origin; other origins may not."""

from __future__ import annotations

from tests.support.services import Service

PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


async def test_the_dashboards_origin_may_call_the_token_endpoint(intake: Service) -> None:
    response = await intake.client.options(
        "/api/v1/auth/token", headers={**PREFLIGHT, "Origin": "http://127.0.0.1:8003"}
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:8003"


async def test_another_origin_is_not_allowed(intake: Service) -> None:
    response = await intake.client.options(
        "/api/v1/auth/token", headers={**PREFLIGHT, "Origin": "https://elsewhere.example"}
    )

    assert "access-control-allow-origin" not in response.headers
