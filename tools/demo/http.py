"""Talking to the three services over HTTP as a signed-in user: tokens fetched, and fetched again when expired."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(30.0)


class UnexpectedAnswer(Exception):
    """A service answered with a status the demo did not expect."""

    def __init__(self, response: httpx.Response) -> None:
        request = response.request
        super().__init__(f"{request.method} {request.url} answered {response.status_code}: {response.text[:500]}")
        self.response = response
        self.status_code = response.status_code


@dataclass
class Login:
    """An account's credentials and its current bearer token."""

    username: str
    password: str
    token: str | None = None


@dataclass(frozen=True)
class Urls:
    """Where the three services answer."""

    intake: str
    workflow: str
    metrics: str


class Api:
    """Requests to the three services; before each change, `pace` lets simulated time move on a little."""

    def __init__(self, urls: Urls, *, pace: Callable[[], None] = lambda: None) -> None:
        self.urls = urls
        self.pace = pace
        self.requests = 0
        self._client = httpx.Client(timeout=TIMEOUT, limits=httpx.Limits(max_keepalive_connections=8))

    def close(self) -> None:
        """Close the kept-alive connections."""
        self._client.close()

    def sign_in(self, login: Login) -> None:
        """Exchange the credentials for a token."""
        response = self._send("POST", self.urls.intake, "/api/v1/auth/token", None, data=_form(login))
        if response.status_code != 200:
            raise UnexpectedAnswer(response)
        login.token = str(response.json()["access_token"])

    def intake(self, method: str, path: str, login: Login | None = None, **kwargs: Any) -> httpx.Response:
        """A request to intake."""
        return self.call(self.urls.intake, method, path, login, **kwargs)

    def workflow(self, method: str, path: str, login: Login | None = None, **kwargs: Any) -> httpx.Response:
        """A request to workflow."""
        return self.call(self.urls.workflow, method, path, login, **kwargs)

    def metrics(self, method: str, path: str, login: Login | None = None, **kwargs: Any) -> httpx.Response:
        """A request to metrics."""
        return self.call(self.urls.metrics, method, path, login, **kwargs)

    def call(
        self,
        base: str,
        method: str,
        path: str,
        login: Login | None,
        *,
        expect: Collection[int] = (200, 201),
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request, signing in first or again when the token is missing or has expired."""
        if method != "GET":
            self.pace()
        if login is not None and login.token is None:
            self.sign_in(login)
        response = self._send(method, base, path, login, **kwargs)
        if response.status_code == 401 and login is not None:
            # Tokens run on the real clock; a long demonstration outlives them.
            self.sign_in(login)
            response = self._send(method, base, path, login, **kwargs)
        if response.status_code not in expect:
            raise UnexpectedAnswer(response)
        return response

    def _send(self, method: str, base: str, path: str, login: Login | None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if login is not None and login.token is not None:
            headers["Authorization"] = f"Bearer {login.token}"
        self.requests += 1
        return self._client.request(method, base + path, headers=headers, **kwargs)


def _form(login: Login) -> dict[str, str]:
    return {"username": login.username, "password": login.password}
