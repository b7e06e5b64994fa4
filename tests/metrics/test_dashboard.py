"""The dashboard in a real browser: sign in through intake, and what it draws equals what the API answers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from services.common.clock import FixedClock
from services.intake.identity import service as identity_service
from services.intake.identity.keys import SigningKey
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth
from tests.support.databases import FreshDatabases
from tests.support.services import Network, Service, run_service

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
USERNAME, PASSWORD = "nea-national", "dashboard-password-1"
# CI installs chromium and sets this, so a missing browser fails there instead of skipping.
REQUIRED = os.environ.get("ZV_REQUIRE_BROWSER") == "1"

if not Path(CHROMIUM).exists():
    if REQUIRED:
        raise RuntimeError(f"no chromium at {CHROMIUM}: install it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def _listening(app: FastAPI, port: int) -> AsyncIterator[str]:
    """Serve an app whose lifespan already runs on a real TCP port, for the browser."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Stack:
    """Intake and metrics listening on loopback ports, metrics holding the test data set."""

    intake: Service
    metrics: Service
    metrics_url: str


@pytest.fixture
async def stack(
    databases: FreshDatabases, var_dir: Path, network: Network, clock: FixedClock, signing_key: SigningKey
) -> AsyncIterator[Stack]:
    """Both services, a nationwide regulator's account, the data set and one complaint."""
    intake_port, metrics_port = _free_port(), _free_port()
    intake_url, metrics_url = f"http://127.0.0.1:{intake_port}", f"http://127.0.0.1:{metrics_port}"
    async with (
        run_service(
            "intake",
            database_url=await databases.url("intake"),
            var_dir=var_dir,
            network=network,
            clock=clock,
            cors_origins=[metrics_url],
        ) as intake,
        run_service(
            "metrics",
            database_url=await databases.url("metrics"),
            var_dir=var_dir,
            network=network,
            clock=clock,
            intake_url=intake_url,
        ) as metrics,
        _listening(intake.app, intake_port),
        _listening(metrics.app, metrics_port),
    ):
        async with intake.app.state.database.sessionmaker() as session, session.begin():
            await identity_service.create_account(
                session,
                username=USERNAME,
                password=PASSWORD,
                name="国家能源局",
                role="regulator",
                regions=["*"],
                now=clock.now(),
                subscribers=intake.app.state.service.settings.subscribers,
            )
        admin = auth(signing_key, "admin")
        imported = await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=admin)
        assert imported.status_code == 200, imported.text
        complaint = {
            "received_at": "2026-03-05T10:15:00+08:00",
            "region": "110105",
            "grid_company": "SGCC-BJ",
            "category": "fee",
            "summary": "表箱费用由客户承担",
        }
        assert (await metrics.client.post("/api/v1/complaints", json=complaint, headers=admin)).status_code == 201
        yield Stack(intake, metrics, metrics_url)


async def _api(metrics: Service, token: str, path: str, **params: str) -> Any:
    response = await metrics.client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


# What the page drew: table cells' values, the headline, and the data of the ECharts series.
DRAWN = """() => {
  const all = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  const fields = (root) => Object.fromEntries(
    all("[data-field]", root).map((c) => [c.dataset.field, JSON.parse(c.dataset.value)]));
  const option = (id) => echarts.getInstanceByDom(document.getElementById(id)).getOption();
  const series = (id) => Object.fromEntries(option(id).series.map((s) => [s.id, s.data]));
  return {
    headline: fields(document.getElementById("headline")),
    categories: all("#categories tbody tr").map((r) => r.dataset.category),
    categoryValues: all("#categories tbody tr").map((r) => fields(r)),
    companies: all("#companies tbody tr").map((r) => r.dataset.company),
    companyValues: all("#companies tbody tr").map((r) => fields(r)),
    bars: option("companies-chart").series[0].data,
    barNames: option("companies-chart").yAxis[0].data,
    trendMonths: option("trend-days-chart").xAxis[0].data,
    trendDays: series("trend-days-chart"),
    trendWithin: series("trend-within-chart"),
    violations: all("#violations tbody tr[data-case-id]").map((r) => r.dataset.caseId),
    evidenceLinks: all("#violations a.evidence-link").length,
    complaints: all("#complaints tbody tr").map((r) => r.dataset.complaintId),
  };
}"""


async def test_the_dashboard_signs_in_and_draws_the_figures_the_api_answers(stack: Stack, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 2400})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(f"{stack.metrics_url}/dashboard")
            await page.fill("input[name=username]", USERNAME)
            await page.fill("input[name=password]", PASSWORD)
            await page.click("#sign-in button[type=submit]")
            await page.wait_for_selector("#board:not([hidden])")
            await page.fill("input[name=period]", "2026H1")
            await page.click("#filters button[type=submit]")
            await page.wait_for_selector("#board[data-loaded=true]")
            await page.wait_for_function("document.querySelector('#status').textContent.startsWith('2026H1')")
            drawn = await page.evaluate(DRAWN)
            token = await page.evaluate("sessionStorage.getItem('zv-dashboard-token')")
            await page.click("#violations a.evidence-link")
            await page.wait_for_selector("#evidence:not([hidden])")
            evidence = await page.text_content("#evidence-body")
            await page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        finally:
            await browser.close()

    metrics = stack.metrics
    summary = await _api(metrics, token, "/api/v1/metrics/summary", period="2026H1")
    ranking = await _api(metrics, token, "/api/v1/metrics/grid-companies", period="2026H1")
    trend = await _api(metrics, token, "/api/v1/metrics/trend", **{"from": "2026-01", "to": "2026-06"})
    found = await _api(metrics, token, "/api/v1/metrics/violations", period="2026H1", limit="50")
    complaints = await _api(metrics, token, "/api/v1/complaints", period="2026H1", limit="50")

    assert not errors, errors
    rows = summary["rows"]
    assert drawn["headline"]["connected_count"] == sum(r["connected_count"] for r in rows) > 0
    assert drawn["categories"] == [r["category"] for r in rows]
    for values, row in zip(drawn["categoryValues"], rows, strict=True):
        assert values == {name: row[name] for name in values}, row["category"]
    companies = ranking["companies"]
    assert drawn["companies"] == drawn["barNames"] == [c["grid_company"] for c in companies]
    assert drawn["bars"] == [c["within_limit_rate"] for c in companies]
    for values, company in zip(drawn["companyValues"], companies, strict=True):
        assert values == {name: company[name] for name in values}, company["grid_company"]
    assert drawn["trendMonths"] == [m["month"] for m in trend["months"]]
    for category in drawn["trendDays"]:
        per_month = [next(r for r in m["rows"] if r["category"] == category) for m in trend["months"]]
        assert drawn["trendDays"][category] == [r["avg_working_days"] for r in per_month], category
        assert drawn["trendWithin"][category] == [r["within_limit_rate"] for r in per_month], category
    assert drawn["violations"] == [v["case_id"] for v in found["items"]] != []
    assert drawn["evidenceLinks"] == len(found["items"])
    assert found["items"][0]["case_id"] in (evidence or "")
    assert drawn["complaints"] == [c["id"] for c in complaints["items"]] != []
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000


async def test_the_dashboard_is_served_with_its_own_scripts_and_knows_where_to_sign_in(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.metrics_url) as client:
        page = await client.get("/dashboard")
        config = (await client.get("/dashboard/config.json")).json()
        echarts = await client.get("/dashboard/static/vendor/echarts.min.js")

    assert page.status_code == 200 and "监管看板" in page.text
    assert 'src="/dashboard/static/vendor/echarts.min.js"' in page.text
    assert echarts.status_code == 200 and len(echarts.content) > 500_000
    assert config["token_url"].endswith("/api/v1/auth/token")
