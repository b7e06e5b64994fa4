"""Write or check the committed OpenAPI documents under openapi/."""

from __future__ import annotations

import json
import sys
from importlib import import_module
from typing import Any

from services.common.settings import REPO_ROOT

SERVICES = ("intake", "workflow", "metrics")
OPENAPI_DIR = REPO_ROOT / "openapi"


def document(service: str) -> dict[str, Any]:
    """The OpenAPI document the code of a service produces."""
    app = import_module(f"services.{service}.app").create_app()
    spec: dict[str, Any] = app.openapi()
    return spec


def render(spec: dict[str, Any]) -> str:
    """The committed text form of a document."""
    return json.dumps(spec, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    """`write` regenerates the files; `check` fails when a file differs from the code."""
    mode = argv[0] if argv else "check"
    stale = []
    for service in SERVICES:
        path = OPENAPI_DIR / f"{service}.json"
        text = render(document(service))
        if mode == "write":
            OPENAPI_DIR.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        elif not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path.name)
    if stale:
        print(f"out of date: {', '.join(stale)}; run `make openapi`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
