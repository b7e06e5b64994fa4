"""Callers checked against the directory: a token outlives a deactivation, the directory does not."""

# No postponed annotations here: FastAPI reads the dependency's signature, which names a local.
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends

from services.common.auth import Principal, Role, require_roles
from services.common.db import DbSession
from services.workflow.staff import service as staff_service


def require_active_roles(*roles: Role) -> Callable[..., Any]:
    """Like require_roles, and 401 for an account the directory lists as deactivated since its token was issued."""
    allowed = require_roles(*roles)

    async def dependency(principal: Annotated[Principal, Depends(allowed)], session: DbSession) -> Principal:
        if principal.role in ("staff", "manager"):
            await staff_service.refuse_if_deactivated(session, principal.subject)
        return principal

    return dependency


DirectoryReader = Annotated[Principal, Depends(require_active_roles("manager", "admin"))]
