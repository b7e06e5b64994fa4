"""Serving a stored file from a route."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from services.common import downloads, files
from services.common.errors import NotFound

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_a_stored_file_is_offered_under_its_name_with_its_extension_and_kept_private(tmp_path: Path) -> None:
    stored = files.store(io.BytesIO(PDF), tmp_path, max_bytes=1024)
    response = downloads.stored_file(
        tmp_path, stored.sha256, media_type=stored.media_type, name="id_card-1", missing=NotFound("gone")
    )
    assert response.path == files.path_for(tmp_path, stored.sha256)
    assert response.headers["content-disposition"] == 'attachment; filename="id_card-1.pdf"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"


def test_a_file_missing_from_the_store_raises_the_routes_own_problem(tmp_path: Path) -> None:
    missing = NotFound("The file of this document is missing from the store.")
    with pytest.raises(NotFound) as raised:
        downloads.stored_file(tmp_path, "ab" * 32, media_type="application/pdf", name="x", missing=missing)
    assert raised.value is missing


def test_a_download_route_declares_the_file_in_every_accepted_media_type_then_its_problems() -> None:
    declared = downloads.responses(NotFound)
    assert list(declared) == [200, 404]
    assert list(declared[200]["content"]) == sorted(files.ALLOWED_MEDIA_TYPES)
