"""Intake's events make and close jobs, once each."""

from __future__ import annotations

import json
import uuid
from typing import Any

from services.common.clock import FixedClock
from services.common.events import EventEnvelope, sign
from tests.support.services import EVENTS_SECRETS, Service
from tests.workflow.support import Callers, at, deliver, problem, submit, submitted


async def test_a_submission_makes_a_job_with_the_2025_steps_and_due_dates(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers, rule_set="2025-ndrc-nea", region="110105")

    assert (job["status"], job["category"], job["grid_company"], job["region"]) == (
        "in_progress",
        "sme_lv",
        "SGCC-BJ",
        "110105",
    )
    assert (job["rule_set"], job["current_step"], job["version"]) == ("2025-ndrc-nea", "accept", 1)
    accept, connect = job["steps"]
    assert (accept["code"], accept["limit_working_days"], connect["code"], connect["limit_working_days"]) == (
        "accept",
        3,
        "connect",
        12,
    )
    # Thursday 2026-11-26 plus 3 working days is Tuesday 2026-12-01.
    assert (accept["started_at"], accept["due_on"], accept["elapsed_working_days"]) == (
        "2026-11-26T02:00:00Z",
        "2026-12-01",
        0,
    )
    assert (connect["started_at"], connect["due_on"]) == (None, None)
    assert job["due_on"] == "2026-12-01"


async def test_a_submission_under_the_2018_rule_set_keeps_the_2018_limits(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers, rule_set="2018-nea")

    assert [(s["code"], s["limit_working_days"]) for s in job["steps"]] == [("accept", 5), ("connect", 20)]
    assert job["steps"][0]["due_on"] == "2026-12-03"


async def test_the_same_application_announced_twice_makes_one_job(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    data = submitted(submitted_at=clock.now())

    first = await deliver(workflow, clock, "application.submitted", data)
    second = await deliver(workflow, clock, "application.submitted", data)

    assert (first.json(), second.json()) == ({"status": "applied"}, {"status": "applied"})
    listed = await workflow.client.get("/api/v1/jobs", headers=callers.admin())
    assert listed.json()["total"] == 1


async def _deliver_batch(workflow: Service, clock: FixedClock, cases: list[dict[str, Any]]) -> list[str]:
    envelopes = [
        EventEnvelope(
            id=uuid.uuid4(),
            type="application.submitted",
            version=1,
            occurred_at=clock.now(),
            case_key=case["application_id"],
            source="intake",
            data=case,
        )
        for case in cases
    ]
    body = json.dumps({"events": [json.loads(e.model_dump_json()) for e in envelopes]}).encode()
    headers = sign(EVENTS_SECRETS["intake"], str(uuid.uuid4()), body, now=clock.now(), source="intake")
    response = await workflow.client.post(
        "/internal/events/batch", content=body, headers={**headers, "content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    return [result["status"] for result in response.json()["results"]]


async def test_the_jobs_of_a_batch_are_written_together_each_with_its_steps_and_first_audit_entry(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    cases = [submitted(submitted_at=clock.now()) for _ in range(5)]

    assert await _deliver_batch(workflow, clock, cases) == ["applied"] * 5

    for case in cases:
        (job,) = (
            await workflow.client.get(
                "/api/v1/jobs", params={"application_id": case["application_id"]}, headers=callers.admin()
            )
        ).json()["items"]
        history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.admin())).json()
        assert ([s["code"] for s in job["steps"]], [e["action"] for e in history]) == (
            ["accept", "connect"],
            ["created"],
        )


async def test_the_same_application_announced_twice_in_one_batch_makes_one_job(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    case = submitted(submitted_at=clock.now())

    # The second job clashes with the first when the batch commits; applied event by event, it finds the first.
    statuses = await _deliver_batch(workflow, clock, [case, case])

    assert statuses == ["applied", "applied"]
    listed = await workflow.client.get("/api/v1/jobs", headers=callers.admin())
    assert listed.json()["total"] == 1


async def test_a_redelivered_event_is_recorded_as_a_duplicate(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    data, event_id = submitted(submitted_at=clock.now()), uuid.uuid4()

    await deliver(workflow, clock, "application.submitted", data, event_id=event_id)
    again = await deliver(workflow, clock, "application.submitted", data, event_id=event_id)

    assert again.json() == {"status": "duplicate"}
    assert (await workflow.client.get("/api/v1/jobs", headers=callers.admin())).json()["total"] == 1


async def test_a_submission_naming_an_unknown_rule_set_is_refused_and_makes_nothing(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    response = await deliver(
        workflow, clock, "application.submitted", submitted(submitted_at=clock.now(), rule_set="2099-future")
    )

    assert response.status_code == 422
    assert (await workflow.client.get("/api/v1/jobs", headers=callers.admin())).json()["total"] == 0


async def test_a_withdrawal_closes_the_job(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    withdrawn = {"application_id": job["application_id"], "withdrawn_at": at("2026-11-26 11:00").isoformat()}

    response = await deliver(workflow, clock, "application.withdrawn", withdrawn)

    assert response.json() == {"status": "applied"}
    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    assert (read["status"], read["withdrawn_at"], read["current_step"], read["version"]) == (
        "withdrawn",
        "2026-11-26T03:00:00Z",
        None,
        2,
    )


async def test_a_withdrawn_job_takes_no_further_actions(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    await deliver(
        workflow,
        clock,
        "application.withdrawn",
        {"application_id": job["application_id"], "withdrawn_at": clock.now().isoformat()},
    )
    base = f"/api/v1/jobs/{job['id']}"

    answers = [
        await workflow.client.post(f"{base}/steps/accept/complete", headers={**callers.staff(), "If-Match": "2"}),
        await workflow.client.post(f"{base}/pause", json={"reason": "customer_request"}, headers=callers.staff()),
        await workflow.client.post(
            f"{base}/fees", json={"code": "x", "amount_yuan": "1", "payer": "grid"}, headers=callers.staff()
        ),
        await workflow.client.post(f"{base}/assign", json={"assignee": "staff-2"}, headers=callers.manager()),
    ]

    assert [a.status_code for a in answers] == [409, 409, 409, 409]
    assert {problem(a) for a in answers} == {"job-closed"}


async def test_an_ordinary_high_voltage_job_has_no_design_review_or_intermediate_inspection(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers, category="hv_single")
    assert [step["code"] for step in job["steps"]] == ["accept", "supply_plan", "completion_inspection", "connect"]


async def test_an_important_customers_high_voltage_job_has_every_step(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers, category="hv_dual", important_customer=True)
    assert [step["code"] for step in job["steps"]] == [
        "accept",
        "supply_plan",
        "design_review",
        "intermediate_inspection",
        "completion_inspection",
        "connect",
    ]


async def test_a_dispute_is_written_into_the_job_s_audit_chain_without_the_applicant_s_words(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    visit = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/visits",
        headers=callers.staff(),
        json={"visited_on": "2026-11-26", "purpose": "sign_contract"},
    )
    dispute = {
        "dispute_id": str(uuid.uuid4()),
        "application_id": job["application_id"],
        "record": "visit",
        "record_id": visit.json()["id"],
        "grid_company": job["grid_company"],
        "region": job["region"],
        "record_on": "2026-11-26",
        "disputed_at": clock.now().isoformat(),
    }

    response = await deliver(workflow, clock, "application.disputed", dispute)

    assert response.json() == {"status": "applied"}
    history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.staff())).json()
    assert (history[-1]["action"], history[-1]["actor"]) == ("disputed", "service:intake")
    assert history[-1]["details"] == {
        k: dispute[k] for k in ("dispute_id", "record", "record_id", "record_on", "disputed_at")
    }


def _contract_signed(job: dict[str, object], signed_at: str) -> dict[str, object]:
    return {
        "application_id": job["application_id"],
        "grid_company": job["grid_company"],
        "region": job["region"],
        "category": job["category"],
        "signed_at": at(signed_at).isoformat(),
        "sha256": "ab" * 32,
    }


async def test_a_contract_signed_online_is_on_the_job_and_in_its_audit_chain(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)

    response = await deliver(workflow, clock, "application.contract_signed", _contract_signed(job, "2026-11-26 11:00"))

    assert response.json() == {"status": "applied"}
    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    assert (read["contract_signed_at"], read["contract_sha256"]) == ("2026-11-26T03:00:00Z", "ab" * 32)
    history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.staff())).json()
    entry = history[-1]
    assert entry["action"] == "contract_signed" and entry["actor"] == "service:intake"
    assert entry["details"] == {"signed_at": "2026-11-26T03:00:00+00:00", "sha256": "ab" * 32}
    verified = await workflow.client.get("/api/v1/audit/verify", headers=callers.manager())
    assert verified.json()["ok"] is True


async def test_a_dispute_of_a_case_without_a_job_changes_nothing(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    dispute = {
        "dispute_id": str(uuid.uuid4()),
        "application_id": str(uuid.uuid4()),
        "record": "fee",
        "record_id": "fee-1",
        "grid_company": "SGCC-BJ",
        "region": "110105",
        "record_on": "2026-11-26",
        "disputed_at": clock.now().isoformat(),
    }

    response = await deliver(workflow, clock, "application.disputed", dispute)

    assert response.json() == {"status": "applied"}
    assert (await workflow.client.get("/api/v1/jobs", headers=callers.admin())).json()["total"] == 0


async def test_a_second_word_of_the_contract_signature_changes_nothing(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    await deliver(workflow, clock, "application.contract_signed", _contract_signed(job, "2026-11-26 11:00"))
    await deliver(workflow, clock, "application.contract_signed", _contract_signed(job, "2026-11-27 09:00"))

    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    assert read["contract_signed_at"] == "2026-11-26T03:00:00Z"
    history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.staff())).json()
    assert [e["action"] for e in history].count("contract_signed") == 1
