"""The roles a token may carry: importable without the web framework (the command line uses them)."""

from __future__ import annotations

from typing import Literal

Role = Literal["applicant", "staff", "manager", "regulator", "admin"]
ROLES: tuple[Role, ...] = ("applicant", "staff", "manager", "regulator", "admin")
