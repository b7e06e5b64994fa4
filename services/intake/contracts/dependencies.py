"""Where a contract's signature came from: the client's address and what the client said it was."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from services.intake.identity.router import client_address


async def _client(request: Request) -> str:
    # The same address the sign-in and registration throttles count: the proxy's word only from trusted proxies.
    return client_address(request)


ClientAddress = Annotated[str, Depends(_client)]
# Kept as evidence of the signature; an over-long value is cut, not refused, as clients choose it freely.
UserAgent = Annotated[str | None, Header(alias="User-Agent", include_in_schema=False)]
