"""Published half-years: frozen versions served without an account, as JSON and CSV."""

from __future__ import annotations

import asyncio
import csv
import io

from services.intake.identity.keys import SigningKey
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth, case_row
from tests.support.services import Service

PUBLIC = "/api/v1/public/reports/2026H1"
PUBLISH = "/api/v1/reports/2026H1/publish"
# A construction site's temporary supply in Beijing, connected in the half-year.
TEMPORARY = case_row(
    "BJ-T1",
    "sme_lv",
    "temporary",
    "110105",
    "SGCC-BJ",
    "2026-04-01T09:00:00+08:00",
    "2026-04-08T16:00:00+08:00",
)
LATE = case_row(
    "SH-LATE",
    "residential_lv",
    "new_install",
    "310101",
    "SGCC-SH",
    "2026-05-04T09:00:00+08:00",
    "2026-05-08T16:00:00+08:00",
)


async def _import(metrics: Service, key: SigningKey, rows: list[dict[str, object]]) -> None:
    response = await metrics.client.post("/api/v1/imports/cases", json={"cases": rows}, headers=auth(key, "admin"))
    assert response.status_code == 200, response.text


async def test_a_half_year_is_not_public_before_it_is_published(metrics: Service) -> None:
    response = await metrics.client.get(PUBLIC)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_published_report_is_served_without_an_account_and_equals_the_report(
    metrics: Service, signing_key: SigningKey
) -> None:
    await _import(metrics, signing_key, [*ROWS, TEMPORARY])
    admin = auth(signing_key, "admin")

    published = await metrics.client.post(PUBLISH, headers=admin)
    public = await metrics.client.get(PUBLIC)
    report = (await metrics.client.get("/api/v1/reports/2026H1", headers=admin)).json()

    assert published.status_code == 201, published.text
    assert public.status_code == 200
    body = public.json()
    assert body["version"] == 1
    assert (body["rows"], body["companies"], body["temporary"]) == (
        report["rows"],
        report["companies"],
        report["temporary"],
    )


async def test_temporary_connections_are_a_line_of_their_own(metrics: Service, signing_key: SigningKey) -> None:
    await _import(metrics, signing_key, [*ROWS, TEMPORARY])
    await metrics.client.post(PUBLISH, headers=auth(signing_key, "admin"))

    body = (await metrics.client.get(PUBLIC)).json()
    as_csv = await metrics.client.get(PUBLIC, headers={"Accept": "text/csv"})

    lines = {(line["grid_company"], line["category"]): line for line in csv.DictReader(io.StringIO(as_csv.text))}
    assert [(t["grid_company"], t["connected_count"]) for t in body["temporary"]] == [("all", 1), ("SGCC-BJ", 1)]
    assert lines[("SGCC-BJ", "temporary")]["connected_count"] == "1"
    assert as_csv.headers["content-type"].startswith("text/csv")


async def test_late_imports_do_not_change_a_published_version_and_publishing_again_makes_a_new_one(
    metrics: Service, signing_key: SigningKey
) -> None:
    await _import(metrics, signing_key, ROWS)
    regulator = auth(signing_key, "regulator", regions=["*"])
    await metrics.client.post(PUBLISH, headers=regulator)
    first = (await metrics.client.get(PUBLIC)).json()

    await _import(metrics, signing_key, [LATE])
    unchanged = (await metrics.client.get(PUBLIC)).json()
    await metrics.client.post(PUBLISH, headers=regulator)
    second = (await metrics.client.get(PUBLIC)).json()

    def total(body: dict[str, object]) -> int:
        return sum(row["connected_count"] for row in body["rows"])  # type: ignore[attr-defined, index]

    assert unchanged == first
    assert (second["version"], total(second)) == (2, total(first) + 1)


async def test_publications_sent_at_once_each_freeze_a_version_of_their_own(
    metrics: Service, signing_key: SigningKey
) -> None:
    await _import(metrics, signing_key, ROWS)
    admin = auth(signing_key, "admin")

    answers = await asyncio.gather(*(metrics.client.post(PUBLISH, headers=admin) for _ in range(5)))

    assert [answer.status_code for answer in answers] == [201] * 5
    assert sorted(answer.json()["version"] for answer in answers) == [1, 2, 3, 4, 5]
    assert (await metrics.client.get(PUBLIC)).json()["version"] == 5


async def test_only_admins_and_nationwide_regulators_publish(metrics: Service, signing_key: SigningKey) -> None:
    beijing = await metrics.client.post(PUBLISH, headers=auth(signing_key, "regulator", regions=["11"]))
    manager = await metrics.client.post(PUBLISH, headers=auth(signing_key, "manager", grid_company="SGCC-BJ"))
    quarter = await metrics.client.post("/api/v1/reports/2026Q1/publish", headers=auth(signing_key, "admin"))

    assert (beijing.status_code, manager.status_code, quarter.status_code) == (403, 403, 422)
