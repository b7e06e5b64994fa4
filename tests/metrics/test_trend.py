"""The monthly trend: each month's summary rows, equal to the summary of that month alone."""

from __future__ import annotations

from services.intake.identity.keys import SigningKey
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth
from tests.support.services import Service


async def _import(metrics: Service, signing_key: SigningKey) -> None:
    response = await metrics.client.post(
        "/api/v1/imports/cases", json={"cases": ROWS}, headers=auth(signing_key, "admin")
    )
    assert response.status_code == 200, response.text


async def test_each_month_of_the_trend_equals_the_summary_of_that_month(
    metrics: Service, signing_key: SigningKey
) -> None:
    await _import(metrics, signing_key)
    admin = auth(signing_key, "admin")

    trend = await metrics.client.get(
        "/api/v1/metrics/trend", params={"from": "2026-01", "to": "2026-06"}, headers=admin
    )

    assert trend.status_code == 200, trend.text
    months = trend.json()["months"]
    assert [m["month"] for m in months] == [f"2026-0{n}" for n in range(1, 7)]
    assert sum(row["connected_count"] for m in months for row in m["rows"]) > 0
    for month in months:
        summary = await metrics.client.get("/api/v1/metrics/summary", params={"period": month["month"]}, headers=admin)
        expected = [{**row, "open_overdue_count": 0} for row in summary.json()["rows"]]
        assert month["rows"] == expected, month["month"]


async def test_a_trend_across_a_year_end_lists_every_month_once(metrics: Service, signing_key: SigningKey) -> None:
    trend = await metrics.client.get(
        "/api/v1/metrics/trend", params={"from": "2025-11", "to": "2026-02"}, headers=auth(signing_key, "admin")
    )

    assert [m["month"] for m in trend.json()["months"]] == ["2025-11", "2025-12", "2026-01", "2026-02"]


async def test_the_trend_is_scoped_like_the_summary(metrics: Service, signing_key: SigningKey) -> None:
    await _import(metrics, signing_key)
    regulator = auth(signing_key, "regulator", regions=["11"])
    params = {"from": "2026-01", "to": "2026-06"}

    mine = (await metrics.client.get("/api/v1/metrics/trend", params=params, headers=regulator)).json()
    narrowed = await metrics.client.get(
        "/api/v1/metrics/trend", params={**params, "region": "110105"}, headers=regulator
    )
    outside = await metrics.client.get("/api/v1/metrics/trend", params={**params, "region": "31"}, headers=regulator)
    summary = await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026H1"}, headers=regulator)

    total = sum(row["connected_count"] for m in mine["months"] for row in m["rows"])
    assert total == sum(row["connected_count"] for row in summary.json()["rows"])
    assert narrowed.status_code == 200
    assert outside.status_code == 403


async def test_a_trend_ending_before_it_starts_or_with_a_bad_month_is_a_problem(
    metrics: Service, signing_key: SigningKey
) -> None:
    admin = auth(signing_key, "admin")
    backwards = await metrics.client.get(
        "/api/v1/metrics/trend", params={"from": "2026-06", "to": "2026-01"}, headers=admin
    )
    bad = await metrics.client.get("/api/v1/metrics/trend", params={"from": "2026-13", "to": "2026-14"}, headers=admin)
    # The years a report can be about, as for every other period.
    year_zero = await metrics.client.get(
        "/api/v1/metrics/trend", params={"from": "0000-01", "to": "0000-02"}, headers=admin
    )

    assert backwards.status_code == 422 and backwards.json()["type"].endswith("bad-period")
    assert bad.status_code == 422
    assert year_zero.status_code == 422 and year_zero.json()["type"].endswith("bad-period")
