"""Documents: accepted by content, limited in size, visible to their owner only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from services.common import files
from services.intake.identity.keys import SigningKey
from tests.conftest import StartIntake
from tests.intake.helpers import JPEG, PDF, PNG, sign_in, upload
from tests.support.services import Service
from tests.support.tokens import bearer, mint


@pytest.mark.parametrize(
    ("content", "media_type"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
async def test_pdf_png_and_jpeg_are_stored_by_content(intake: Service, content: bytes, media_type: str) -> None:
    headers = await sign_in(intake.client, "alice")
    response = await upload(intake.client, headers, "id_card", content=content, filename="whatever.bin")
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["media_type"] == media_type
    assert document["size"] == len(content)
    import hashlib

    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    download = await intake.client.get(f"/api/v1/documents/{document['id']}/content", headers=headers)
    assert download.content == content
    assert download.headers["content-type"] == media_type


async def test_an_upload_for_a_token_whose_account_is_gone_is_404_and_not_stored(
    intake: Service, signing_key: SigningKey
) -> None:
    # A token outlives an account removed after it was issued: the upload names the account, not a 500.
    headers = bearer(mint(signing_key, sub="removed-account", role="applicant"))
    response = await upload(intake.client, headers, "id_card", content=PDF)
    assert response.status_code == 404, response.text
    assert response.json()["type"].endswith("/account-not-found")


async def test_an_executable_named_pdf_is_refused(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = await upload(intake.client, headers, "id_card", content=executable, filename="licence.pdf")
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert (await intake.client.get("/api/v1/documents", headers=headers)).json()["items"] == []


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff<!doctype html><script>alert(1)</script>",  # a JPEG marker, then a web page
        b"\x89PNG\r\n\x1a\n<html><body>not a picture</body></html>",
        b"%PDF-<html><script>alert(1)</script></html>",  # no version, no end
        b"%PDF-1.7\n<html>and no end marker</html>",
        JPEG[: len(JPEG) // 2],  # a photo cut short
    ],
)
async def test_a_file_that_only_starts_like_a_pdf_or_picture_is_refused(intake: Service, content: bytes) -> None:
    headers = await sign_in(intake.client, "alice")

    response = await upload(intake.client, headers, "id_card", content=content, filename="id.jpg")

    assert (response.status_code, response.json()["type"].rsplit("/", 1)[-1]) == (415, "unsupported-file")
    assert (await intake.client.get("/api/v1/documents", headers=headers)).json()["items"] == []


async def test_text_pretending_to_be_pdf_later_in_the_file_is_refused(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    response = await upload(intake.client, headers, "id_card", content=b"hello\n%PDF-1.4\n", filename="a.pdf")
    assert response.status_code == 415


@pytest.fixture
async def small_intake(start_intake: StartIntake) -> AsyncIterator[Service]:
    """Intake with a 2 KiB upload limit."""
    async with start_intake(upload_max_bytes=2048) as service:
        yield service


async def test_a_file_over_the_limit_is_413_and_not_stored(small_intake: Service) -> None:
    headers = await sign_in(small_intake.client, "alice")
    response = await upload(small_intake.client, headers, "id_card", content=PDF + b"0" * 3000)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert (await small_intake.client.get("/api/v1/documents", headers=headers)).json()["items"] == []


async def test_a_streamed_body_far_over_the_limit_is_cut_off(small_intake: Service) -> None:
    headers = await sign_in(small_intake.client, "alice")
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (
            b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        )
        for _ in range(10_000):  # 640 MB if it were all read
            sent += 1
            yield b"x" * 65536

    response = await small_intake.client.post(
        "/api/v1/documents",
        headers={**headers, "content-type": "multipart/form-data; boundary=zz"},
        content=body(),
    )
    assert response.status_code == 413
    assert sent < 10


async def test_a_declared_length_over_the_limit_is_refused_before_reading(small_intake: Service) -> None:
    headers = await sign_in(small_intake.client, "alice")
    response = await small_intake.client.post(
        "/api/v1/documents",
        headers={**headers, "content-type": "multipart/form-data; boundary=zz", "content-length": str(10**9)},
        content=b"--zz--",
    )
    assert response.status_code == 413


async def test_another_applicants_document_is_not_found(intake: Service) -> None:
    alice = await sign_in(intake.client, "alice")
    mallory = await sign_in(intake.client, "mallory")
    document_id = (await upload(intake.client, alice, "id_card")).json()["id"]
    assert (await intake.client.get(f"/api/v1/documents/{document_id}", headers=mallory)).status_code == 404
    assert (await intake.client.get(f"/api/v1/documents/{document_id}/content", headers=mallory)).status_code == 404
    assert (await intake.client.get("/api/v1/documents", headers=mallory)).json()["items"] == []
    assert (await intake.client.get(f"/api/v1/documents/{document_id}", headers=alice)).status_code == 200


async def test_an_unknown_document_type_is_a_validation_problem(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    response = await upload(intake.client, headers, "passport_of_mars")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "type"


async def test_documents_need_a_token(intake: Service) -> None:
    assert (await intake.client.get("/api/v1/documents")).status_code == 401


async def test_an_expiring_type_needs_its_validity_end(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    missing = await upload(intake.client, headers, "id_card", valid_until=None)
    past = await upload(intake.client, headers, "business_license", valid_until="2026-11-25")
    timeless = await upload(intake.client, headers, "property_certificate", valid_until=None)
    assert missing.status_code == past.status_code == 422
    assert missing.json()["field"] == "valid_until"
    assert timeless.status_code == 201
    assert len((await intake.client.get("/api/v1/documents", headers=headers)).json()["items"]) == 1


async def test_stored_files_are_private_to_the_service(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    document = (await upload(intake.client, headers, "id_card")).json()
    path = files.path_for(intake.app.state.settings.documents_dir, document["sha256"])
    assert path.stat().st_mode & 0o077 == 0
    assert path.parent.stat().st_mode & 0o077 == 0


@pytest.fixture
async def quota_intake(start_intake: StartIntake) -> AsyncIterator[Service]:
    """Intake allowing two uploads a day per applicant."""
    async with start_intake(uploads_per_applicant_per_day=2) as service:
        yield service


async def test_uploads_past_the_daily_quota_of_an_applicant_are_429(quota_intake: Service) -> None:
    headers = await sign_in(quota_intake.client, "uploader")
    for _ in range(2):
        assert (await upload(quota_intake.client, headers, "id_card")).status_code == 201
    refused = await upload(quota_intake.client, headers, "id_card")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    other = await sign_in(quota_intake.client, "another-uploader")
    assert (await upload(quota_intake.client, other, "id_card")).status_code == 201


async def test_uploads_sent_at_once_cannot_pass_the_daily_quota(quota_intake: Service) -> None:
    headers = await sign_in(quota_intake.client, "uploader")
    answers = await asyncio.gather(*(upload(quota_intake.client, headers, "id_card") for _ in range(6)))
    assert sorted(answer.status_code for answer in answers) == [201, 201, 429, 429, 429, 429]
