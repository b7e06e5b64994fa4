"""The front-end tools that frontend teams run on openapi/*.json accept the committed documents."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from services import openapi
from services.common.settings import REPO_ROOT

TOOLS = REPO_ROOT / "tools" / "contract"
BIN = TOOLS / "node_modules" / ".bin"
DOCUMENTS = [openapi.OPENAPI_DIR / f"{service}.json" for service in openapi.SERVICES]


def _run(*command: str | Path, cwd: Path = TOOLS) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """tools/contract/node_modules, installed from its lock file when missing (Node.js is required, not optional)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "Node.js and npm are needed to check the OpenAPI documents with the frontends' tools"
    if not (BIN / "openapi-typescript").exists() or not (BIN / "redocly").exists():
        installed = _run(npm, "ci", "--no-audit", "--no-fund")
        assert installed.returncode == 0, installed.stdout + installed.stderr
    return BIN


def test_openapi_typescript_makes_types_that_compile_strictly(node_tools: Path, tmp_path: Path) -> None:
    declarations = []
    for document in DOCUMENTS:
        output = tmp_path / f"{document.stem}.d.ts"
        generated = _run(node_tools / "openapi-typescript", document, "--output", output)
        assert generated.returncode == 0, generated.stdout + generated.stderr
        declarations.append(output)
    compiled = _run(node_tools / "tsc", "--noEmit", "--strict", *declarations)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def test_redocly_lint_finds_no_error_and_no_unresolved_reference(node_tools: Path) -> None:
    linted = _run(node_tools / "redocly", "lint", "--config", TOOLS / "redocly.yaml", "--format", "stylish", *DOCUMENTS)
    report = linted.stdout + linted.stderr
    assert "no-unresolved-refs" not in report, report
    assert linted.returncode == 0, report
