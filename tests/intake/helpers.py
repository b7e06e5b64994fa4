"""Steps an applicant takes, shared by the intake tests."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from tools.fieldwork import photo

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _image(format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format)
    return buffer.getvalue()


# Whole files, as the services read them to the end: a 4×4 picture in each format.
PNG = _image("PNG")
JPEG = photo("a photo")

SME_CASE: dict[str, Any] = {
    "customer_type": "enterprise",
    "small_micro": True,
    "business_type": "new_install",
    "capacity_kva": 100,
    "dual_supply": False,
    "region": "110105",
}
SME_DOCUMENTS = ("business_license", "id_card", "property_certificate")


async def sign_in(client: httpx.AsyncClient, username: str, password: str = "correct-horse-1") -> dict[str, str]:
    """Register an applicant and return its Authorization header."""
    registered = await client.post(
        "/api/v1/auth/register", json={"username": username, "password": password, "name": username.title()}
    )
    assert registered.status_code == 201, registered.text
    token = await client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    doc_type: str,
    *,
    valid_until: str | None = "2031-12-31",
    content: bytes = PDF,
    filename: str = "scan.pdf",
    number: str = "NO-1",
) -> httpx.Response:
    """Upload one document."""
    data = {"type": doc_type, "number": number}
    if valid_until:
        data["valid_until"] = valid_until
    return await client.post(
        "/api/v1/documents", headers=headers, files={"file": (filename, content, "application/pdf")}, data=data
    )


async def upload_all(
    client: httpx.AsyncClient, headers: dict[str, str], types: tuple[str, ...] = SME_DOCUMENTS
) -> list[str]:
    """Upload one valid document of each type and return their ids."""
    ids = []
    for doc_type in types:
        response = await upload(client, headers, doc_type)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def application_body(document_ids: list[str], **changes: Any) -> dict[str, Any]:
    """A complete small/micro enterprise application in Beijing."""
    return {
        **SME_CASE,
        "address": "1 Chaoyang Road, Beijing",
        "contact_name": "Li Wei",
        "contact_phone": "13800138000",
        "channel": "app",
        "document_ids": document_ids,
        **changes,
    }
