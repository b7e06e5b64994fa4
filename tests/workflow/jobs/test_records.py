"""Fees and visits: customer money where zero investment applies is flagged, trips beyond the allowance too."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.workflow.support import Callers, problem, submit


async def _fee(workflow: Service, job: dict[str, Any], callers: Callers, **body: Any) -> Any:
    fee = {"code": "meter_box", "amount_yuan": "350.00", "payer": "customer", **body}
    return await workflow.client.post(f"/api/v1/jobs/{job['id']}/fees", json=fee, headers=callers.staff())


async def _visit(workflow: Service, job: dict[str, Any], callers: Callers, visited_on: str = "2026-11-26") -> Any:
    body = {"visited_on": visited_on, "purpose": "sign_contract"}
    return await workflow.client.post(f"/api/v1/jobs/{job['id']}/visits", json=body, headers=callers.staff())


async def test_a_customer_fee_where_zero_investment_applies_is_accepted_and_flagged(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers, category="sme_lv")

    response = await _fee(workflow, job, callers, note="charged for the meter box")

    body = response.json()
    assert (response.status_code, response.headers["etag"]) == (201, '"2"')
    assert (body["amount_yuan"], body["payer"], body["flagged"], body["recorded_by"]) == (
        "350.00",
        "customer",
        True,
        "staff-1",
    )


async def test_a_grid_paid_fee_is_not_flagged(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers, category="sme_lv")

    assert (await _fee(workflow, job, callers, payer="grid")).json()["flagged"] is False


async def test_a_customer_fee_where_the_customer_invests_is_not_flagged(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    # Under the 2018 rules other low-voltage non-residential users pay for their own connection.
    job = await submit(workflow, clock, callers, rule_set="2018-nea", category="non_residential_lv")

    assert (await _fee(workflow, job, callers)).json()["flagged"] is False


async def test_a_zero_customer_fee_is_not_flagged(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers, category="sme_lv")

    assert (await _fee(workflow, job, callers, amount_yuan=0)).json()["flagged"] is False


async def test_a_fee_of_minus_zero_is_recorded_as_zero(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers, category="sme_lv")

    recorded = (await _fee(workflow, job, callers, amount_yuan="-0")).json()
    listed = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()["fees"]

    assert (recorded["amount_yuan"], recorded["flagged"], [fee["amount_yuan"] for fee in listed]) == (
        "0.00",
        False,
        ["0.00"],
    )


@pytest.mark.parametrize("amount", ["-1", "1.005", "1e3x", "10000000000.00"])
async def test_a_fee_that_is_not_yuan_and_fen_is_422(
    workflow: Service, clock: FixedClock, callers: Callers, amount: str
) -> None:
    job = await submit(workflow, clock, callers)

    assert (await _fee(workflow, job, callers, amount_yuan=amount)).status_code == 422


async def test_fees_are_listed_on_the_job_in_order(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    await _fee(workflow, job, callers, code="first", amount_yuan=12.5)
    await _fee(workflow, job, callers, code="second", payer="grid")

    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()

    assert [(f["code"], f["amount_yuan"]) for f in read["fees"]] == [("first", "12.50"), ("second", "350.00")]


async def test_a_visit_within_the_allowance_is_not_over_it(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers, category="sme_lv")  # at most one trip

    response = await _visit(workflow, job, callers)

    assert (response.status_code, response.json()["over_allowance"]) == (201, False)


async def test_a_second_visit_is_over_the_allowance(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers, category="sme_lv")
    await _visit(workflow, job, callers)

    second = await _visit(workflow, job, callers, visited_on="2026-11-26")

    assert second.json()["over_allowance"] is True
    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    assert [v["over_allowance"] for v in read["visits"]] == [False, True]


async def test_a_residents_first_visit_is_over_the_allowance(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers, category="residential_lv")  # not a single trip

    assert (await _visit(workflow, job, callers)).json()["over_allowance"] is True


async def test_a_visit_in_the_future_is_422(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await _visit(workflow, job, callers, visited_on="2026-11-27")

    assert (response.status_code, problem(response)) == (422, "visit-in-future")


async def test_a_visit_before_the_application_was_submitted_is_422(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)

    response = await _visit(workflow, job, callers, visited_on="2026-11-25")

    assert (response.status_code, problem(response)) == (422, "visit-before-application")


async def test_a_visit_date_in_year_one_is_422(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await _visit(workflow, job, callers, visited_on="0001-01-01")

    assert response.status_code == 422


async def test_a_visit_purpose_is_one_of_a_closed_list(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers, category="sme_lv")
    body = {"visited_on": "2026-11-26", "purpose": "met Mr Zhang, phone 13800138000"}
    response = await workflow.client.post(f"/api/v1/jobs/{job['id']}/visits", json=body, headers=callers.staff())
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "purpose"


async def test_a_fee_sent_again_with_its_idempotency_key_is_recorded_once(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers, category="sme_lv")
    url = f"/api/v1/jobs/{job['id']}/fees"
    keyed = {**callers.staff(), "Idempotency-Key": "fee-1", "If-Match": str(job["version"])}
    fee = {"code": "meter_box", "amount_yuan": "800.00", "payer": "customer"}

    first = await workflow.client.post(url, json=fee, headers=keyed)
    # The retry of a lost answer: the same key and body, the If-Match it was sent with (now stale).
    again = await workflow.client.post(url, json=fee, headers=keyed)
    other = await workflow.client.post(url, json={**fee, "amount_yuan": "1.00"}, headers=keyed)
    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()

    assert (first.status_code, again.status_code, again.headers["idempotent-replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert (other.status_code, problem(other)) == (422, "idempotency-key-reused")
    assert ([f["id"] for f in read["fees"]], read["version"]) == ([first.json()["id"]], job["version"] + 1)


async def test_a_key_is_bound_to_its_job_and_let_go_by_a_change_that_failed(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job, other_job = await submit(workflow, clock, callers), await submit(workflow, clock, callers)
    keyed = {**callers.staff(), "Idempotency-Key": "visit-1"}
    visit = {"visited_on": "2026-11-26", "purpose": "sign_contract"}

    stale = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/visits", json=visit, headers={**keyed, "If-Match": "99"}
    )
    retried = await workflow.client.post(f"/api/v1/jobs/{job['id']}/visits", json=visit, headers=keyed)
    elsewhere = await workflow.client.post(f"/api/v1/jobs/{other_job['id']}/visits", json=visit, headers=keyed)

    assert (stale.status_code, retried.status_code) == (409, 201)
    assert (elsewhere.status_code, problem(elsewhere)) == (422, "idempotency-key-reused")


async def test_fees_sent_at_once_with_one_key_are_recorded_once(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers, category="sme_lv")
    keyed = {**callers.staff(), "Idempotency-Key": "fee-burst"}
    fee = {"code": "meter_box", "amount_yuan": "800.00", "payer": "customer"}

    answers = await asyncio.gather(
        *(workflow.client.post(f"/api/v1/jobs/{job['id']}/fees", json=fee, headers=keyed) for _ in range(4))
    )
    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()

    # Each is the first answer, or told that the first is still being answered.
    assert {answer.status_code for answer in answers} <= {201, 409} and len(read["fees"]) == 1
    assert all(answer.json()["id"] == read["fees"][0]["id"] for answer in answers if answer.status_code == 201)
