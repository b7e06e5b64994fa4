"""Completing a step needs the evidence its rule set names; what was recorded stays on the step and in the audit."""

from __future__ import annotations

from typing import Any

import pytest

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.workflow.support import Callers, add_evidence, complete, problem, published, submit
from tools.fieldwork import photo


async def _at_connect(workflow: Service, clock: FixedClock, callers: Callers, **case: Any) -> dict[str, Any]:
    job = await submit(workflow, clock, callers, **case)
    response = await complete(workflow, job, "accept", callers.staff())
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _reread(workflow: Service, job: dict[str, Any], callers: Callers) -> dict[str, Any]:
    return dict((await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json())


@pytest.mark.parametrize("rule_set", ["2025-ndrc-nea", "2018-nea"])
async def test_connecting_with_nothing_lists_the_meter_photo_and_number_at_once(
    workflow: Service, clock: FixedClock, callers: Callers, rule_set: str
) -> None:
    job = await _at_connect(workflow, clock, callers, rule_set=rule_set)

    response = await complete(workflow, job, "connect", callers.staff())

    assert (response.status_code, problem(response), response.json()["missing_evidence"]) == (
        422,
        "missing-evidence",
        ["meter_photo", "meter_number"],
    )
    assert (await _reread(workflow, job, callers))["version"] == job["version"]


async def test_a_meter_photo_without_the_number_lists_the_number_alone(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await _at_connect(workflow, clock, callers)
    await add_evidence(workflow, job, callers.staff())
    job = await _reread(workflow, job, callers)

    response = await complete(workflow, job, "connect", callers.staff(), body={"note": "fitted"})

    assert (response.status_code, response.json()["missing_evidence"]) == (422, ["meter_number"])


async def test_a_site_photo_or_a_meter_photo_of_another_step_does_not_count(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await _at_connect(workflow, clock, callers)
    await add_evidence(workflow, job, callers.staff(), kind="site_photo")
    await add_evidence(workflow, job, callers.staff(), step="accept")
    job = await _reread(workflow, job, callers)

    response = await complete(workflow, job, "connect", callers.staff(), body={"meter_number": "3300123456"})

    assert (response.status_code, response.json()["missing_evidence"]) == (422, ["meter_photo"])


async def test_the_engineers_record_is_kept_on_the_step(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await _at_connect(workflow, clock, callers)
    await add_evidence(workflow, job, callers.staff())
    job = await _reread(workflow, job, callers)
    record = {"note": "表箱已封印", "meter_number": "3300123456", "meter_reading": "0.50"}

    response = await complete(workflow, job, "connect", callers.staff(), body=record)

    connect_step = response.json()["steps"][1]
    assert (response.status_code, response.json()["status"]) == (200, "connected")
    assert {name: connect_step[name] for name in record} == record
    assert (await _reread(workflow, job, callers))["steps"][1]["meter_reading"] == "0.50"


async def test_a_step_that_needs_nothing_takes_a_note(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await complete(workflow, job, "accept", callers.staff(), body={"note": "surveyed, contract signed"})

    assert (response.status_code, response.json()["steps"][0]["note"]) == (200, "surveyed, contract signed")


@pytest.mark.parametrize(
    "body",
    [
        {"meter_reading": "-1"},
        {"meter_reading": "1.234"},
        {"meter_reading": "NaN"},
        {"meter_number": "33 00"},
        {"meter_number": "3" * 33},
        {"note": "x" * 501},
        {"note": ""},
        {"reading": "1"},
    ],
)
async def test_a_malformed_record_is_422(
    workflow: Service, clock: FixedClock, callers: Callers, body: dict[str, str]
) -> None:
    job = await submit(workflow, clock, callers)

    response = await complete(workflow, job, "accept", callers.staff(), body=body)

    assert (response.status_code, problem(response)) == (422, "unprocessable")


async def test_the_completion_audit_entry_lists_the_evidence_it_relied_on(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await _at_connect(workflow, clock, callers)
    photos = [
        (await add_evidence(workflow, job, callers.staff(), content=content)).json()
        for content in (photo("first"), photo("second"))
    ]
    job = await _reread(workflow, job, callers)
    await complete(workflow, job, "connect", callers.staff(), body={"meter_number": "3300123456"})

    history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.staff())).json()

    uploads = [e for e in history if e["action"] == "evidence_uploaded"]
    assert [e["details"]["sha256"] for e in uploads] == [p["sha256"] for p in photos]
    completion = history[-1]
    assert (completion["action"], completion["details"]["meter_number"]) == ("step_completed", "3300123456")
    assert completion["details"]["evidence"] == [
        {"id": p["id"], "kind": "meter_photo", "sha256": p["sha256"]} for p in photos
    ]


async def test_evidence_and_the_meter_never_reach_the_other_services(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await _at_connect(workflow, clock, callers)
    photo = (await add_evidence(workflow, job, callers.staff())).json()
    job = await _reread(workflow, job, callers)
    await complete(workflow, job, "connect", callers.staff(), body={"meter_number": "MTR-998877", "note": "sealed"})

    events = await published(workflow)

    assert [e["type"] for e in events][-2:] == ["job.step_completed", "job.connected"]
    text = repr(events)
    assert all(secret not in text for secret in (photo["sha256"], photo["id"], "MTR-998877", "sealed"))
