"""/docs and /redoc load their scripts and styles from the service itself, never from a CDN."""

from __future__ import annotations

import re
from importlib import import_module

import httpx
import pytest

SERVICES = ("intake", "workflow", "metrics")
# Every src= and href= of a page: scripts, styles, icons.
REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def _client(service: str) -> httpx.AsyncClient:
    app = import_module(f"services.{service}.app").create_app()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_documentation_page_references_only_files_the_service_serves(service: str, page: str) -> None:
    async with _client(service) as client:
        response = await client.get(page)
        assert response.status_code == 200
        references = REFERENCE.findall(response.text)
        assert any(reference.endswith(".js") for reference in references), references
        for reference in references:
            assert reference.startswith("/") and not reference.startswith("//"), f"{page} loads {reference}"
            asset = await client.get(reference)
            assert asset.status_code == 200, reference
            assert asset.content, reference


async def test_the_documentation_page_points_at_the_served_openapi_document() -> None:
    async with _client("metrics") as client:
        page = (await client.get("/docs")).text
        assert "'/openapi.json'" in page
        assert (await client.get("/openapi.json")).status_code == 200
