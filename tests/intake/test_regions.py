"""GET /regions/{code}: every real code answered with its grid company; anything else is unknown-region."""

from __future__ import annotations

import random

import pytest

from services.common.rules import region_list
from tests.common.test_regions import expected_company
from tests.intake.helpers import SME_CASE
from tests.support.services import Service


async def test_a_random_real_code_of_every_province_is_served_by_the_right_company(intake: Service) -> None:
    regions = region_list()
    chooser = random.Random(31)
    for province, province_name in regions.provinces.items():
        code = chooser.choice(sorted(c for c in regions.counties if c.startswith(province)))
        response = await intake.client.get(f"/api/v1/regions/{code}")
        assert response.status_code == 200, response.text
        assert response.json() == {
            "code": code,
            "name": regions.counties[code],
            "province": province_name,
            "province_code": province,
            "grid_company": expected_company(code),
        }


@pytest.mark.parametrize(
    ("code", "company"),
    [("510104", "SGCC-SC"), ("440106", "CSG-GZ"), ("440305", "CSG-SZ"), ("150102", "IMPC"), ("150402", "SGCC-MD")],
)
async def test_named_places_are_served_by_their_company(intake: Service, code: str, company: str) -> None:
    assert (await intake.client.get(f"/api/v1/regions/{code}")).json()["grid_company"] == company


@pytest.mark.parametrize("code", ["990101", "110199", "11", "4403", "510100", "abc", "1101050"])
async def test_a_code_that_is_not_a_real_county_code_is_unknown_region(intake: Service, code: str) -> None:
    response = await intake.client.get(f"/api/v1/regions/{code}")
    assert response.status_code == 422
    assert response.json()["type"].endswith("unknown-region")
    assert response.json()["region"] == code


async def test_a_chengdu_case_is_prechecked_with_state_grid_sichuan(intake: Service) -> None:
    response = await intake.client.post("/api/v1/precheck", json={**SME_CASE, "region": "510104"})
    assert response.status_code == 200, response.text
    assert response.json()["grid_company"] == "SGCC-SC"


@pytest.mark.parametrize("region", ["990101", "51", "510100"])
async def test_a_precheck_in_a_made_up_region_is_unknown_region(intake: Service, region: str) -> None:
    response = await intake.client.post("/api/v1/precheck", json={**SME_CASE, "region": region})
    assert response.status_code == 422
    assert response.json()["type"].endswith("unknown-region")


async def test_the_guide_gives_the_rules_in_force_on_a_day(intake: Service) -> None:
    old = (await intake.client.get("/api/v1/guide", params={"on": "2024-05-01"})).json()
    new = (await intake.client.get("/api/v1/guide", params={"on": "2025-07-01"})).json()
    assert old["id"] == "2018-nea"
    assert new["id"] == "2025-ndrc-nea"


async def test_the_guide_for_a_place_names_its_company_and_thresholds(intake: Service) -> None:
    params = {"region": "440305", "on": "2025-07-01"}
    guide = (await intake.client.get("/api/v1/guide", params=params)).json()
    assert guide["region"]["grid_company"] == "CSG-SZ"
    assert guide["region"]["province"] == "广东省"
    assert guide["region"]["thresholds"]["sme_lv_max_kva"] == 200
    beijing = (await intake.client.get("/api/v1/guide", params={"region": "110105", "on": "2025-07-01"})).json()
    assert beijing["region"]["thresholds"]["sme_lv_max_kva"] == 160


async def test_the_guide_for_a_made_up_place_is_unknown_region(intake: Service) -> None:
    response = await intake.client.get("/api/v1/guide", params={"region": "990101"})
    assert response.status_code == 422
    assert response.json()["type"].endswith("unknown-region")
