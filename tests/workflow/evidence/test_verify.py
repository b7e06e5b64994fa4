"""Evidence in the audit chain: a file or row swapped after the fact, or a row removed, fails verification."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from services.common import files
from services.common.clock import FixedClock
from tests.intake.helpers import JPEG, PNG
from tests.support.services import Service
from tests.workflow.support import Callers, add_evidence, connect, submit


async def _connected_with_photos(
    workflow: Service, clock: FixedClock, callers: Callers
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A connected job: a site photo at acceptance, the meter photo (and its number) at connection."""
    job = await submit(workflow, clock, callers)
    site = (await add_evidence(workflow, job, callers.staff(), step="accept", kind="site_photo", content=PNG)).json()
    job = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    job = (
        await workflow.client.post(
            f"/api/v1/jobs/{job['id']}/steps/accept/complete",
            headers={**callers.staff(), "If-Match": str(job["version"])},
        )
    ).json()
    assert (await connect(workflow, job, callers.staff())).status_code == 200
    meter = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/evidence", headers=callers.staff())).json()[-1]
    return job, site, meter


async def _verify(workflow: Service, callers: Callers) -> dict[str, Any]:
    return dict((await workflow.client.get("/api/v1/audit/verify", headers=callers.manager())).json())


async def _execute(workflow: Service, statement: str, **params: Any) -> None:
    async with workflow.app.state.database.engine.begin() as connection:
        await connection.execute(text(statement), params)


async def _point(workflow: Service, evidence: dict[str, Any], *, at: dict[str, Any]) -> None:
    """Make one piece of evidence's row name another's file."""
    statement = "UPDATE job_evidence SET sha256 = :other WHERE id = :id"
    await _execute(workflow, statement, other=at["sha256"], id=evidence["id"])


async def test_untouched_evidence_verifies(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    await _connected_with_photos(workflow, clock, callers)

    report = await _verify(workflow, callers)

    # created, site photo, accept completed, meter photo, connected
    assert report == {"ok": True, "checked": 5, "broken": []}


async def test_a_stored_file_swapped_for_another_fails_verification(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job, _site, meter = await _connected_with_photos(workflow, clock, callers)
    stored = files.path_for(workflow.app.state.service.settings.evidence_store, meter["sha256"])
    stored.write_bytes(JPEG + b"a different meter")

    report = await _verify(workflow, callers)

    assert (report["ok"], report["broken"]) == (
        False,
        [{"job_id": job["id"], "seq": 4, "reason": f"the file of evidence {meter['id']} does not match its SHA-256"}],
    )


async def test_a_row_pointed_at_another_file_fails_verification(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job, site, meter = await _connected_with_photos(workflow, clock, callers)
    # The meter photo's row now names the site photo's file: a swap that leaves every file intact.
    await _execute(
        workflow, "UPDATE job_evidence SET sha256 = :other WHERE id = :id", other=site["sha256"], id=meter["id"]
    )

    report = await _verify(workflow, callers)

    assert report["broken"] == [
        {"job_id": job["id"], "seq": 4, "reason": f"evidence {meter['id']} differs from what its upload entry recorded"}
    ]


async def test_a_swap_covered_by_editing_the_upload_entry_breaks_the_chain(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job, site, meter = await _connected_with_photos(workflow, clock, callers)
    await _execute(
        workflow, "UPDATE job_evidence SET sha256 = :other WHERE id = :id", other=site["sha256"], id=meter["id"]
    )
    history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.staff())).json()
    forged = {**history[3]["details"], "sha256": site["sha256"], "size": site["size"], "media_type": "image/png"}
    await _execute(
        workflow,
        "UPDATE audit_entry SET details = :details WHERE job_id = :job_id AND seq = 4",
        details=json.dumps(forged),
        job_id=job["id"],
    )

    report = await _verify(workflow, callers)

    assert report["ok"] is False
    assert {"job_id": job["id"], "seq": 4, "reason": "hash does not match the entry's contents"} in report["broken"]


async def test_a_removed_evidence_row_fails_verification(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job, _site, meter = await _connected_with_photos(workflow, clock, callers)
    await _execute(workflow, "DELETE FROM job_evidence WHERE id = :id", id=meter["id"])

    report = await _verify(workflow, callers)

    assert report["broken"] == [
        {"job_id": job["id"], "seq": 4, "reason": f"evidence {meter['id']} recorded here is missing"}
    ]
