"""High-voltage steps as the rules say: design review and intermediate inspection for important customers only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.intake.helpers import application_body, sign_in, upload_all
from tests.support.services import Service

HV_DOCUMENTS = ("business_license", "id_card", "property_certificate", "equipment_list", "project_approval")
HV_CASE: dict[str, Any] = {"small_micro": False, "capacity_kva": 800}
ORDINARY = ["accept", "supply_plan", "completion_inspection", "connect"]
EVERY = ["accept", "supply_plan", "design_review", "intermediate_inspection", "completion_inspection", "connect"]


async def _apply(intake: Service, **changes: Any) -> dict[str, Any]:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers, HV_DOCUMENTS)
    response = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body(ids, **HV_CASE, **changes)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_an_ordinary_high_voltage_case_skips_design_review_and_intermediate_inspection(intake: Service) -> None:
    application = await _apply(intake)
    assert application["category"] == "hv_single"
    assert application["important_customer"] is False
    assert [step["code"] for step in application["steps"]] == ORDINARY


async def test_an_important_customer_has_every_high_voltage_step(intake: Service) -> None:
    application = await _apply(intake, important_customer=True)
    assert application["important_customer"] is True
    assert [step["code"] for step in application["steps"]] == EVERY


@pytest.mark.parametrize(("important", "steps", "total"), [(False, ORDINARY, 26), (True, EVERY, 41)])
async def test_the_precheck_gives_the_steps_and_total_for_the_customer(
    intake: Service, important: bool, steps: list[str], total: int
) -> None:
    case = {**application_body([], **HV_CASE, important_customer=important)}
    body = {k: case[k] for k in ("customer_type", "small_micro", "business_type", "capacity_kva", "region")}
    response = await intake.client.post("/api/v1/precheck", json={**body, "important_customer": important})
    assert [step["code"] for step in response.json()["steps"]] == steps
    assert response.json()["total_limit_working_days"] == total


async def test_importance_changes_nothing_at_low_voltage(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    body = application_body(await upload_all(intake.client, headers), important_customer=True)
    response = await intake.client.post("/api/v1/applications", headers=headers, json=body)
    assert [step["code"] for step in response.json()["steps"]] == ["accept", "connect"]


async def test_the_guide_says_which_steps_are_for_important_customers(intake: Service) -> None:
    guide = (await intake.client.get("/api/v1/guide")).json()
    hv = next(c for c in guide["categories"] if c["code"] == "hv_single")
    assert hv["important_customer_steps"] == ["design_review", "intermediate_inspection"]
    assert hv["ordinary_total_limit_working_days"] == 26
