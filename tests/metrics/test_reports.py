"""The half-year report as JSON and CSV, and the grid-company ranking."""

from __future__ import annotations

import csv
import io

from services.intake.identity.keys import SigningKey
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth
from tests.support.services import Service


async def _load(metrics: Service, key: SigningKey) -> None:
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=auth(key, "admin"))


def _number(text: str) -> float | int | None:
    if text == "":
        return None
    return float(text) if any(c in text for c in ".e") else int(text)


async def test_the_csv_report_holds_the_same_numbers_as_the_json_one(metrics: Service, signing_key: SigningKey) -> None:
    await _load(metrics, signing_key)
    admin = auth(signing_key, "admin")

    as_json = (await metrics.client.get("/api/v1/reports/2026H1", headers=admin)).json()
    as_csv = await metrics.client.get("/api/v1/reports/2026H1", headers={**admin, "Accept": "text/csv"})

    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(as_csv.text)))
    from_json = (
        [("all", row) for row in as_json["rows"]]
        + [(company["grid_company"], row) for company in as_json["companies"] for row in company["rows"]]
        + [(row["grid_company"], row) for row in as_json["temporary"]]
    )
    assert len(lines) == len(from_json)
    for line, (company, row) in zip(lines, from_json, strict=True):
        assert (line["grid_company"], line["category"]) == (company, row["category"])
        for name, value in row.items():
            if name not in ("category", "grid_company"):
                assert _number(line[name]) == value, (company, row["category"], name)


async def test_the_json_report_equals_the_summary(metrics: Service, signing_key: SigningKey) -> None:
    await _load(metrics, signing_key)
    admin = auth(signing_key, "admin")

    report = (await metrics.client.get("/api/v1/reports/2026H1", headers=admin)).json()
    summary = (await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026H1"}, headers=admin)).json()

    assert (report["period_from"], report["period_to"]) == ("2026-01-01", "2026-06-30")
    assert report["rows"] == summary["rows"]


async def test_grid_companies_are_ranked_worst_first(metrics: Service, signing_key: SigningKey) -> None:
    await _load(metrics, signing_key)

    body = (
        await metrics.client.get(
            "/api/v1/metrics/grid-companies", params={"period": "2026H1"}, headers=auth(signing_key, "admin")
        )
    ).json()

    keys = [(c["within_limit_rate"], -c["avg_working_days"]) for c in body["companies"]]
    assert keys == sorted(keys)
    assert [c["rank"] for c in body["companies"]] == list(range(1, len(keys) + 1))
    assert {c["grid_company"] for c in body["companies"]} == {"SGCC-BJ", "SGCC-SH", "CSG-SZ"}
    for company in body["companies"]:
        assert company["connected_count"] == sum(row["connected_count"] for row in company["rows"])


async def test_a_bad_period_in_a_report_path_is_a_problem(metrics: Service, signing_key: SigningKey) -> None:
    response = await metrics.client.get("/api/v1/reports/2026H3", headers=auth(signing_key, "admin"))

    assert response.status_code == 422
    assert response.json()["type"].endswith("bad-period")
