"""The metrics service answers every generated request without a server error and as its document says."""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.fuzz.support import SETTINGS, Target, load_schema

schema = load_schema("metrics")


@schema.parametrize()  # type: ignore[untyped-decorator]
@SETTINGS
def test_metrics_answers_as_its_openapi_document_says(case: schemathesis.Case[Any], metrics_target: Target) -> None:
    metrics_target.check(case)
