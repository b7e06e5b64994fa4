"""The tools' field clients (demonstration, benchmarks, drills) send evidence the way the route takes it."""

from __future__ import annotations

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.workflow.support import Callers, complete, submit
from tools import fieldwork


async def test_a_raw_multipart_upload_then_the_completion_body_connect_the_job(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = (await complete(workflow, await submit(workflow, clock, callers), "accept", callers.staff())).json()
    (meter_photo,) = fieldwork.uploads(job["rule_set"], "connect", job_id=job["id"])
    body, content_type = fieldwork.encoded(meter_photo)

    # As the load benchmark sends it: the multipart body as bytes, with its content type.
    uploaded = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/evidence", content=body, headers={**callers.staff(), "content-type": content_type}
    )
    version = int(uploaded.headers["etag"].strip('"'))
    body_of_completion = fieldwork.completion(job["rule_set"], "connect", job_id=job["id"])
    connected = await complete(workflow, job, "connect", callers.staff(), version=version, body=body_of_completion)

    assert (uploaded.status_code, uploaded.json()["kind"]) == (201, "meter_photo")
    assert (connected.status_code, connected.json()["status"]) == (200, "connected")
    assert connected.json()["steps"][-1]["meter_number"] == fieldwork.meter_number(job["id"])


def test_a_step_the_rule_set_asks_nothing_of_has_no_uploads_and_no_body() -> None:
    assert fieldwork.uploads("2025-ndrc-nea", "accept", job_id="j") == []
    assert fieldwork.completion("2025-ndrc-nea", "accept", job_id="j") is None
