"""Request ids, Prometheus metrics and JSON logs."""

from __future__ import annotations

import json
import logging

from services.common.observability import JsonFormatter, request_id_var
from tests.conftest import StartIntake
from tests.intake.helpers import sign_in
from tests.support.services import METRICS_TOKEN, Service

SCRAPER = {"Authorization": f"Bearer {METRICS_TOKEN}"}


async def test_a_safe_request_id_is_kept_and_an_unsafe_one_replaced(intake: Service) -> None:
    kept = await intake.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    replaced = await intake.client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert kept.headers["x-request-id"] == "abc-123"
    assert replaced.headers["x-request-id"] != "bad id\nwith newline"
    assert len(replaced.headers["x-request-id"]) == 32


async def test_metrics_count_requests_by_route_template(intake: Service) -> None:
    await intake.client.get("/api/v1/documents/some-id")
    text = (await intake.client.get("/metrics", headers=SCRAPER)).text
    assert 'route="/api/v1/documents/{document_id}"' in text
    assert "some-id" not in text
    assert "http_request_duration_seconds_bucket" in text


async def test_metrics_without_the_scrape_token_are_401(intake: Service) -> None:
    anonymous = await intake.client.get("/metrics")
    wrong = await intake.client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    user = await intake.client.get("/metrics", headers=await sign_in(intake.client, "curious"))
    assert anonymous.status_code == wrong.status_code == user.status_code == 401
    assert "http_requests_total" not in anonymous.text + wrong.text + user.text


async def test_metrics_are_not_served_while_no_scrape_token_is_set(start_intake: StartIntake) -> None:
    async with start_intake(metrics_token="") as intake:
        response = await intake.client.get("/metrics")
    assert response.status_code == 404
    assert "http_requests_total" not in response.text


def test_json_log_lines_carry_the_request_id() -> None:
    token = request_id_var.set("req-42")
    try:
        record = logging.LogRecord("zerovisit.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["message"] == "hello world"
    assert line["request_id"] == "req-42"
    assert line["level"] == "info"
