"""Who may do what, written once: one row per route, one expected outcome per kind of caller.

Outcomes:
  401    no valid token                     403  the role may not do this at all
  404    the record exists but is scoped away from the caller
  ok     allowed: 2xx, or a domain answer (409, 422, 428) that only a request past authorization can get
  in     allowed (200), and the seeded record named by the row's marker is in the answer
  out    allowed (200), and that record is not in the answer: the list is scoped
  any other three-digit code: exactly that status
Columns: anonymous, the applicant who owns the records (own), another applicant (app2), staff of SGCC-BJ,
which serves the records' region 110105 (stf), staff of SGCC-SH (stf2), the manager of SGCC-BJ (mgr), a
regulator of "11" (reg), a regulator of "31" (reg2), an admin (adm). COMMON rows hold for every service.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.intake.helpers import JPEG, PDF, SME_CASE, application_body
from tests.metrics.support import case_row
from tests.security.world import CALLERS, PASSWORD, World

ROLES = tuple(CALLERS)
OUTCOMES = {"ok", "in", "out"}
ALLOWED_DOMAIN_ANSWERS = {409, 422, 428}

# How a row's request is made for one caller: extra httpx arguments.
Recipe = Callable[[World, str], dict[str, Any]]


def _nothing(_world: World, _caller: str) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Row:
    """A route and what each caller gets from it."""

    service: str
    method: str
    path: str
    outcomes: dict[str, str]
    recipe: Recipe = _nothing
    # Which seeded id fills each path parameter (by default the id of the same name).
    ids: dict[str, str] = field(default_factory=dict)
    # The seeded id (or literal text) that `in` and `out` look for in the answer.
    marker: str | None = None

    @property
    def label(self) -> str:
        """service METHOD path"""
        return f"{self.service} {self.method} {self.path}"


def row(
    method: str,
    path: str,
    outcomes: str,
    recipe: Recipe = _nothing,
    *,
    ids: dict[str, str] | None = None,
    marker: str | None = None,
) -> Row:
    """A row from its outcomes written in the order of ROLES; `on` says which service it belongs to."""
    words = outcomes.split()
    assert len(words) == len(ROLES), f"{method} {path}: {len(words)} outcomes for {len(ROLES)} callers"
    for word in words:
        assert word in OUTCOMES or (word.isdigit() and len(word) == 3), f"{path}: unknown outcome {word!r}"
    if {"in", "out"} & set(words):
        assert marker is not None, f"{path}: in/out need a marker"
    return Row("", method, path, dict(zip(ROLES, words, strict=True)), recipe, ids or {}, marker)


def on(service: str, rows: list[Row]) -> list[Row]:
    """The rows of one service ("*": of every service)."""
    return [replace(entry, service=service) for entry in rows]


# Request bodies and queries, by route.


def _register(_world: World, caller: str) -> dict[str, Any]:
    username = f"new-{caller}-{uuid.uuid4().hex[:8]}"
    return {"json": {"username": username, "password": PASSWORD, "name": "New Applicant"}}


def _token(_world: World, _caller: str) -> dict[str, Any]:
    return {"data": {"username": "sec-owner", "password": PASSWORD}}


def _precheck(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": SME_CASE}


def _upload(_world: World, _caller: str) -> dict[str, Any]:
    return {
        "files": {"file": ("scan.pdf", PDF, "application/pdf")},
        "data": {"type": "id_card", "number": "ID-1", "valid_until": "2031-12-31"},
    }


def _apply(world: World, _caller: str) -> dict[str, Any]:
    # The owner's documents: the owner applies with them (at the premises its property document is for),
    # anyone else finds them unknown.
    return {"json": application_body(world.ids["document_ids"].split(","), address="application_id road")}


def _contractor(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": {"licence_number": "5-1-00002-2021"}}


def _licences(_world: World, caller: str) -> dict[str, Any]:
    licence = {"number": f"5-1-{caller}", "holder": "某电力安装", "class": 5, "scopes": ["install"],
               "valid_until": "2031-12-31"}  # fmt: skip
    return {"json": {"licences": [licence]}}


def _evaluate(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": {"score": 5}}


def _dispute(_world: World, _caller: str) -> dict[str, Any]:
    # No visit is recorded on the seeded case: the owner gets past authorization to 422 record-not-on-case.
    return {"json": {"record": "visit", "record_id": "no-such-visit", "reason": "Never went to an office."}}


def _agree(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": {"agree": True}}


def _phone_last4(_world: World, _caller: str) -> dict[str, Any]:
    # The seeded applications' contact phone is 13800138000.
    return {"params": {"phone_last4": "8000"}}


def _preferences(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": {"sms": False, "push": True}}


def _assign(world: World, _caller: str) -> dict[str, Any]:
    # The Beijing engineer, as the staff directory lists them: those allowed get 200, past authorization.
    return {"json": {"assignee": world.subjects["staff"]}}


def _complete(_world: World, _caller: str) -> dict[str, Any]:
    return {"if_match": "working_job_id"}


def _site_photo(_world: World, _caller: str) -> dict[str, Any]:
    return {"files": {"file": ("site.jpg", JPEG, "image/jpeg")}, "data": {"step": "accept", "kind": "site_photo"}}


def _pause(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": {"reason": "customer_request"}}


def _fee(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": {"code": "meter_box", "amount_yuan": "0", "payer": "grid"}}


def _visit(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": {"visited_on": "2026-11-26", "purpose": "sign_contract"}}


def _add_days(_world: World, _caller: str) -> dict[str, Any]:
    return {"params": {"start": "2026-09-30", "days": 5}}


def _half_year(_world: World, _caller: str) -> dict[str, Any]:
    return {"params": {"period": "2026H1"}}


def _months(_world: World, _caller: str) -> dict[str, Any]:
    return {"params": {"from": "2026-01", "to": "2026-06"}}


def _complaint(world: World, _caller: str) -> dict[str, Any]:
    body = {
        "received_at": world.clock.now().isoformat(),
        "region": "110105",
        "grid_company": "SGCC-BJ",
        "category": "fee",
        "summary": "Asked to pay for the meter box.",
    }
    return {"json": body}


def _handle(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": {"status": "assigned"}}


def _import(_world: World, caller: str) -> dict[str, Any]:
    case = case_row(
        f"SEC-{caller}",
        "sme_lv",
        "new_install",
        "110105",
        "SGCC-BJ",
        "2026-03-02T09:00:00+08:00",
        "2026-03-10T15:00:00+08:00",
    )
    return {"json": {"cases": [case]}}


# Changes go to a job of their own, so the job that reads are checked against stays as seeded.
WORKING_JOB = {"job_id": "working_job_id"}


def _event(_world: World, _caller: str) -> dict[str, Any]:
    return {"json": {"id": str(uuid.uuid4()), "type": "application.submitted", "data": {}}}


# fmt: off
COMMON = on("*", [
#                                                                    anon own  app2 stf  stf2 mgr  reg  reg2 adm
    row("GET", "/healthz",                                          "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    row("GET", "/readyz",                                           "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    row("GET", "/openapi.json",                                     "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    row("GET", "/docs",                                             "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    row("GET", "/docs/oauth2-redirect",                             "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    row("GET", "/redoc",                                            "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    # Prometheus scrapes with a token of its own; no account's token opens it.
    row("GET", "/metrics",                                          "401  401  401  401  401  401  401  401  401"),
    # Only a delivery signed with the events secret gets in; a bearer token opens nothing here.
    row("POST", "/internal/events",                                 "401  401  401  401  401  401  401  401  401",
        _event),
    row("POST", "/internal/events/batch",                           "401  401  401  401  401  401  401  401  401",
        _event),
])
INTAKE = on("intake", [
#                                                                    anon own  app2 stf  stf2 mgr  reg  reg2 adm
    row("GET", "/.well-known/jwks.json",                            "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    row("POST", "/api/v1/auth/register",                            "ok   ok   ok   ok   ok   ok   ok   ok   ok",
        _register),
    row("POST", "/api/v1/auth/token",                               "ok   ok   ok   ok   ok   ok   ok   ok   ok",
        _token),
    row("GET", "/api/v1/auth/me",                                   "401  ok   ok   ok   ok   ok   ok   ok   ok"),
    row("GET", "/api/v1/guide",                                     "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    row("POST", "/api/v1/precheck",                                 "ok   ok   ok   ok   ok   ok   ok   ok   ok",
        _precheck),
    row("GET", "/api/v1/regions/{code}",                            "200  200  200  200  200  200  200  200  200",
        ids={"code": "region"}),
    row("POST", "/api/v1/documents",                                "401  ok   ok   403  403  403  403  403  403",
        _upload),
    row("GET", "/api/v1/documents",                                 "401  in   out  403  403  403  403  403  403",
        marker="document_id"),
    row("GET", "/api/v1/documents/{document_id}",                   "401  ok   404  403  403  403  403  403  403"),
    # Field staff and managers download the documents of their own company's cases, no one else's.
    row("GET", "/api/v1/documents/{document_id}/content",           "401  ok   404  ok   404  ok   403  403  403"),
    # Another applicant's request naming the owner's documents finds them unknown: 422, nothing attached.
    row("POST", "/api/v1/applications",                             "401  ok   422  403  403  403  403  403  403",
        _apply),
    row("GET", "/api/v1/applications",                              "401  in   out  403  403  403  403  403  403",
        marker="application_id"),
    row("GET", "/api/v1/applications/{application_id}",             "401  ok   404  ok   404  ok   403  403  403"),
    row("POST", "/api/v1/applications/{application_id}/withdraw",   "401  ok   404  403  403  403  403  403  403",
        ids={"application_id": "spare_application_id"}),
    row("POST", "/api/v1/applications/{application_id}/evaluation", "401  ok   404  403  403  403  403  403  403",
        _evaluate),
    # Only the applicant disputes a record of the case; the grid company's staff and managers read the disputes.
    row("POST", "/api/v1/applications/{application_id}/disputes",   "401  ok   404  403  403  403  403  403  403",
        _dispute),
    row("GET", "/api/v1/applications/{application_id}/disputes",    "401  ok   404  ok   404  ok   403  403  403"),
    # The contract is the applicant's to sign; staff and managers of the case's company read it. Before the
    # case is accepted those allowed get 409 contract-not-ready, past authorization.
    row("GET", "/api/v1/applications/{application_id}/contract",    "401  ok   404  ok   404  ok   403  403  403"),
    row("POST", "/api/v1/applications/{application_id}/contract/sign",
                                                                    "401  ok   404  403  403  403  403  403  403",
        _agree),
    # No account needed: the number and the phone's last four digits are the key.
    row("GET", "/api/v1/public/applications/{number}",              "ok   ok   ok   ok   ok   ok   ok   ok   ok",
        _phone_last4, ids={"number": "application_number"}),
    # Notifications are an applicant's own: staff have none, and no one reads another's.
    row("GET", "/api/v1/notifications",                             "401  in   out  403  403  403  403  403  403",
        marker="application_id"),
    row("POST", "/api/v1/notifications/{notification_id}/read",     "401  ok   404  403  403  403  403  403  403"),
    row("GET", "/api/v1/me/notification-preferences",               "401  ok   ok   403  403  403  403  403  403"),
    row("PUT", "/api/v1/me/notification-preferences",               "401  ok   ok   403  403  403  403  403  403",
        _preferences),
])
WORKFLOW = on("workflow", [
#                                                                    anon own  app2 stf  stf2 mgr  reg  reg2 adm
    row("GET", "/api/v1/jobs",                                      "401  403  403  in   out  in   403  403  in",
        marker="job_id"),
    row("GET", "/api/v1/jobs/{job_id}",                             "401  403  403  ok   404  ok   403  403  ok"),
    row("GET", "/api/v1/jobs/{job_id}/history",                     "401  403  403  ok   404  ok   403  403  ok"),
    # The directory is for whoever hands out jobs: a company's manager (its own staff only) and admins.
    row("GET", "/api/v1/staff",                                     "401  403  403  403  403  in   403  403  in",
        marker="sec-staff"),
    row("POST", "/api/v1/jobs/{job_id}/assign",                     "401  403  403  403  403  ok   403  403  ok",
        _assign, ids=WORKING_JOB),
    row("POST", "/api/v1/jobs/{job_id}/steps/{code}/complete",      "401  403  403  ok   404  ok   403  403  ok",
        _complete, ids=WORKING_JOB),
    row("POST", "/api/v1/jobs/{job_id}/pause",                      "401  403  403  ok   404  ok   403  403  ok",
        _pause, ids=WORKING_JOB),
    row("POST", "/api/v1/jobs/{job_id}/resume",                     "401  403  403  ok   404  ok   403  403  ok",
        ids=WORKING_JOB),
    row("POST", "/api/v1/jobs/{job_id}/fees",                       "401  403  403  ok   404  ok   403  403  ok",
        _fee, ids=WORKING_JOB),
    row("POST", "/api/v1/jobs/{job_id}/visits",                     "401  403  403  ok   404  ok   403  403  ok",
        _visit, ids=WORKING_JOB),
    # The seeded job is low voltage: those allowed get 422 contractor-not-applicable, past authorization.
    row("POST", "/api/v1/jobs/{job_id}/contractor",                 "401  403  403  ok   404  ok   403  403  ok",
        _contractor, ids=WORKING_JOB),
    # Evidence from the site is for those who work the case: the company's staff and managers, not an admin.
    row("POST", "/api/v1/jobs/{job_id}/evidence",                   "401  403  403  ok   404  ok   403  403  403",
        _site_photo, ids=WORKING_JOB),
    row("GET", "/api/v1/jobs/{job_id}/evidence",                    "401  403  403  in   404  in   403  403  403",
        marker="evidence_id"),
    row("GET", "/api/v1/jobs/{job_id}/evidence/{evidence_id}/content",
                                                                    "401  403  403  ok   404  ok   403  403  403"),
    row("POST", "/api/v1/contractors/import",                       "401  403  403  403  403  403  ok   ok   ok",
        _licences),
    row("GET", "/api/v1/audit/verify",                              "401  403  403  403  403  ok   403  403  ok"),
    row("GET", "/api/v1/calendar/add-working-days",                 "ok   ok   ok   ok   ok   ok   ok   ok   ok",
        _add_days),
    row("GET", "/api/v1/calendar/{year}",                           "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
])
METRICS = on("metrics", [
#                                                                    anon own  app2 stf  stf2 mgr  reg  reg2 adm
    # The dashboard's page and configuration are public; its figures come from the API rows below.
    row("GET", "/dashboard",                                        "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    row("GET", "/dashboard/config.json",                            "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    row("GET", "/api/v1/metrics/summary",                           "401  403  403  403  403  ok   ok   ok   ok",
        _half_year),
    row("GET", "/api/v1/metrics/trend",                             "401  403  403  403  403  ok   ok   ok   ok",
        _months),
    row("GET", "/api/v1/metrics/grid-companies",                    "401  403  403  403  403  in   in   out  in",
        _half_year, marker="SGCC-BJ"),
    row("GET", "/api/v1/metrics/overdue",                           "401  403  403  403  403  in   in   out  in",
        marker="application_id"),
    row("GET", "/api/v1/metrics/violations",                        "401  403  403  403  403  ok   ok   ok   ok",
        _half_year),
    row("GET", "/api/v1/metrics/cases/{application_id}",            "401  403  403  403  403  ok   ok   404  ok"),
    row("GET", "/api/v1/reports/{period}",                          "401  403  403  403  403  in   in   out  in",
        marker="SGCC-BJ"),
    # Publishing is for admins and nationwide regulators (none among the callers); the published report is open.
    row("POST", "/api/v1/reports/{period}/publish",                 "401  403  403  403  403  403  403  403  ok"),
    row("GET", "/api/v1/public/reports/{period}",                   "ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    # A regulator records complaints in its own regions only; managers read them but do not record them.
    row("POST", "/api/v1/complaints",                               "401  403  403  403  403  403  ok   403  ok",
        _complaint),
    row("GET", "/api/v1/complaints",                                "401  403  403  403  403  in   in   out  in",
        marker="complaint_id"),
    # Regulators of the region, the company's manager and admins handle a complaint; others find none.
    row("PATCH", "/api/v1/complaints/{complaint_id}",               "401  403  403  403  403  ok   ok   404  ok",
        _handle),
    row("POST", "/api/v1/imports/cases",                            "401  403  403  403  403  ok   403  403  ok",
        _import),
])
# fmt: on

TABLE: list[Row] = [*COMMON, *INTAKE, *WORKFLOW, *METRICS]

# Path values that are not seeded records.
LITERAL_IDS = {"code": "accept", "year": "2026", "period": "2026H1", "region": "510104"}


def rows_for(service: str) -> dict[tuple[str, str], Row]:
    """The rows that hold for one service's app, by method and path."""
    return {(r.method, r.path): r for r in TABLE if r.service in (service, "*")}
