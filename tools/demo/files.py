"""Small but well-formed scans made in code: a one-page PDF or a greyscale PNG, different for every document."""

from __future__ import annotations

import hashlib
import struct
import zlib

PDF_MEDIA_TYPE = "application/pdf"
PNG_MEDIA_TYPE = "image/png"


def _pdf_text(text: str) -> str:
    printable = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)
    return printable.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(text: str) -> bytes:
    """A one-page PDF showing a line of text, with a correct cross-reference table."""
    stream = f"BT /F1 14 Tf 72 760 Td ({_pdf_text(text)}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(body)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(seed: str, *, width: int = 48, height: int = 32) -> bytes:
    """A small greyscale PNG whose pixels follow from the seed, so no two documents share a file."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    rows = b"".join(
        b"\x00" + bytes(digest[(x + y) % len(digest)] ^ ((x * 7 + y * 3) & 0xFF) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")
