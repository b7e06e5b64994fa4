"""The committed OpenAPI documents are what the code serves."""

from __future__ import annotations

import pytest

from services import openapi


@pytest.mark.parametrize("service", openapi.SERVICES)
def test_committed_document_matches_the_code(service: str) -> None:
    committed = (openapi.OPENAPI_DIR / f"{service}.json").read_text(encoding="utf-8")
    assert committed == openapi.render(openapi.document(service)), f"run `make openapi` for {service}"


@pytest.mark.parametrize("service", openapi.SERVICES)
def test_every_operation_documents_its_problem_responses(service: str) -> None:
    spec = openapi.document(service)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path.startswith("/api/") and operation.get("security"):
                assert "401" in codes, f"{method.upper()} {path} does not document 401"
            for code in codes - {"200", "201", "204"}:
                content = operation["responses"][code].get("content", {})
                assert "application/problem+json" in content, f"{method.upper()} {path} {code}"


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        return [ref for key, value in node.items() for ref in ([value] if key == "$ref" else _refs(value))]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


@pytest.mark.parametrize("service", openapi.SERVICES)
def test_every_reference_resolves_webhooks_included(service: str) -> None:
    spec = openapi.document(service)
    unresolved = []
    for ref in set(_refs(spec)):
        node: object = spec
        for part in ref.removeprefix("#/").split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
        if node is None:
            unresolved.append(ref)
    assert unresolved == [], f"{service}: client generators stop at the first of these"
