"""Historical imports: figures counted like live cases, all-or-nothing batches, repeats skipped."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from services.intake.identity.keys import SigningKey
from services.metrics.facts.models import CaseFact
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth, case_row, expected_rows
from tests.support.services import Service

IMPORTS = "/api/v1/imports/cases"


async def _fact_count(metrics: Service) -> int:
    async with metrics.app.state.database.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(CaseFact))).scalar_one())


async def test_imported_cases_give_the_figures_worked_out_from_the_calendar(
    metrics: Service, signing_key: SigningKey
) -> None:
    admin = auth(signing_key, "admin")
    imported = await metrics.client.post(IMPORTS, json={"cases": ROWS}, headers=admin)
    summary = await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026H1"}, headers=admin)

    assert imported.json() == {"imported": len(ROWS), "skipped": 0}
    assert summary.status_code == 200
    body = summary.json()
    expected = expected_rows(ROWS, date(2026, 1, 1), date(2026, 6, 30))
    assert body["period"] == "2026H1"
    assert [row["category"] for row in body["rows"]] == [
        "hv_new_install",
        "hv_capacity_increase",
        "sme_lv",
        "residential_lv",
        "non_residential_lv",
    ]
    for row in body["rows"]:
        want = expected[row["category"]]
        for name, value in want.items():
            assert row[name] == pytest.approx(value), (row["category"], name)
        assert row["open_overdue_count"] == 0


async def test_a_category_without_cases_is_listed_with_count_zero_and_no_averages(
    metrics: Service, signing_key: SigningKey
) -> None:
    admin = auth(signing_key, "admin")
    await metrics.client.post(IMPORTS, json={"cases": ROWS[:1]}, headers=admin)

    body = (await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026Q1"}, headers=admin)).json()

    empty = next(row for row in body["rows"] if row["category"] == "hv_new_install")
    assert empty["connected_count"] == 0
    assert empty["avg_working_days"] is None and empty["p90_working_days"] is None
    assert empty["within_limit_rate"] is None and empty["avg_customer_cost"] is None


async def test_a_case_connected_after_midnight_in_shanghai_falls_in_the_next_half_year(
    metrics: Service, signing_key: SigningKey
) -> None:
    admin = auth(signing_key, "admin")
    edge = next(row for row in ROWS if row["external_id"] == "BJ-E1")
    await metrics.client.post(IMPORTS, json={"cases": [edge]}, headers=admin)

    first = (await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026H1"}, headers=admin)).json()
    second = (await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026H2"}, headers=admin)).json()

    assert sum(row["connected_count"] for row in first["rows"]) == 0
    assert sum(row["connected_count"] for row in second["rows"]) == 1


async def test_importing_the_same_external_ids_again_skips_them(metrics: Service, signing_key: SigningKey) -> None:
    admin = auth(signing_key, "admin")
    await metrics.client.post(IMPORTS, json={"cases": ROWS[:5]}, headers=admin)

    again = await metrics.client.post(IMPORTS, json={"cases": ROWS[3:8]}, headers=admin)

    assert again.json() == {"imported": 3, "skipped": 2}
    assert await _fact_count(metrics) == 8


async def test_every_bad_row_is_listed_and_nothing_of_the_batch_is_applied(
    metrics: Service, signing_key: SigningKey
) -> None:
    bad_dates = {**ROWS[1], "connected_at": "2026-01-01T00:00:00+08:00"}
    unknown_category = {**ROWS[2], "category": "hv_triple"}
    wrong_company = {**ROWS[3], "grid_company": "SGCC-BJ"}
    personal = {**ROWS[4], "contact_phone": "13800000000"}
    batch = [ROWS[0], bad_dates, unknown_category, ROWS[5], wrong_company, personal]

    response = await metrics.client.post(IMPORTS, json={"cases": batch}, headers=auth(signing_key, "admin"))

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    rows = response.json()["rows"]
    assert [row["index"] for row in rows] == [1, 2, 4, 5]
    assert "connected_at" in rows[0]["reason"]
    assert "category" in rows[1]["reason"]
    assert "served by CSG-SZ" in rows[2]["reason"]
    assert "contact_phone" in rows[3]["reason"]
    assert await _fact_count(metrics) == 0


@pytest.mark.parametrize(
    ("field", "instant"),
    [
        ("submitted_at", "0001-01-01T00:00:00+14:00"),  # Shanghai's date of it is before the calendar begins
        ("submitted_at", "1900-03-01T08:00:00+08:00"),
        ("connected_at", "9999-12-31T23:59:59-14:00"),
    ],
)
async def test_a_row_dated_outside_the_reported_years_is_named_and_nothing_is_applied(
    metrics: Service, signing_key: SigningKey, field: str, instant: str
) -> None:
    response = await metrics.client.post(
        IMPORTS, json={"cases": [ROWS[0], {**ROWS[1], field: instant}]}, headers=auth(signing_key, "admin")
    )

    assert response.status_code == 422, response.text
    (row,) = response.json()["rows"]
    assert (row["index"], field in row["reason"], "1990" in row["reason"]) == (1, True, True)
    assert await _fact_count(metrics) == 0


async def test_a_row_outside_a_county_or_the_process_of_its_category_is_named(
    metrics: Service, signing_key: SigningKey
) -> None:
    province_only = {**ROWS[1], "region": ROWS[1]["region"][:2]}
    design_review = {**ROWS[2], "steps": [*ROWS[2]["steps"], {**ROWS[2]["steps"][-1], "code": "design_review"}]}
    batch = [ROWS[0], province_only, design_review]

    response = await metrics.client.post(IMPORTS, json={"cases": batch}, headers=auth(signing_key, "admin"))

    rows = response.json()["rows"]
    assert (response.status_code, [row["index"] for row in rows]) == (422, [1, 2])
    assert "county-level" in rows[0]["reason"] and "design_review not a step" in rows[1]["reason"]
    assert await _fact_count(metrics) == 0


async def test_a_manager_imports_only_its_own_grid_company(metrics: Service, signing_key: SigningKey) -> None:
    manager = auth(signing_key, "manager", grid_company="SGCC-BJ")
    beijing = [row for row in ROWS if row["grid_company"] == "SGCC-BJ"]
    shanghai = next(row for row in ROWS if row["grid_company"] == "SGCC-SH")

    refused = await metrics.client.post(IMPORTS, json={"cases": [*beijing, shanghai]}, headers=manager)
    accepted = await metrics.client.post(IMPORTS, json={"cases": beijing}, headers=manager)

    assert refused.status_code == 422
    reason = "grid_company: SGCC-SH is not your grid company"
    assert refused.json()["rows"] == [{"index": len(beijing), "reason": reason}]
    assert accepted.json() == {"imported": len(beijing), "skipped": 0}


@pytest.mark.parametrize("role", ["regulator", "staff", "applicant"])
async def test_only_managers_and_admins_import(metrics: Service, signing_key: SigningKey, role: str) -> None:
    headers = auth(signing_key, role, regions=["*"], grid_company="SGCC-BJ")

    response = await metrics.client.post(IMPORTS, json={"cases": ROWS[:1]}, headers=headers)

    assert response.status_code == 403


async def test_a_batch_over_the_row_limit_is_refused_whole(metrics: Service, signing_key: SigningKey) -> None:
    limit = metrics.app.state.settings.import_max_rows
    rows = [
        case_row(
            f"X{i}",
            "residential_lv",
            "new_install",
            "110105",
            "SGCC-BJ",
            "2026-01-05T09:00:00+08:00",
            "2026-01-09T15:00:00+08:00",
        )
        for i in range(limit + 1)
    ]

    response = await metrics.client.post(IMPORTS, json={"cases": rows}, headers=auth(signing_key, "admin"))

    assert response.status_code == 413
    assert response.json()["max_rows"] == limit
    assert await _fact_count(metrics) == 0
