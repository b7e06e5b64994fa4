"""Reading evidence: the job's list, the file with its media type, for the job's company's staff and managers only."""

from __future__ import annotations

from services.common.clock import FixedClock
from tests.intake.helpers import JPEG, PNG
from tests.support.services import Service
from tests.workflow.support import SHANGHAI_GRID, Callers, add_evidence, problem, submit


async def test_the_job_lists_its_evidence_oldest_first_and_by_step(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    site = (await add_evidence(workflow, job, callers.staff(), step="accept", kind="site_photo", content=PNG)).json()
    meter = (await add_evidence(workflow, job, callers.manager())).json()
    base = f"/api/v1/jobs/{job['id']}"

    listed = (await workflow.client.get(f"{base}/evidence", headers=callers.staff())).json()
    accept = (await workflow.client.get(f"{base}/evidence", params={"step": "accept"}, headers=callers.staff())).json()
    on_the_job = (await workflow.client.get(base, headers=callers.manager())).json()

    assert listed == [site, meter]
    assert accept == [site]
    assert (on_the_job["evidence"], on_the_job["version"]) == ([site, meter], 3)


async def test_the_content_is_served_with_its_media_type(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    photo = (await add_evidence(workflow, job, callers.staff(), content=PNG)).json()

    response = await workflow.client.get(
        f"/api/v1/jobs/{job['id']}/evidence/{photo['id']}/content", headers=callers.manager()
    )

    assert (response.status_code, response.content) == (200, PNG)
    assert (response.headers["content-type"], response.headers["x-content-type-options"]) == ("image/png", "nosniff")
    assert response.headers["cache-control"] == "private, no-store"


async def test_staff_of_another_company_find_neither_the_job_nor_its_evidence(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    photo = (await add_evidence(workflow, job, callers.staff())).json()
    outsider = callers.staff(SHANGHAI_GRID, sub="staff-sh")
    base = f"/api/v1/jobs/{job['id']}/evidence"

    answers = [
        await add_evidence(workflow, job, outsider),
        await workflow.client.get(base, headers=outsider),
        await workflow.client.get(f"{base}/{photo['id']}/content", headers=outsider),
    ]

    assert [(a.status_code, problem(a)) for a in answers] == [(404, "job-not-found")] * 3
    listed = (await workflow.client.get(base, headers=callers.staff())).json()
    assert [e["id"] for e in listed] == [photo["id"]]


async def test_admins_applicants_and_regulators_may_not_touch_evidence(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    photo = (await add_evidence(workflow, job, callers.staff())).json()
    base = f"/api/v1/jobs/{job['id']}/evidence"

    for headers in (callers.admin(), callers.applicant(), callers.regulator()):
        assert (await add_evidence(workflow, job, headers)).status_code == 403
        assert (await workflow.client.get(base, headers=headers)).status_code == 403
        assert (await workflow.client.get(f"{base}/{photo['id']}/content", headers=headers)).status_code == 403
    admin_read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.admin())).json()
    assert admin_read["evidence"] is None


async def test_evidence_of_another_job_is_404_under_this_one(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    first, second = await submit(workflow, clock, callers), await submit(workflow, clock, callers)
    photo = (await add_evidence(workflow, first, callers.staff())).json()

    response = await workflow.client.get(
        f"/api/v1/jobs/{second['id']}/evidence/{photo['id']}/content", headers=callers.staff()
    )

    assert (response.status_code, problem(response)) == (404, "evidence-not-found")


async def test_a_file_gone_from_the_store_is_404_not_a_crash(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    photo = (await add_evidence(workflow, job, callers.staff(), content=JPEG)).json()
    store = workflow.app.state.service.settings.evidence_store
    (store / photo["sha256"][:2] / photo["sha256"]).unlink()

    response = await workflow.client.get(
        f"/api/v1/jobs/{job['id']}/evidence/{photo['id']}/content", headers=callers.staff()
    )

    assert (response.status_code, problem(response)) == (404, "evidence-not-found")
