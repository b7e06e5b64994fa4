"""Where the repository and its var/ directory are: importable without loading any settings machinery."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VAR_DIR = REPO_ROOT / "var"
