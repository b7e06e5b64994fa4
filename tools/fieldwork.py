"""What field staff bring back from the site before completing a step, as the job's rule set asks.

The demonstration, the benchmarks and the fault drills complete steps through the API like a field app:
first the evidence the step needs (a photo of the meter to connect), then the completion with the meter's
number. What is needed is read from the rule set the job is judged by, never written down here.
"""

from __future__ import annotations

import hashlib
import io
import struct
from functools import cache
from typing import Any

import httpx
from PIL import Image

from services.common.rules import RuleBook, StepEvidence, load_rule_book


@cache
def _rule_book() -> RuleBook:
    return load_rule_book()


def needs(rule_set: str, step: str) -> StepEvidence:
    """What completing a step of a job judged by this rule set needs from the site."""
    return _rule_book().by_id(rule_set).evidence_for(step)


@cache
def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (90, 120, 150)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def photo(label: str) -> bytes:
    """A small JPEG that decodes, different for every label: a comment segment after its start carries it."""
    comment = label.encode("utf-8")[:65000]
    jpeg = _jpeg()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + jpeg[2:]


def uploads(rule_set: str, step: str, *, job_id: str) -> list[dict[str, Any]]:
    """The multipart requests (httpx `files` and `data`) that upload a step's evidence, one per kind needed."""
    return [
        {
            "files": {"file": (f"{kind}.jpg", photo(f"{job_id}/{step}/{kind}"), "image/jpeg")},
            "data": {"step": step, "kind": kind},
        }
        for kind in sorted(needs(rule_set, step).kinds)
    ]


def encoded(upload: dict[str, Any]) -> tuple[bytes, str]:
    """An upload as a multipart body and its content type, for clients that take raw bytes only."""
    request = httpx.Request("POST", "http://evidence.invalid/", **upload)
    return request.read(), request.headers["content-type"]


def meter_number(job_id: str) -> str:
    """A meter number for a job, the same on every run."""
    return "MTR-" + hashlib.sha256(job_id.encode()).hexdigest()[:12].upper()


def completion(rule_set: str, step: str, *, job_id: str) -> dict[str, Any] | None:
    """The body of a step's completion: the meter's number where the step asks for it, else none."""
    if not needs(rule_set, step).meter_number:
        return None
    return {"meter_number": meter_number(job_id), "meter_reading": "0.00"}
