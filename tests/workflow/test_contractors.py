"""Contractor licences: imported by regulators, recorded on high-voltage jobs, checked at completion inspection."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.workflow.support import Callers, complete, problem, published, submit


def _licence(number: str, holder: str, licence_class: int, scopes: list[str], valid_until: str) -> dict[str, Any]:
    return {"number": number, "holder": holder, "class": licence_class, "scopes": scopes, "valid_until": valid_until}


LICENCES = [
    _licence("1-1-00001-2020", "华北送变电", 1, ["install", "repair"], "2031-12-31"),
    _licence("5-1-00002-2021", "小电力安装", 5, ["install"], "2031-12-31"),
    _licence("5-1-00003-2019", "旧证公司", 5, ["install"], "2025-12-31"),  # ended before the clock's day
    _licence("4-1-00004-2022", "只修不装", 4, ["repair", "test"], "2031-12-31"),
]


async def _import(workflow: Service, callers: Callers) -> httpx.Response:
    return await workflow.client.post(
        "/api/v1/contractors/import", headers=callers.regulator(), json={"licences": LICENCES}
    )


async def _to_completion_inspection(
    workflow: Service, clock: FixedClock, callers: Callers, *, category: str, licence: str | None
) -> dict[str, Any]:
    """A job at its completion inspection, with the contractor given recorded (if any)."""
    staff = callers.staff()
    job = await submit(workflow, clock, callers, category=category)
    if licence is not None:
        recorded = await workflow.client.post(
            f"/api/v1/jobs/{job['id']}/contractor", headers=staff, json={"licence_number": licence}
        )
        assert recorded.status_code == 200, recorded.text
        job = recorded.json()
    for code in ("accept", "supply_plan"):
        response = await complete(workflow, job, code, staff)
        assert response.status_code == 200, response.text
        job = response.json()
    assert job["current_step"] == "completion_inspection"
    return job


async def test_a_regulator_imports_licences_and_again_replaces_them(workflow: Service, callers: Callers) -> None:
    first = await _import(workflow, callers)
    again = await _import(workflow, callers)
    assert first.json() == {"imported": 4, "updated": 0}
    assert again.json() == {"imported": 0, "updated": 4}


async def test_staff_may_not_import_licences(workflow: Service, callers: Callers) -> None:
    response = await workflow.client.post(
        "/api/v1/contractors/import", headers=callers.staff(), json={"licences": LICENCES}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("category", "licence", "reason"),
    [
        ("hv_single", None, "missing"),
        ("hv_single", "9-9-99999-2099", "missing"),
        ("hv_single", "5-1-00003-2019", "expired"),
        ("hv_dual", "5-1-00002-2021", "class_too_low"),
        ("hv_single", "4-1-00004-2022", "scope"),
    ],
)
async def test_completion_inspection_is_refused_without_a_valid_licence(
    workflow: Service, clock: FixedClock, callers: Callers, category: str, licence: str | None, reason: str
) -> None:
    await _import(workflow, callers)
    job = await _to_completion_inspection(workflow, clock, callers, category=category, licence=licence)
    response = await complete(workflow, job, "completion_inspection", callers.staff())
    assert response.status_code == 422
    assert problem(response) == "licence-invalid"
    assert response.json()["reason"] == reason


@pytest.mark.parametrize(("category", "licence"), [("hv_single", "5-1-00002-2021"), ("hv_dual", "1-1-00001-2020")])
async def test_completion_inspection_goes_ahead_with_a_valid_licence_of_the_class(
    workflow: Service, clock: FixedClock, callers: Callers, category: str, licence: str
) -> None:
    await _import(workflow, callers)
    job = await _to_completion_inspection(workflow, clock, callers, category=category, licence=licence)
    response = await complete(workflow, job, "completion_inspection", callers.staff())
    assert response.status_code == 200, response.text
    assert response.json()["current_step"] == "connect"
    assert response.json()["contractor_licence_number"] == licence


async def test_a_low_voltage_job_has_no_contractor_to_record(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    response = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/contractor", headers=callers.staff(), json={"licence_number": "5-1-00002-2021"}
    )
    assert response.status_code == 422
    assert problem(response) == "contractor-not-applicable"


async def test_recording_a_contractor_tells_metrics_whether_its_licence_is_valid(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    await _import(workflow, callers)
    job = await submit(workflow, clock, callers, category="hv_dual")
    for number in ("5-1-00002-2021", "1-1-00001-2020"):
        response = await workflow.client.post(
            f"/api/v1/jobs/{job['id']}/contractor", headers=callers.staff(), json={"licence_number": number}
        )
        assert response.status_code == 200, response.text
    events = [e["data"] for e in await published(workflow, "job.contractor_recorded")]
    assert [(e["licence_number"], e["licence_valid"], e["licence_problem"]) for e in events] == [
        ("5-1-00002-2021", False, "class_too_low"),
        ("1-1-00001-2020", True, None),
    ]
