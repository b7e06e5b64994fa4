"""Python clients generated from the committed OpenAPI documents, as a frontend team would generate them."""

from __future__ import annotations

import subprocess
import sys
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from services import openapi

# The generator's own settings: no formatter run afterwards (none is needed to import the code), and a
# downloaded document read as bytes whatever its media type.
CONFIG = """\
post_hooks: []
content_type_overrides:
  application/pdf: application/octet-stream
  image/jpeg: application/octet-stream
  image/png: application/octet-stream
"""
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def package_name(service: str) -> str:
    """The import name of a service's generated client."""
    return f"zerovisit_{service}_client"


def generate(service: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """Run openapi-python-client on the committed document of a service into directory/<package>."""
    config = directory / "generator.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    document = openapi.OPENAPI_DIR / f"{service}.json"
    command = [str(GENERATOR), "generate", "--path", str(document), "--output-path",
               str(directory / package_name(service)), "--meta", "none", "--config", str(config)]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603


class Generated:
    """One service's generated client package: its operations by tag and name, its models by name."""

    def __init__(self, service: str) -> None:
        self.package = package_name(service)
        self.client: ModuleType = import_module(f"{self.package}.client")
        self.models: ModuleType = import_module(f"{self.package}.models")
        self.types: ModuleType = import_module(f"{self.package}.types")

    def operation(self, tag: str, name: str) -> Any:
        """The module of one operation, as `api/<tag>/<operation id>.py`."""
        return import_module(f"{self.package}.api.{tag}.{name}")

    def model(self, name: str) -> Any:
        """A generated model class."""
        return getattr(self.models, name)
