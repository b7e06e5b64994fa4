"""The OpenAPI documents read as a contract that clients can be generated from."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from services import openapi
from services.common import contract
from services.common.rules import load_rule_book
from services.common.rules.models import DOCUMENT_TYPES, STEP_ORDER

SCALAR_TYPES = {"string", "integer", "number", "boolean"}


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {service: openapi.document(service) for service in openapi.SERVICES}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    sections = [*spec["paths"].items(), *spec.get("webhooks", {}).items()]
    return [(method, path, operation) for path, operations in sections for method, operation in operations.items()]


def _is_scalar(prop: dict[str, Any]) -> bool:
    if prop.get("format") == "binary":
        return False  # a file: no example fits in a document
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1] in contract.VOCABULARIES
    return prop.get("type") in SCALAR_TYPES or any(_is_scalar(variant) for variant in prop.get("anyOf", []))


@pytest.mark.parametrize("service", openapi.SERVICES)
def test_operation_ids_are_handler_names_unique_in_each_document(
    service: str, documents: dict[str, dict[str, Any]]
) -> None:
    ids = [operation["operationId"] for _, _, operation in _operations(documents[service])]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert [i for i in ids if not re.fullmatch(r"[a-z]+(_[a-z0-9]+)+|[a-z]+", i)] == []


def test_the_submission_and_step_completion_are_named_as_clients_call_them(
    documents: dict[str, dict[str, Any]],
) -> None:
    assert documents["intake"]["paths"]["/api/v1/applications"]["post"]["operationId"] == "submit_application"
    complete = documents["workflow"]["paths"]["/api/v1/jobs/{job_id}/steps/{code}/complete"]["post"]
    assert complete["operationId"] == "complete_step"
    assert complete["summary"] == "Complete the current step now and start the next"


@pytest.mark.parametrize("service", openapi.SERVICES)
def test_every_operation_has_a_summary_of_its_own(service: str, documents: dict[str, dict[str, Any]]) -> None:
    bare = [
        f"{method.upper()} {path}"
        for method, path, operation in _operations(documents[service])
        if not operation.get("summary") or operation["summary"] == operation["operationId"].replace("_", " ").title()
    ]
    assert bare == []


def test_a_summary_is_the_first_clause_of_the_description() -> None:
    operation = {"operationId": "pause_job", "description": "Stop the clock; the days paused are not counted.\n\nMore."}
    assert contract.summary_of(operation) == "Stop the clock"
    assert contract.summary_of({"operationId": "read_job"}) == "Read job"


def test_the_uploaded_file_is_binary_for_generators(documents: dict[str, dict[str, Any]]) -> None:
    spec = documents["intake"]
    body = spec["paths"]["/api/v1/documents"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    schema = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert schema["properties"]["file"]["format"] == "binary"
    assert "file" in schema["required"]


def test_if_match_is_required_where_the_route_requires_it(documents: dict[str, dict[str, Any]]) -> None:
    paths = documents["workflow"]["paths"]

    def if_match(path: str) -> dict[str, Any]:
        return next(p for p in paths[path]["post"]["parameters"] if p["name"] == "If-Match")

    assert if_match("/api/v1/jobs/{job_id}/steps/{code}/complete")["required"] is True
    assert if_match("/api/v1/jobs/{job_id}/pause")["required"] is False
    assert contract.REQUIRED_HEADER not in str(documents["workflow"])


def test_an_incomplete_application_is_a_typed_problem_listing_document_types(
    documents: dict[str, dict[str, Any]],
) -> None:
    spec = documents["intake"]
    answer = spec["paths"]["/api/v1/applications"]["post"]["responses"]["422"]["content"]
    refs = {variant["$ref"].rsplit("/", 1)[-1] for variant in answer["application/problem+json"]["schema"]["anyOf"]}
    assert {"IncompleteApplicationProblem", "ValidationProblem"} <= refs
    problem = spec["components"]["schemas"]["IncompleteApplicationProblem"]
    assert problem["properties"]["missing_documents"]["items"] == {"$ref": "#/components/schemas/DocumentType"}
    assert "errors" in spec["components"]["schemas"]["ValidationProblem"]["properties"]


def test_a_stale_version_problem_carries_the_version(documents: dict[str, dict[str, Any]]) -> None:
    schemas = documents["workflow"]["components"]["schemas"]
    assert "version" in schemas["StaleVersionProblem"]["properties"]
    # The problem's own `status` stays the HTTP status: the job's status has a member of its own.
    assert schemas["JobClosedProblem"]["properties"]["status"]["type"] == "integer"


def test_step_completion_without_evidence_is_a_typed_problem_listing_what_is_missing(
    documents: dict[str, dict[str, Any]],
) -> None:
    workflow = documents["workflow"]
    assert (
        workflow["components"]["schemas"]["MissingEvidenceProblem"]["properties"]["missing_evidence"]["type"] == "array"
    )
    (complete,) = [path["post"] for name, path in workflow["paths"].items() if name.endswith("/complete")]
    unprocessable = json.dumps(complete["responses"]["422"])
    assert "MissingEvidenceProblem" in unprocessable


def test_step_codes_and_document_types_are_the_rule_sets_vocabulary(documents: dict[str, dict[str, Any]]) -> None:
    workflow = documents["workflow"]["components"]["schemas"]
    intake = documents["intake"]["components"]["schemas"]
    assert workflow["StepCode"]["enum"] == list(STEP_ORDER)
    assert intake["DocumentType"]["enum"] == list(DOCUMENT_TYPES)
    rule_sets = load_rule_book().rule_sets
    used_steps = {step.code for rules in rule_sets for category in rules.categories.values() for step in category.steps}
    assert used_steps <= set(workflow["StepCode"]["enum"])
    complete = documents["workflow"]["paths"]["/api/v1/jobs/{job_id}/steps/{code}/complete"]["post"]
    code = next(p for p in complete["parameters"] if p["name"] == "code")
    assert code["schema"]["$ref"] == "#/components/schemas/StepCode"


@pytest.mark.parametrize("service", openapi.SERVICES)
def test_every_field_and_parameter_is_described_with_an_example(
    service: str, documents: dict[str, dict[str, Any]]
) -> None:
    spec = documents[service]
    missing = []
    for name, schema in spec["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{name}.{field}: description")
            if _is_scalar(prop) and "examples" not in prop:
                missing.append(f"{name}.{field}: examples")
    for method, path, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            where = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
            if "description" not in parameter:
                missing.append(f"{where}: description")
            if "example" not in parameter and "examples" not in parameter:
                missing.append(f"{where}: example")
    # Fix with Field(description=..., examples=[...]) on the model, or a Term in services/<service>/glossary.py.
    assert missing == [], f"{service}: " + "; ".join(missing)
