"""Accounts and documents on file for a benchmark, made through the real command line and APIs."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from tools import fieldwork
from tools.bench.load.stack import Stack

PASSWORD = "a-long-benchmark-password"  # noqa: S105 - a throwaway account in a throwaway database
# A small/micro enterprise at low voltage in Beijing (SGCC-BJ): two steps, three documents.
CASE: dict[str, Any] = {
    "customer_type": "enterprise",
    "small_micro": True,
    "business_type": "new_install",
    "capacity_kva": 100,
    "dual_supply": False,
    "region": "110105",
    "address": "1 Chaoyang Road, Beijing",
    "contact_name": "Li Wei",
    "contact_phone": "13800138000",
    "channel": "app",
    "document_ids": [],
}
GRID_COMPANY = "SGCC-BJ"
# The smallest file that the upload judges to be a PDF by its content.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class Accounts:
    """Bearer tokens of the applicants (each with documents on file) and of the field staff."""

    applicants: list[str]
    staff: list[str]


async def _post(client: httpx.AsyncClient, path: str, *, ok: tuple[int, ...] = (200, 201), **kwargs: Any) -> Any:
    """POST, retried for a minute while the server answers 5xx or cannot be reached (PostgreSQL restarting)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            response = await client.post(path, **kwargs)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        else:
            if response.status_code in ok:
                return response.json()
            if response.status_code < 500 or time.monotonic() > deadline:
                response.raise_for_status()
                raise RuntimeError(f"POST {path} answered {response.status_code}")
        await asyncio.sleep(1)


async def _token(client: httpx.AsyncClient, username: str) -> str:
    body = await _post(client, "/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return str(body["access_token"])


async def _applicant(client: httpx.AsyncClient, username: str, required: list[str]) -> str:
    # 409: a retried registration whose first try went through.
    account = {"username": username, "password": PASSWORD, "name": username}
    await _post(client, "/api/v1/auth/register", ok=(201, 409), json=account)
    token = await _token(client, username)
    headers = {"Authorization": f"Bearer {token}"}
    for doc_type in required:
        await _post(
            client,
            "/api/v1/documents",
            headers=headers,
            files={"file": ("scan.pdf", PDF, "application/pdf")},
            data={"type": doc_type, "number": f"{doc_type}-{username}", "valid_until": "2035-12-31"},
        )
    return token


async def _required_documents(client: httpx.AsyncClient) -> list[str]:
    fields = ("customer_type", "small_micro", "business_type", "capacity_kva", "dual_supply", "region")
    body = await _post(client, "/api/v1/precheck", json={k: CASE[k] for k in fields})
    return list(body["required_documents"])


def make_accounts(stack: Stack, *, applicants: int, staff: int) -> Accounts:
    """Staff with `zerovisit users create`; applicants registered over HTTP, each uploading every document."""
    tag = secrets.token_hex(3)
    staff_names = [f"load-staff-{tag}-{i}" for i in range(staff)]
    for name in staff_names:
        stack.command(
            "users", "create", "--username", name, "--password", PASSWORD, "--role", "staff",
            "--grid-company", GRID_COMPANY,
        )  # fmt: skip

    async def run() -> Accounts:
        limits = httpx.Limits(max_connections=8)
        async with httpx.AsyncClient(base_url=stack.url("intake"), timeout=30, limits=limits) as client:
            required = await _required_documents(client)
            gate = asyncio.Semaphore(8)

            async def one(i: int) -> str:
                async with gate:
                    return await _applicant(client, f"load-applicant-{tag}-{i}", required)

            tokens = await asyncio.gather(*(one(i) for i in range(applicants)))
            staff_tokens = [await _token(client, name) for name in staff_names]
        return Accounts(applicants=list(tokens), staff=staff_tokens)

    return asyncio.run(run())


async def open_jobs(stack: Stack) -> list[list[Any]]:
    """Every in-progress job: its version, the codes of its steps still to complete in order, its rule set."""
    connection = await asyncpg.connect(stack.database_dsn("workflow"))
    try:
        rows = await connection.fetch(
            """
            SELECT j.id, j.version, j.rule_set,
                   array_agg(s.code ORDER BY s.position) FILTER (WHERE s.completed_at IS NULL) AS codes
            FROM job j JOIN job_step s ON s.job_id = j.id
            WHERE j.status = 'in_progress'
            GROUP BY j.id, j.version, j.rule_set
            """
        )
    finally:
        await connection.close()
    return [[row["id"], row["version"], list(row["codes"]), row["rule_set"]] for row in rows]


async def upload_missing_evidence(stack: Stack, tokens: list[str]) -> int:
    """Upload what the open jobs' remaining steps need from the site and do not have yet; how many files."""
    connection = await asyncpg.connect(stack.database_dsn("workflow"))
    try:
        rows = await connection.fetch(
            """
            SELECT j.id, j.rule_set,
                   array_agg(s.code ORDER BY s.position) FILTER (WHERE s.completed_at IS NULL) AS codes,
                   (SELECT array_agg(e.step_code || '/' || e.kind) FROM job_evidence e WHERE e.job_id = j.id)
                       AS uploaded
            FROM job j JOIN job_step s ON s.job_id = j.id
            WHERE j.status = 'in_progress'
            GROUP BY j.id, j.rule_set
            """
        )
    finally:
        await connection.close()
    missing = [
        (row["id"], upload)
        for row in rows
        for code in row["codes"] or []
        for upload in fieldwork.uploads(row["rule_set"], code, job_id=row["id"])
        if f"{upload['data']['step']}/{upload['data']['kind']}" not in (row["uploaded"] or [])
    ]
    async with httpx.AsyncClient(base_url=stack.url("workflow"), timeout=30) as client:
        gate = asyncio.Semaphore(16)

        async def one(index: int, job_id: str, upload: dict[str, Any]) -> None:
            async with gate:
                headers = {"Authorization": f"Bearer {tokens[index % len(tokens)]}"}
                await _post(client, f"/api/v1/jobs/{job_id}/evidence", ok=(201,), headers=headers, **upload)

        await asyncio.gather(*(one(i, job_id, upload) for i, (job_id, upload) in enumerate(missing)))
    return len(missing)
