"""Placement at and around every threshold, read from the rule set in force."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.clock import FixedClock
from tests.intake.helpers import sign_in, upload
from tests.support.services import Service


def _case(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "customer_type": "enterprise",
        "small_micro": True,
        "business_type": "new_install",
        "capacity_kva": 100,
        "dual_supply": False,
        "region": "110105",
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("changes", "category"),
    [
        ({"capacity_kva": "159.99"}, "sme_lv"),
        ({"capacity_kva": 160}, "sme_lv"),
        ({"capacity_kva": "160.01"}, "hv_single"),
        ({"capacity_kva": "160.01", "dual_supply": True}, "hv_dual"),
        ({"small_micro": False, "capacity_kva": 160}, "non_residential_lv"),
        ({"small_micro": False, "capacity_kva": "160.01"}, "hv_single"),
        ({"customer_type": "public_institution", "small_micro": False, "capacity_kva": 50}, "non_residential_lv"),
        ({"customer_type": "resident", "small_micro": False, "capacity_kva": 8}, "residential_lv"),
    ],
)
async def test_cases_are_placed_by_the_thresholds_in_force(
    intake: Service, changes: dict[str, object], category: str
) -> None:
    response = await intake.client.post("/api/v1/precheck", json=_case(**changes))
    assert response.status_code == 200, response.text
    assert response.json()["category"] == category
    assert response.json()["access_voltage"] == ("high" if category.startswith("hv") else "low")


async def test_a_regional_override_raises_the_threshold(intake: Service) -> None:
    guide = (await intake.client.get("/api/v1/guide")).json()
    shenzhen = guide["regional_thresholds"]["4403"]["sme_lv_max_kva"]
    beijing = (await intake.client.post("/api/v1/precheck", json=_case(capacity_kva=shenzhen))).json()
    local = (await intake.client.post("/api/v1/precheck", json=_case(capacity_kva=shenzhen, region="440305"))).json()
    assert shenzhen > 160
    assert beijing["category"] == "hv_single"
    assert local["category"] == "sme_lv"
    assert local["grid_company"] == "CSG-SZ"


async def test_precheck_with_a_token_says_what_is_on_file(intake: Service, clock: FixedClock) -> None:
    headers = await sign_in(intake.client, "alice")
    await upload(intake.client, headers, "id_card")
    await upload(intake.client, headers, "business_license", valid_until="2026-11-27")
    clock.advance(timedelta(days=2))
    answer = (await intake.client.post("/api/v1/precheck", headers=headers, json=_case())).json()
    assert answer["documents_on_file"] == ["id_card"]
    anonymous = (await intake.client.post("/api/v1/precheck", json=_case())).json()
    assert anonymous["documents_on_file"] == []
    assert anonymous["required_documents"] == answer["required_documents"]


@pytest.mark.parametrize("capacity", [0, -5, "abc", 10**9])
async def test_a_nonsense_capacity_is_a_validation_problem(intake: Service, capacity: object) -> None:
    response = await intake.client.post("/api/v1/precheck", json=_case(capacity_kva=capacity))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_guide_publishes_what_is_enforced(intake: Service) -> None:
    guide = (await intake.client.get("/api/v1/guide")).json()
    precheck = (await intake.client.post("/api/v1/precheck", json=_case())).json()
    assert guide["id"] == precheck["rule_set"]
    assert {c["code"] for c in guide["categories"]} == {
        "residential_lv",
        "sme_lv",
        "non_residential_lv",
        "hv_single",
        "hv_dual",
    }
