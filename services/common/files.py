"""Content-addressed file storage, with sniffing of what a file really is (PDF, JPEG, PNG)."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import puremagic
from PIL import Image, UnidentifiedImageError
from pydantic import Field

from services.common.errors import PayloadTooLarge, Problem, UnsupportedMediaType

ALLOWED_MEDIA_TYPES = {"application/pdf", "image/jpeg", "image/png"}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_CHUNK = 64 * 1024
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
# A PDF's first line names its version (%PDF-1.7, %PDF-2.0) and its last one ends it (%%EOF), which readers
# look for within the file's last kilobyte.
_PDF_VERSION = re.compile(rb"%PDF-[12]\.\d")
_PDF_TAIL = 1024
# Headers for serving a stored file: never sniffed by the browser, never kept by a shared cache.
PRIVATE_FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


class FileTooLargeProblem(Problem):
    """A file over the upload limit."""

    limit_bytes: int = Field(description="The largest file accepted, in bytes.", examples=[10485760])


class FileTooLarge(PayloadTooLarge, slug="file-too-large", title="File too large", schema=FileTooLargeProblem): ...


class UnsupportedFile(UnsupportedMediaType, slug="unsupported-file", title="Unsupported file type"): ...


@dataclass(frozen=True)
class StoredFile:
    """What was stored: its digest, size and sniffed media type."""

    sha256: str
    size: int
    media_type: str


def sniff(head: bytes) -> str:
    """The media type of a file judged by its first bytes; UnsupportedFile unless PDF, JPEG or PNG."""
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    sniffed = {m.mime_type for m in matches if m.mime_type}
    for signature, media_type in _SIGNATURES:
        # puremagic knows many formats; the leading signature must also agree, so a polyglot
        # that merely contains "%PDF" somewhere is refused.
        if head.startswith(signature) and (media_type in sniffed or not sniffed):
            return media_type
    raise UnsupportedFile("Only PDF, JPEG and PNG files are accepted, judged by their content.")


def _check_whole(path: Path, media_type: str) -> None:
    """UnsupportedFile unless the whole file is what its first bytes say: an image that decodes, or a PDF from
    its version line to its end marker. A file that only starts like one (a JPEG marker before a web page) is
    refused, so it can neither be served as a photo nor count as the evidence a step needs.
    """
    refused = UnsupportedFile("The file is not a whole PDF, JPEG or PNG: it could not be read as one.")
    if media_type == "application/pdf":
        with path.open("rb") as pdf:
            head = pdf.read(16)
            pdf.seek(max(0, path.stat().st_size - _PDF_TAIL))
            tail = pdf.read()
        if not _PDF_VERSION.match(head) or b"%%EOF" not in tail:
            raise refused
        return
    try:
        with Image.open(path, formats=[_PILLOW_FORMATS[media_type]]) as image:
            if media_type == "image/png":
                image.verify()  # every chunk against its checksum, through to the end, without decoding
            else:
                image.draft("RGB", (64, 64))  # decoded at an eighth of its size: all of the file, little work
                image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise refused from exc


def store(source: BinaryIO, directory: Path, *, max_bytes: int) -> StoredFile:
    """Copy a file into the store under its SHA-256, refusing it past max_bytes or if it is not allowed."""
    # What is stored concerns people (identity scans, photos of their premises): the service's own user only.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    head = source.read(4096)
    media_type = sniff(head)
    digest = hashlib.sha256()
    size = 0
    temporary = directory / f".upload-{uuid.uuid4().hex}"
    try:
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as target:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(f"The file is larger than {max_bytes} bytes.", limit_bytes=max_bytes)
                digest.update(chunk)
                target.write(chunk)
                chunk = source.read(_CHUNK)
        _check_whole(temporary, media_type)
        final = path_for(directory, digest.hexdigest())
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(temporary, final)  # same bytes under the same name: replacing is harmless
    finally:
        temporary.unlink(missing_ok=True)
    return StoredFile(sha256=digest.hexdigest(), size=size, media_type=media_type)


def path_for(directory: Path, sha256: str) -> Path:
    """Where the file with a digest lives."""
    return directory / sha256[:2] / sha256


def digest_of(path: Path) -> str | None:
    """The SHA-256 of a stored file as it is now; None when it is missing."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as source:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()
