"""Helpers for metrics tests: tokens, import rows, signed events, and figures worked out independently."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx

from services.common.calendar import WorkingDayCalendar
from services.common.clock import Clock, local_date
from services.common.events import EventEnvelope, sign
from services.common.rules import load_rule_book
from services.intake import events as intake_events
from services.intake.identity.keys import SigningKey
from services.workflow import events as job_events
from tests.support.services import EVENTS_SECRETS
from tests.support.tokens import bearer, mint

CALENDAR = WorkingDayCalendar.default()
RULES = load_rule_book()


def auth(key: SigningKey, role: str, **claims: Any) -> dict[str, str]:
    """An Authorization header for a caller of a role."""
    return bearer(mint(key, sub=f"{role}-1", role=role, **claims))


def at(text: str) -> datetime:
    """An aware instant from an ISO string with its offset."""
    return datetime.fromisoformat(text)


def case_row(
    external_id: str,
    category: str,
    business_type: str,
    region: str,
    grid_company: str,
    submitted: str,
    connected: str,
    *,
    channel: str = "app",
    documents: int = 2,
    cost: str = "0",
    visits: int = 0,
    paused: int = 0,
) -> dict[str, Any]:
    """An import row whose steps (those of the category's rule set) split the case's time evenly."""
    start, end = at(submitted), at(connected)
    codes = [s.code for s in RULES.in_force_on(local_date(start)).category(category).steps]
    share = (end - start) / len(codes)
    steps = [
        {
            "code": code,
            "started_at": (start + share * i).isoformat(),
            "completed_at": (start + share * (i + 1)).isoformat(),
        }
        for i, code in enumerate(codes)
    ]
    return {
        "external_id": external_id,
        "category": category,
        "business_type": business_type,
        "grid_company": grid_company,
        "region": region,
        "channel": channel,
        "submitted_at": submitted,
        "connected_at": connected,
        "steps": steps,
        "documents_supplied": documents,
        "customer_cost": cost,
        "visits": visits,
        "paused_working_days": paused,
    }


def expected_case(row: dict[str, Any]) -> dict[str, Any]:
    """A row's report category, working days and compliance, worked out from the calendar and the rules."""
    submitted_on, connected_on = local_date(at(row["submitted_at"])), local_date(at(row["connected_at"]))
    rule_set = RULES.in_force_on(submitted_on)
    category = rule_set.category(row["category"])
    limits = {step.code: step.limit_working_days for step in category.steps}
    working_days = max(CALENDAR.working_days_between(submitted_on, connected_on) - row["paused_working_days"], 0)
    steps_on_time = all(
        CALENDAR.working_days_between(local_date(at(s["started_at"])), local_date(at(s["completed_at"])))
        <= limits.get(s["code"], 10**6)
        for s in row["steps"]
    )
    return {
        "report_category": rule_set.report_category(row["category"], row["business_type"]),
        "connected_on": connected_on,
        "working_days": working_days,
        "within_limit": working_days <= category.total_limit_working_days and steps_on_time,
    }


def expected_rows(rows: list[dict[str, Any]], start: Any, end: Any) -> dict[str, dict[str, Any]]:
    """Summary figures per report category for rows connected in [start, end], counted by hand."""
    groups: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for row in rows:
        case = expected_case(row)
        if start <= case["connected_on"] <= end:
            groups[case["report_category"]].append((row, case))
    figures = {}
    for category, members in groups.items():
        n = len(members)
        days = sorted(case["working_days"] for _, case in members)
        cost = sum(Decimal(row["customer_cost"]) for row, _ in members) / n
        figures[category] = {
            "connected_count": n,
            "avg_working_days": sum(days) / n,
            "p90_working_days": days[math.ceil(0.9 * n) - 1],
            "avg_steps": sum(len(row["steps"]) for row, _ in members) / n,
            "avg_documents": sum(row["documents_supplied"] for row, _ in members) / n,
            "avg_customer_cost": float(cost.quantize(Decimal("0.01"))),
            "within_limit_rate": sum(case["within_limit"] for _, case in members) / n,
            "zero_visit_rate": sum(row["visits"] == 0 for row, _ in members) / n,
            "online_rate": sum(row["channel"] != "hall" for row, _ in members) / n,
            "avg_paused_working_days": sum(row["paused_working_days"] for row, _ in members) / n,
        }
    return figures


# Every event's payload model, as its publisher declares it.
DECLARED = {model.event_type: model for model in (*intake_events.PUBLISHED, *job_events.PUBLISHED)}


async def deliver(
    client: httpx.AsyncClient,
    clock: Clock,
    event_type: str,
    data: dict[str, Any],
    *,
    source: str,
    occurred_at: datetime | None = None,
    signer: str | None = None,
    secret: str | None = None,
    as_declared: bool = True,
) -> httpx.Response:
    """POST one signed event envelope to /internal/events, as a publisher's relay would.

    `signer` (default: the envelope's source) is the publisher the delivery says it comes from, and
    `secret` (default: that publisher's) what it is signed with: a forger's choices, for tests of refusals.
    The data must match the model its publisher declares, unless as_declared=False (a broken publisher).
    """
    if as_declared and event_type in DECLARED:
        DECLARED[event_type].model_validate(data)
    envelope = EventEnvelope(
        id=uuid4(),
        type=event_type,
        version=1,
        occurred_at=occurred_at or clock.now(),
        case_key=str(data.get("application_id", "")),
        source=source,
        data=data,
    )
    body = envelope.model_dump_json().encode()
    signer = signer or source
    signed = sign(secret or EVENTS_SECRETS[signer], str(envelope.id), body, now=clock.now(), source=signer)
    headers = {**signed, "content-type": "application/json"}
    return await client.post("/internal/events", content=body, headers=headers)


async def deliver_batch(
    client: httpx.AsyncClient, clock: Clock, source: str, events: list[tuple[str, dict[str, Any]]]
) -> list[str]:
    """POST signed envelopes of (event type, data) in one batch to /internal/events/batch, as a relay sends
    them; each event's result status, in order."""
    envelopes = [
        EventEnvelope(
            id=uuid4(),
            type=event_type,
            version=1,
            occurred_at=clock.now(),
            case_key=str(data["application_id"]),
            source=source,
            data=data,
        )
        for event_type, data in events
    ]
    body = json.dumps({"events": [json.loads(e.model_dump_json()) for e in envelopes]}).encode()
    signed = sign(EVENTS_SECRETS[source], str(uuid4()), body, now=clock.now(), source=source)
    response = await client.post(
        "/internal/events/batch", content=body, headers={**signed, "content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    return [result["status"] for result in response.json()["results"]]


def shifted(instant: datetime, **delta: float) -> str:
    """An ISO instant moved by a timedelta."""
    return (instant + timedelta(**delta)).isoformat()
