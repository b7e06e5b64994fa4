"""The OpenAPI document as clients are generated from it: readable operations, typed problems, real file uploads."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from fastapi import FastAPI
from fastapi.routing import APIRoute

from services.common.errors import PROBLEM_MEDIA_TYPE, Problem, ValidationProblem
from services.common.rules import models as rule_models

# A header parameter whose schema carries this mark is documented as required. The dependency reading it
# keeps a default so that a missing header is answered with its own problem (428), not a validation error.
REQUIRED_HEADER = "x-zerovisit-required"

_SCHEMAS = "#/components/schemas/"
# The rule set's vocabularies, each one named schema that every field holding its codes refers to, so that
# generated clients have one StepCode type rather than an enum per field. The values are the rule models'.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "StepCode": rule_models.STEP_ORDER,
    "DocumentType": rule_models.DOCUMENT_TYPES,
    "CategoryCode": rule_models.CATEGORY_CODES,
    "BusinessType": rule_models.BUSINESS_TYPES,
    "CustomerType": rule_models.CUSTOMER_TYPES,
    "ReportCategory": rule_models.REPORT_CATEGORIES,
}
_VOCABULARY_DESCRIPTIONS = {
    "StepCode": "A step of the connection process, as the rule set names it (accept 申请受理, "
    "supply_plan 供电方案答复, design_review 设计审核, intermediate_inspection 中间检查, "
    "completion_inspection 竣工检验, connect 装表接电).",
    "DocumentType": "A kind of document an applicant hands over (申报材料), as the rule set names it.",
    "CategoryCode": "The category a case is placed in by the rule set.",
    "BusinessType": "What the customer asks for: a new connection, more capacity, or temporary supply.",
    "CustomerType": "Who the customer is: a resident, an enterprise or a public institution.",
    "ReportCategory": "A category of the half-yearly report.",
}
# The end of a summary: the first sentence, or the first clause before a semicolon.
_FIRST_CLAUSE = re.compile(r"^(.+?)(?:[.;](?:\s|$)|$)", re.DOTALL)


class Term(NamedTuple):
    """What a field or parameter means, and a realistic value of it, for the OpenAPI document."""

    description: str
    example: Any = None


# Example ids the three documents share, so that one case can be followed from intake to workflow to metrics.
APPLICATION_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
DOCUMENT_ID = "3f2c7a9e-5b1d-4e8a-9c0f-2d6b8e4a1c37"
ACCOUNT_ID = "0b7f5e2a-7d8c-4c1e-9a3b-5f6d2e1c4b8a"
VISIT_ID = "d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a"
FEE_ID = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"

# A glossary is keyed by field (or parameter) name, or by `Schema.field` (`operation_id.parameter`, or
# `query.parameter` and the like) where a name means something else in one place. These terms mean the
# same in every service; each service adds its own.
COMMON_TERMS: dict[str, Term] = {
    "items": Term("The page's items."),
    "total": Term("How many items match, over every page.", 42),
    "limit": Term("The most items on one page.", 20),
    "offset": Term("How many matching items come before this page.", 0),
    "Health.status": Term("`ok` while the process runs; `ready` once the database is reachable and migrated.", "ok"),
    "Health.service": Term("The service that answered.", "intake"),
    "Idempotency-Key": Term(
        "A key of the client's choosing; a retry with the same key and body gets the first answer again.",
        "5f0c2b1e-8d4a-4b7e-9c3f-1a2b3c4d5e6f",
    ),
}


def operation_id(route: APIRoute) -> str:
    """An operation's id is the name of its handler, as `submit_application`: what a generated client calls it."""
    return route.name


def summary_of(operation: dict[str, Any]) -> str:
    """The first clause of an operation's description, or its id in words when it has none."""
    text = " ".join(operation.get("description", "").split("\n\n")[0].split())
    match = _FIRST_CLAUSE.match(text)
    if not match or not match.group(1).strip():
        return str(operation.get("operationId", "")).replace("_", " ").capitalize()
    return match.group(1).strip()


def install(app: FastAPI, glossary: Mapping[str, Term] = COMMON_TERMS) -> None:
    """Make the app's OpenAPI document the contract: every error a problem document, typed where it has members,
    every field and parameter described (from the glossary where its model says nothing)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        _summaries(spec)
        _problems(spec, schemas)
        _file_uploads(schemas)
        _required_headers(spec)
        _file_downloads(spec)
        _public_operations(spec)
        # Relative to wherever the document is served from: each service runs behind its own address.
        spec.setdefault("servers", [{"url": "/", "description": "The service that serves this document"}])
        _vocabularies(spec, schemas)
        _describe(spec, schemas, {**COMMON_TERMS, **glossary})
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _operations(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    # Webhooks too: their validation errors would otherwise name a schema removed below.
    for operations in [*spec.get("paths", {}).values(), *spec.get("webhooks", {}).values()]:
        yield from operations.values()


def _summaries(spec: dict[str, Any]) -> None:
    """Give an operation without a summary of its own the first clause of its docstring."""
    for operation in _operations(spec):
        name = str(operation.get("operationId", ""))
        # FastAPI's stand-in for a missing summary is the handler's name in title case.
        if operation.get("summary") == name.replace("_", " ").title():
            operation["summary"] = summary_of(operation)


def _problems(spec: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Document every error response, validation included, as the problem document it really is."""
    replaced = {
        _SCHEMAS + "HTTPValidationError": _SCHEMAS + ValidationProblem.__name__,
    }
    for operation in _operations(spec):
        responses = operation.setdefault("responses", {})
        if "requestBody" in operation:
            # A body that cannot be decoded at all (not UTF-8, broken multipart) is 400, not 422.
            responses.setdefault("400", {"description": "The body could not be parsed"})
            # Every body is limited in size (BodySizeLimit), whatever else the route declares.
            responses.setdefault("413", {"description": "The body is larger than this route accepts"})
        for code, response in responses.items():
            if not (code.isdigit() and int(code) >= 400):
                continue
            declared = [media["schema"] for media in response.get("content", {}).values() if "schema" in media]
            schema = declared[0] if declared else {"$ref": _SCHEMAS + Problem.__name__}
            if schema.get("$ref") in replaced:
                schema = {"$ref": replaced[schema["$ref"]]}
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": schema}}
    for model in (Problem, ValidationProblem):
        definitions = model.model_json_schema(ref_template=_SCHEMAS + "{model}")
        schemas.update(definitions.pop("$defs", {}))
        schemas[model.__name__] = definitions
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _file_uploads(schemas: dict[str, Any]) -> None:
    """Mark uploaded files `format: binary` beside OpenAPI 3.1's `contentMediaType`.

    FastAPI describes an UploadFile the 3.1 way only; generators such as openapi-python-client recognise a
    file by `format: binary`, and without it type the field as text and send the file's name, not its bytes.
    """
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values():
            for variant in [prop, *prop.get("anyOf", [])]:
                if variant.get("type") == "string" and "contentMediaType" in variant:
                    variant["format"] = "binary"


def _required_headers(spec: dict[str, Any]) -> None:
    """Document as required the headers a route cannot do without (their dependencies answer 428 when absent)."""
    for operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if schema.pop(REQUIRED_HEADER, False):
                parameter["required"] = True
                present = [variant for variant in schema.pop("anyOf", []) if variant.get("type") != "null"]
                for variant in present:
                    schema.update(variant)


def _public_operations(spec: dict[str, Any]) -> None:
    """Say of an operation that needs no bearer token that it needs none, rather than leave it unsaid.

    An empty `security` is the OpenAPI way to say "public"; a missing one reads to linters and generators as
    an operation nobody thought about. Webhooks carry a signature of their own (see their description).
    """
    for operation in _operations(spec):
        operation.setdefault("security", [])


def _file_downloads(spec: dict[str, Any]) -> None:
    """Give a file answered as it is (a PDF, an image) the schema of a file, so that clients read it as bytes."""
    for operation in _operations(spec):
        for code, response in operation.get("responses", {}).items():
            if not code.startswith("2"):
                continue
            for media_type, media in response.get("content", {}).items():
                if "json" not in media_type and "schema" not in media:
                    media["schema"] = {"type": "string", "format": "binary"}


def _vocabularies(spec: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Replace each enum of a rule vocabulary's codes by a reference to the vocabulary's one named schema."""
    named = {tuple(values): name for name, values in VOCABULARIES.items()}
    used: set[str] = set()

    def reference(value: Any) -> Any:
        if isinstance(value, dict) and tuple(value.get("enum", ())) in named:
            name = named[tuple(value["enum"])]
            used.add(name)
            return {"$ref": _SCHEMAS + name, **{k: v for k, v in value.items() if k in ("description", "examples")}}
        visit(value)
        return value

    def visit(node: Any) -> None:
        if isinstance(node, list):
            node[:] = [reference(item) for item in node]
        elif isinstance(node, dict):
            for key, value in node.items():
                node[key] = reference(value)

    visit(spec.get("paths", {}))
    visit(spec.get("webhooks", {}))
    visit(schemas)
    for name, values in VOCABULARIES.items():
        if name not in used:
            continue
        schemas[name] = {"type": "string", "enum": list(values), "title": name,
                         "description": _VOCABULARY_DESCRIPTIONS[name]}  # fmt: skip


def _apply(target: dict[str, Any], term: Term | None, *, example_key: str = "examples") -> None:
    if term is None:
        return
    target.setdefault("description", term.description)
    if term.example is not None and example_key not in target:
        target[example_key] = [term.example] if example_key == "examples" else term.example


def _describe(spec: dict[str, Any], schemas: dict[str, Any], glossary: Mapping[str, Term]) -> None:
    """Describe each field and parameter the code leaves undescribed, and give it an example, from the glossary."""
    for name, schema in schemas.items():
        for field, prop in schema.get("properties", {}).items():
            _apply(prop, glossary.get(f"{name}.{field}") or glossary.get(field))
    for operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            key, operation_id = parameter["name"], operation.get("operationId")
            term = (
                glossary.get(f"{operation_id}.{key}") or glossary.get(f"{parameter['in']}.{key}") or glossary.get(key)
            )
            _apply(parameter, term, example_key="example")
