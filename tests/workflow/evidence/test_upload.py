"""Uploading evidence: stored by content under its SHA-256, described back, checked against the job and the clock."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from services.common import files
from services.common.clock import FixedClock
from tests.intake.helpers import JPEG, PDF, PNG
from tests.support.services import Service
from tests.workflow.evidence.conftest import SMALL_LIMIT
from tests.workflow.support import Callers, add_evidence, complete, connect, problem, submit


async def test_a_meter_photo_is_stored_by_its_sha256_and_described_back(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    clock.advance(timedelta(hours=2))

    response = await add_evidence(
        workflow, job, callers.staff(), latitude="39.9042", longitude="116.4074", taken_at="2026-11-26T11:30:00+08:00"
    )

    body = response.json()
    digest = hashlib.sha256(JPEG).hexdigest()
    assert (response.status_code, response.headers["etag"]) == (201, '"2"')
    assert {name: value for name, value in body.items() if name != "id"} == {
        "step": "connect",
        "kind": "meter_photo",
        "sha256": digest,
        "media_type": "image/jpeg",
        "size": len(JPEG),
        "latitude": 39.9042,
        "longitude": 116.4074,
        "taken_at": "2026-11-26T03:30:00Z",
        "uploaded_at": "2026-11-26T04:00:00Z",
        "uploaded_by": "staff-1",
    }
    stored = files.path_for(workflow.app.state.service.settings.evidence_store, digest)
    assert stored.read_bytes() == JPEG
    assert stored.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(("content", "media_type"), [(PNG, "image/png"), (PDF, "application/pdf")])
async def test_png_and_pdf_are_accepted_by_their_content_whatever_their_name(
    workflow: Service, clock: FixedClock, callers: Callers, content: bytes, media_type: str
) -> None:
    job = await submit(workflow, clock, callers)

    response = await add_evidence(workflow, job, callers.staff(), kind="signed_form", content=content)

    assert (response.status_code, response.json()["media_type"]) == (201, media_type)


async def test_a_file_that_is_not_pdf_jpeg_or_png_is_415(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)

    response = await add_evidence(workflow, job, callers.staff(), content=b"MZ\x90\x00 not a photo at all")

    assert (response.status_code, problem(response)) == (415, "unsupported-file")
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_web_page_behind_a_jpeg_marker_is_not_a_photo(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)

    response = await add_evidence(workflow, job, callers.staff(), content=b"\xff\xd8\xff<!doctype html><script>")
    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()

    assert (response.status_code, problem(response)) == (415, "unsupported-file")
    assert (read["version"], read["evidence"]) == (job["version"], [])


async def test_a_file_past_the_size_setting_is_413_as_a_problem(
    small_workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(small_workflow, clock, callers)

    response = await add_evidence(small_workflow, job, callers.staff(), content=JPEG + b"\x00" * SMALL_LIMIT)

    assert (response.status_code, problem(response), response.json()["limit_bytes"]) == (
        413,
        "file-too-large",
        SMALL_LIMIT,
    )
    read = (await small_workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    assert (read["version"], read["evidence"]) == (1, [])


async def test_files_go_to_the_directory_the_setting_names(
    small_workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(small_workflow, clock, callers)

    sha256 = (await add_evidence(small_workflow, job, callers.staff())).json()["sha256"]

    settings = small_workflow.app.state.service.settings
    assert files.path_for(settings.var_dir / "site-files", sha256).read_bytes() == JPEG


async def test_a_step_not_of_the_jobs_process_is_422(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await add_evidence(workflow, job, callers.staff(), step="design_review")

    assert (response.status_code, problem(response), response.json()["steps"]) == (
        422,
        "unknown-step",
        ["accept", "connect"],
    )


async def test_an_unknown_kind_is_422(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await add_evidence(workflow, job, callers.staff(), kind="selfie")

    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "kind"])


@pytest.mark.parametrize(
    ("taken_at", "status"),
    [
        ("2026-11-26T10:04:00+08:00", 201),  # four minutes ahead: a device clock running fast
        ("2026-11-26T10:10:00+08:00", 422),  # ten minutes ahead: a time not yet come
        ("2026-11-25T09:00:00+08:00", 422),  # the day before the application was submitted
    ],
)
async def test_taken_at_lies_between_the_application_and_the_servers_time(
    workflow: Service, clock: FixedClock, callers: Callers, taken_at: str, status: int
) -> None:
    job = await submit(workflow, clock, callers)  # submitted now, 10:00 in Beijing

    response = await add_evidence(workflow, job, callers.staff(), taken_at=taken_at)

    assert response.status_code == status, response.text
    if status == 422:
        assert (problem(response), response.json()["field"]) == ("taken-at-out-of-range", "taken_at")


async def test_taken_at_without_an_offset_is_422(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await add_evidence(workflow, job, callers.staff(), taken_at="2026-11-26T10:00:00")

    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "taken_at"])


@pytest.mark.parametrize(
    ("position", "slug"),
    [
        ({"latitude": "91", "longitude": "116"}, "unprocessable"),
        ({"latitude": "39.9", "longitude": "-180.5"}, "unprocessable"),
        ({"latitude": "nan", "longitude": "116"}, "unprocessable"),
        ({"latitude": "39.9"}, "position-incomplete"),
    ],
)
async def test_a_position_off_the_globe_or_half_given_is_422(
    workflow: Service, clock: FixedClock, callers: Callers, position: dict[str, str], slug: str
) -> None:
    job = await submit(workflow, clock, callers)

    response = await add_evidence(workflow, job, callers.staff(), **position)

    assert (response.status_code, problem(response)) == (422, slug)


async def test_a_connected_job_takes_no_more_evidence(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    job = (await complete(workflow, job, "accept", callers.staff())).json()
    assert (await connect(workflow, job, callers.staff())).status_code == 200

    response = await add_evidence(workflow, job, callers.staff(), kind="site_photo")

    assert (response.status_code, problem(response)) == (409, "job-closed")


async def test_an_upload_with_a_stale_if_match_is_409(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    await add_evidence(workflow, job, callers.staff())

    response = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/evidence",
        headers={**callers.staff(), "If-Match": "1"},
        files={"file": ("photo.jpg", JPEG, "image/jpeg")},
        data={"step": "connect", "kind": "site_photo"},
    )

    assert (response.status_code, problem(response)) == (409, "stale-version")


async def test_a_body_far_past_the_size_setting_is_refused_while_it_streams_in(
    small_workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(small_workflow, clock, callers)

    response = await add_evidence(small_workflow, job, callers.staff(), content=JPEG + b"\x00" * (200 * 1024))

    assert (response.status_code, problem(response)) == (413, "payload-too-large")
