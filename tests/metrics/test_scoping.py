"""Who sees what: regulators their region prefixes, managers their company, admins all, others nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.intake.identity.keys import SigningKey
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth, expected_rows
from tests.support.services import Service

SUMMARY = "/api/v1/metrics/summary"
H1 = (date(2026, 1, 1), date(2026, 6, 30))


async def _load(metrics: Service, key: SigningKey) -> None:
    response = await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=auth(key, "admin"))
    assert response.status_code == 200


def _counts(body: dict[str, Any]) -> dict[str, int]:
    return {row["category"]: row["connected_count"] for row in body["rows"] if row["connected_count"]}


def _expected_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {category: f["connected_count"] for category, f in expected_rows(rows, *H1).items()}


async def test_a_regulator_sees_only_cases_in_its_region_prefixes(metrics: Service, signing_key: SigningKey) -> None:
    await _load(metrics, signing_key)
    regulator = auth(signing_key, "regulator", regions=["11", "4403"])

    body = (await metrics.client.get(SUMMARY, params={"period": "2026H1"}, headers=regulator)).json()

    mine = [row for row in ROWS if row["region"].startswith(("11", "4403"))]
    assert _counts(body) == _expected_counts(mine)


async def test_a_regulator_narrows_to_a_county_within_its_prefixes(metrics: Service, signing_key: SigningKey) -> None:
    await _load(metrics, signing_key)
    regulator = auth(signing_key, "regulator", regions=["11"])

    params = {"period": "2026H1", "region": "110105"}
    body = (await metrics.client.get(SUMMARY, params=params, headers=regulator)).json()

    county = [row for row in ROWS if row["region"] == "110105"]
    figures = expected_rows(county, *H1)
    assert _counts(body) == _expected_counts(county)
    for row in body["rows"]:
        if row["connected_count"]:
            assert row["avg_working_days"] == pytest.approx(figures[row["category"]]["avg_working_days"])


async def test_a_region_filter_outside_the_regulators_prefixes_is_forbidden(
    metrics: Service, signing_key: SigningKey
) -> None:
    regulator = auth(signing_key, "regulator", regions=["4403"])

    wider = await metrics.client.get(SUMMARY, params={"period": "2026H1", "region": "44"}, headers=regulator)
    other = await metrics.client.get(SUMMARY, params={"period": "2026H1", "region": "11"}, headers=regulator)

    assert (wider.status_code, other.status_code) == (403, 403)


async def test_a_manager_sees_only_its_grid_company(metrics: Service, signing_key: SigningKey) -> None:
    await _load(metrics, signing_key)
    manager = auth(signing_key, "manager", grid_company="SGCC-SH")

    own = (await metrics.client.get(SUMMARY, params={"period": "2026H1"}, headers=manager)).json()
    other = await metrics.client.get(SUMMARY, params={"period": "2026H1", "grid_company": "CSG-SZ"}, headers=manager)
    ranking = (
        await metrics.client.get("/api/v1/metrics/grid-companies", params={"period": "2026H1"}, headers=manager)
    ).json()

    assert _counts(own) == _expected_counts([row for row in ROWS if row["grid_company"] == "SGCC-SH"])
    assert other.status_code == 403
    assert [company["grid_company"] for company in ranking["companies"]] == ["SGCC-SH"]


@pytest.mark.parametrize("role", ["applicant", "staff"])
async def test_applicants_and_staff_see_no_figures(metrics: Service, signing_key: SigningKey, role: str) -> None:
    response = await metrics.client.get(
        SUMMARY, params={"period": "2026H1"}, headers=auth(signing_key, role, grid_company="SGCC-BJ")
    )

    assert response.status_code == 403


async def test_figures_need_a_token(metrics: Service) -> None:
    response = await metrics.client.get(SUMMARY, params={"period": "2026H1"})

    assert response.status_code == 401


async def test_a_case_outside_the_regulators_regions_is_not_found(metrics: Service, signing_key: SigningKey) -> None:
    await _load(metrics, signing_key)
    admin = auth(signing_key, "admin")
    violations = (
        await metrics.client.get("/api/v1/metrics/violations", params={"period": "2026H1"}, headers=admin)
    ).json()
    shanghai = next(item["case_id"] for item in violations["items"] if item["region"].startswith("31"))

    seen = await metrics.client.get(
        f"/api/v1/metrics/cases/{shanghai}", headers=auth(signing_key, "regulator", regions=["31"])
    )
    hidden = await metrics.client.get(
        f"/api/v1/metrics/cases/{shanghai}", headers=auth(signing_key, "regulator", regions=["11"])
    )

    assert seen.status_code == 200 and seen.json()["region"].startswith("31")
    assert hidden.status_code == 404


@pytest.mark.parametrize("prefix", ["%", "3_0", "_", "11%"])
async def test_a_regulator_prefix_with_like_wildcards_matches_no_region(
    metrics: Service, signing_key: SigningKey, prefix: str
) -> None:
    await _load(metrics, signing_key)
    regulator = auth(signing_key, "regulator", regions=[prefix])

    summary = await metrics.client.get(SUMMARY, params={"period": "2026H1"}, headers=regulator)
    cut = await metrics.client.get(SUMMARY, params={"from": "2026-01-10", "to": "2026-06-20"}, headers=regulator)

    assert _counts(summary.json()) == _counts(cut.json()) == {}
