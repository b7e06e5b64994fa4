"""12398 complaints: recorded by regulators in their regions, listed by scope."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake.identity.keys import SigningKey
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth
from tests.support.services import Service

COMPLAINTS = "/api/v1/complaints"


def _complaint(region: str, grid_company: str, **changes: Any) -> dict[str, Any]:
    return {
        "received_at": "2026-03-05T10:15:00+08:00",
        "region": region,
        "grid_company": grid_company,
        "category": "delay",
        "summary": "装表接电超过承诺时限",
        **changes,
    }


async def test_a_regulator_records_a_complaint_in_its_region_and_lists_it(
    metrics: Service, signing_key: SigningKey
) -> None:
    beijing = auth(signing_key, "regulator", regions=["11"])

    created = await metrics.client.post(COMPLAINTS, json=_complaint("110105", "SGCC-BJ"), headers=beijing)
    await metrics.client.post(COMPLAINTS, json=_complaint("310101", "SGCC-SH"), headers=auth(signing_key, "admin"))
    listed = (await metrics.client.get(COMPLAINTS, params={"period": "2026Q1"}, headers=beijing)).json()

    assert created.status_code == 201
    assert created.json()["received_on"] == "2026-03-05"
    assert [item["id"] for item in listed["items"]] == [created.json()["id"]]


async def test_a_regulator_cannot_record_outside_its_regions(metrics: Service, signing_key: SigningKey) -> None:
    response = await metrics.client.post(
        COMPLAINTS, json=_complaint("310101", "SGCC-SH"), headers=auth(signing_key, "regulator", regions=["11"])
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    "phone",
    [
        "138 0013 8000",
        "138.0013.8000",
        "138-0013-8000",
        "(010)6512/3456",
        "１３８００１３８０００",
        "138·0013·8000",
        "138－0013－8000",  # full-width hyphen
        "138—0013—8000",
        "138~0013~8000",
        "138、0013、8000",
        "一三八〇〇一三八〇〇〇",
    ],
)
async def test_a_complaint_summary_with_a_phone_number_is_refused(
    metrics: Service, signing_key: SigningKey, phone: str
) -> None:
    body = _complaint("110105", "SGCC-BJ", summary=f"客户电话 {phone} 要求回电")

    response = await metrics.client.post(COMPLAINTS, json=body, headers=auth(signing_key, "regulator", regions=["11"]))

    assert response.status_code == 422


async def test_a_complaint_summary_with_short_numbers_is_kept(metrics: Service, signing_key: SigningKey) -> None:
    body = _complaint("110105", "SGCC-BJ", summary="表箱费 1,200.50 元, 等了 15 个工作日, 第一次上门 9:30-11:45 无人")

    response = await metrics.client.post(COMPLAINTS, json=body, headers=auth(signing_key, "regulator", regions=["11"]))

    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "received_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1989-12-31T12:00:00Z"]
)
async def test_a_complaint_received_outside_the_reported_years_is_refused(
    metrics: Service, signing_key: SigningKey, received_at: str
) -> None:
    body = _complaint("110105", "SGCC-BJ", received_at=received_at)

    response = await metrics.client.post(COMPLAINTS, json=body, headers=auth(signing_key, "admin"))
    listed = (await metrics.client.get(COMPLAINTS, headers=auth(signing_key, "admin"))).json()

    assert (response.status_code, response.json()["errors"][0]["loc"][-1]) == (422, "received_at")
    assert listed["total"] == 0


async def test_an_offset_past_any_list_is_refused_not_sent_to_the_database(
    metrics: Service, signing_key: SigningKey
) -> None:
    response = await metrics.client.get(COMPLAINTS, params={"offset": str(2**63)}, headers=auth(signing_key, "admin"))

    assert (response.status_code, response.headers["content-type"]) == (422, "application/problem+json")


async def test_a_complaint_sent_again_with_its_idempotency_key_is_recorded_once(
    metrics: Service, signing_key: SigningKey
) -> None:
    beijing = {**auth(signing_key, "regulator", regions=["11"]), "Idempotency-Key": "hotline-call-1"}
    body = _complaint("110105", "SGCC-BJ")

    first = await metrics.client.post(COMPLAINTS, json=body, headers=beijing)
    again = await metrics.client.post(COMPLAINTS, json=body, headers=beijing)
    other = await metrics.client.post(COMPLAINTS, json={**body, "category": "fee"}, headers=beijing)
    listed = (await metrics.client.get(COMPLAINTS, headers=beijing)).json()

    assert (first.status_code, again.status_code, again.headers["idempotent-replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert (other.status_code, other.json()["type"].rsplit("/", 1)[-1]) == (422, "idempotency-key-reused")
    assert [item["id"] for item in listed["items"]] == [first.json()["id"]]


async def test_a_complaint_naming_the_wrong_grid_company_is_refused(metrics: Service, signing_key: SigningKey) -> None:
    response = await metrics.client.post(
        COMPLAINTS, json=_complaint("110105", "SGCC-SH"), headers=auth(signing_key, "admin")
    )

    assert response.status_code == 422


async def test_a_manager_lists_only_its_companys_complaints(metrics: Service, signing_key: SigningKey) -> None:
    admin = auth(signing_key, "admin")
    await metrics.client.post(COMPLAINTS, json=_complaint("110105", "SGCC-BJ"), headers=admin)
    await metrics.client.post(COMPLAINTS, json=_complaint("440305", "CSG-SZ"), headers=admin)

    listed = (await metrics.client.get(COMPLAINTS, headers=auth(signing_key, "manager", grid_company="CSG-SZ"))).json()
    refused = await metrics.client.post(
        COMPLAINTS, json=_complaint("440305", "CSG-SZ"), headers=auth(signing_key, "manager", grid_company="CSG-SZ")
    )

    assert [item["grid_company"] for item in listed["items"]] == ["CSG-SZ"]
    assert refused.status_code == 403


async def _recorded(metrics: Service, signing_key: SigningKey, region: str = "110105", company: str = "SGCC-BJ") -> str:
    response = await metrics.client.post(
        COMPLAINTS, json=_complaint(region, company), headers=auth(signing_key, "admin")
    )
    return str(response.json()["id"])


async def test_a_complaint_is_assigned_then_resolved_with_its_resolution(
    metrics: Service, signing_key: SigningKey
) -> None:
    complaint_id = await _recorded(metrics, signing_key)
    regulator = auth(signing_key, "regulator", regions=["11"])

    assigned = await metrics.client.patch(
        f"{COMPLAINTS}/{complaint_id}", json={"status": "assigned"}, headers=regulator
    )
    resolved = await metrics.client.patch(
        f"{COMPLAINTS}/{complaint_id}",
        json={"status": "resolved", "resolution": "已退还表箱费用"},
        headers=auth(signing_key, "manager", grid_company="SGCC-BJ"),
    )
    listed = (await metrics.client.get(COMPLAINTS, headers=regulator)).json()

    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["resolution"]) == ("resolved", "已退还表箱费用")
    assert listed["items"][0]["status"] == "resolved"


async def test_resolving_without_a_resolution_is_refused(metrics: Service, signing_key: SigningKey) -> None:
    complaint_id = await _recorded(metrics, signing_key)

    response = await metrics.client.patch(
        f"{COMPLAINTS}/{complaint_id}", json={"status": "resolved"}, headers=auth(signing_key, "admin")
    )

    assert response.status_code == 422


async def test_a_complaint_status_never_goes_back(metrics: Service, signing_key: SigningKey) -> None:
    complaint_id = await _recorded(metrics, signing_key)
    admin = auth(signing_key, "admin")
    await metrics.client.patch(
        f"{COMPLAINTS}/{complaint_id}", json={"status": "resolved", "resolution": "ok"}, headers=admin
    )

    response = await metrics.client.patch(f"{COMPLAINTS}/{complaint_id}", json={"status": "assigned"}, headers=admin)

    assert response.status_code == 409


async def test_a_complaint_outside_the_callers_scope_is_not_found(metrics: Service, signing_key: SigningKey) -> None:
    complaint_id = await _recorded(metrics, signing_key, "310101", "SGCC-SH")

    regulator = await metrics.client.patch(
        f"{COMPLAINTS}/{complaint_id}",
        json={"status": "assigned"},
        headers=auth(signing_key, "regulator", regions=["11"]),
    )
    manager = await metrics.client.patch(
        f"{COMPLAINTS}/{complaint_id}",
        json={"status": "assigned"},
        headers=auth(signing_key, "manager", grid_company="SGCC-BJ"),
    )

    assert (regulator.status_code, manager.status_code) == (404, 404)


async def test_grid_company_rows_carry_complaints_per_10k_cases_and_the_average_rating(
    metrics: Service, signing_key: SigningKey
) -> None:
    admin = auth(signing_key, "admin")
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=admin)
    await _recorded(metrics, signing_key)
    await _recorded(metrics, signing_key)

    body = (
        await metrics.client.get("/api/v1/metrics/grid-companies", params={"period": "2026H1"}, headers=admin)
    ).json()
    report = (await metrics.client.get("/api/v1/reports/2026H1", headers=admin)).json()

    beijing = next(c for c in body["companies"] if c["grid_company"] == "SGCC-BJ")
    assert beijing["complaints_count"] == 2
    assert beijing["complaints_per_10k"] == 2 * 10_000 / beijing["connected_count"]
    assert beijing["disputes_count"] == 0
    assert beijing["avg_evaluation"] is None
    assert next(c for c in report["companies"] if c["grid_company"] == "SGCC-BJ")["complaints_count"] == 2
