"""Standard Webhooks signatures: HMAC-SHA256 over the message id, a timestamp and the exact body.

Each publisher signs with a secret of its own and names itself in a header, so that a receiver checks
the signature with that publisher's secret; the signed body's envelope must name the same source.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from services.common.errors import Unauthorized

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SOURCE_HEADER = "zerovisit-event-source"
_VERSION = "v1"


def _signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign(secret: str, message_id: str, body: bytes, *, now: datetime, source: str) -> dict[str, str]:
    """The id, timestamp, signature and source headers of one delivery by the publisher `source`."""
    timestamp = int(now.timestamp())
    return {
        SOURCE_HEADER: source,
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"{_VERSION},{_signature(secret, message_id, timestamp, body)}",
    }


def source_of(headers: Mapping[str, str]) -> str:
    """The publisher a delivery says it comes from; Unauthorized when it does not say."""
    source = next((value for name, value in headers.items() if name.lower() == SOURCE_HEADER), "")
    if not source:
        raise Unauthorized(f"The delivery does not name its source ({SOURCE_HEADER} header).")
    return source


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: datetime, tolerance_seconds: int) -> str:
    """The message id of a correctly signed, fresh delivery; Unauthorized otherwise."""
    lowered = {name.lower(): value for name, value in headers.items()}
    message_id = lowered.get(ID_HEADER)
    raw_timestamp = lowered.get(TIMESTAMP_HEADER)
    raw_signatures = lowered.get(SIGNATURE_HEADER)
    if not message_id or not raw_timestamp or not raw_signatures:
        raise Unauthorized("The delivery is not signed.")
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise Unauthorized("The delivery timestamp is not a number.") from None
    # Both directions: a timestamp from the future is as suspect as a replayed old one.
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise Unauthorized("The delivery timestamp is outside the tolerance.")
    expected = _signature(secret, message_id, timestamp, body).encode("ascii")
    # Several signatures may be sent side by side while a secret is being rotated.
    for candidate in raw_signatures.split():
        version, _, value = candidate.partition(",")
        if version == _VERSION and hmac.compare_digest(value.encode("ascii", "replace"), expected):
            return message_id
    raise Unauthorized("The delivery signature does not match.")
