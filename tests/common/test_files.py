"""The file store takes a PDF, JPEG or PNG only when the whole file is one, and keeps nothing it refuses."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from services.common import files
from tools.demo import files as scans
from tools.fieldwork import photo


def _picture(format: str, size: tuple[int, int] = (32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (_picture("JPEG"), "image/jpeg"),
        (photo("meter 3300123456"), "image/jpeg"),
        (_picture("PNG"), "image/png"),
        (scans.png("id_card 110105"), "image/png"),
        (scans.pdf("business licence"), "application/pdf"),
    ],
)
def test_a_whole_file_is_stored_under_its_sha256(tmp_path: Path, content: bytes, media_type: str) -> None:
    stored = files.store(io.BytesIO(content), tmp_path, max_bytes=1_000_000)

    assert (stored.media_type, stored.sha256, stored.size) == (
        media_type,
        hashlib.sha256(content).hexdigest(),
        len(content),
    )
    assert files.path_for(tmp_path, stored.sha256).read_bytes() == content


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff<!doctype html><script>alert(1)</script>",
        b"\x89PNG\r\n\x1a\n<html></html>",
        _picture("PNG")[:-20],  # its last chunk cut off
        _picture("JPEG")[:-200],  # the scan cut short
        b"%PDF-<html></html>",
        b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n",  # never ends
        scans.pdf("x") + b"\0" * 4096,  # its end marker buried far from the end
    ],
)
def test_a_file_that_only_starts_like_one_is_refused_and_nothing_is_kept(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(files.UnsupportedFile):
        files.store(io.BytesIO(content), tmp_path, max_bytes=1_000_000)

    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
