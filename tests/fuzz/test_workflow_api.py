"""The workflow service answers every generated request without a server error and as its document says."""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.fuzz.support import SETTINGS, Target, load_schema

schema = load_schema("workflow")


@schema.parametrize()  # type: ignore[untyped-decorator]
@SETTINGS
def test_workflow_answers_as_its_openapi_document_says(case: schemathesis.Case[Any], workflow_target: Target) -> None:
    workflow_target.check(case)
