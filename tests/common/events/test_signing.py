"""Standard Webhooks signing and verification."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from services.common.errors import Unauthorized
from services.common.events import sign, verify

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
BODY = '{"id":"1","note":"接电"}'.encode()


def test_signed_headers_verify_and_name_the_message() -> None:
    headers = sign("s3cret", "msg-1", BODY, now=NOW, source="tests")
    assert headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert verify("s3cret", headers, BODY, now=NOW, tolerance_seconds=300) == "msg-1"


def test_header_names_are_matched_case_insensitively() -> None:
    headers = {name.title(): value for name, value in sign("s3cret", "msg-1", BODY, now=NOW, source="tests").items()}
    assert verify("s3cret", headers, BODY, now=NOW, tolerance_seconds=300) == "msg-1"


def test_a_matching_signature_among_several_is_enough() -> None:
    headers = sign("s3cret", "msg-1", BODY, now=NOW, source="tests")
    good = headers["webhook-signature"]
    headers["webhook-signature"] = f"v1,AAAA v2,whatever {good}"
    assert verify("s3cret", headers, BODY, now=NOW, tolerance_seconds=300) == "msg-1"


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda h: h.update({"webhook-id": "msg-2"}), id="other id"),
        pytest.param(lambda h: h.update({"webhook-timestamp": str(int(h["webhook-timestamp"]) + 1)}), id="ts"),
        pytest.param(lambda h: h.update({"webhook-signature": "v1,AAAA"}), id="bad signature"),
        pytest.param(lambda h: h.update({"webhook-signature": h["webhook-signature"][3:]}), id="no version"),
        pytest.param(lambda h: h.update({"webhook-timestamp": "soon"}), id="timestamp not a number"),
        pytest.param(lambda h: h.pop("webhook-signature"), id="missing signature"),
        pytest.param(lambda h: h.pop("webhook-id"), id="missing id"),
    ],
)
def test_tampered_or_missing_headers_are_unauthorized(tamper: Callable[[dict[str, str]], object]) -> None:
    headers = sign("s3cret", "msg-1", BODY, now=NOW, source="tests")
    tamper(headers)
    with pytest.raises(Unauthorized):
        verify("s3cret", headers, BODY, now=NOW, tolerance_seconds=300)


def test_another_body_or_secret_is_unauthorized() -> None:
    headers = sign("s3cret", "msg-1", BODY, now=NOW, source="tests")
    with pytest.raises(Unauthorized):
        verify("s3cret", headers, BODY + b" ", now=NOW, tolerance_seconds=300)
    with pytest.raises(Unauthorized):
        verify("other", headers, BODY, now=NOW, tolerance_seconds=300)


@pytest.mark.parametrize("skew", [timedelta(seconds=301), timedelta(seconds=-301)], ids=["stale", "future"])
def test_a_timestamp_outside_the_tolerance_is_unauthorized(skew: timedelta) -> None:
    headers = sign("s3cret", "msg-1", BODY, now=NOW, source="tests")
    with pytest.raises(Unauthorized, match="tolerance"):
        verify("s3cret", headers, BODY, now=NOW + skew, tolerance_seconds=300)
    assert verify("s3cret", headers, BODY, now=NOW + skew * 300 / 301, tolerance_seconds=300) == "msg-1"
