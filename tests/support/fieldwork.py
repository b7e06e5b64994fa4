"""Completing a step as a field app does: the evidence the job's rule set asks for first, then the completion."""

from __future__ import annotations

from typing import Any

import httpx

from tools import fieldwork


async def complete_step(
    client: httpx.AsyncClient, job: dict[str, Any], step: str, headers: dict[str, str]
) -> httpx.Response:
    """Upload what the step needs from the site, then complete it with If-Match at the job's latest version."""
    version = int(job["version"])
    for upload in fieldwork.uploads(job["rule_set"], step, job_id=job["id"]):
        sent = await client.post(f"/api/v1/jobs/{job['id']}/evidence", headers=headers, **upload)
        assert sent.status_code == 201, sent.text
        version = int(sent.headers["etag"].strip('"'))
    return await client.post(
        f"/api/v1/jobs/{job['id']}/steps/{step}/complete",
        headers={**headers, "If-Match": str(version)},
        json=fieldwork.completion(job["rule_set"], step, job_id=job["id"]),
    )
