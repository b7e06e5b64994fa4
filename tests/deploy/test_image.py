"""The image and the wheel hold the product only: the tools (demonstration, benchmarks, local stack) stay out."""

from __future__ import annotations

from services.common.settings import REPO_ROOT


def test_the_product_does_not_ship_its_tools() -> None:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'packages = ["services"]' in pyproject
    assert "tools/" in (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "COPY tools" not in (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
