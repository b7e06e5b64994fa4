"""The intake service answers every generated request without a server error and as its document says."""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.fuzz.support import SETTINGS, Target, load_schema

schema = load_schema("intake")


@schema.parametrize()  # type: ignore[untyped-decorator]
@SETTINGS
def test_intake_answers_as_its_openapi_document_says(case: schemathesis.Case[Any], intake_target: Target) -> None:
    intake_target.check(case)
