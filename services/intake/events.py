"""The events intake publishes: its contract with workflow and metrics.

Only `application.case_shared` and `account.staff_changed` carry personal data, and they are routed to
workflow alone (see settings).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel

from services.common.events import EventPayload


class StepLimit(BaseModel):
    """A step and its time limit as the rule set gave them."""

    code: str
    name: str
    limit_working_days: int


class ApplicationSubmitted(EventPayload, event_type="application.submitted"):
    """A complete application was accepted; the case starts now."""

    application_id: str
    number: str
    category: str
    report_category: str
    business_type: str
    customer_type: str
    small_micro: bool
    capacity_kva: str
    dual_supply: bool
    important_customer: bool = False  # added in v1 with a default: older readers may ignore it
    access_voltage: str
    zero_investment: bool
    grid_company: str
    region: str
    channel: str
    rule_set: str
    steps: list[StepLimit]
    total_limit_working_days: int
    allowed_visits: int
    submitted_at: AwareDatetime
    due_on: date
    documents_required: int
    documents_supplied: int
    documents_reused: int


class ApplicationWithdrawn(EventPayload, event_type="application.withdrawn"):
    """The applicant withdrew the application."""

    application_id: str
    withdrawn_at: AwareDatetime


class ApplicationEvaluated(EventPayload, event_type="application.evaluated"):
    """The applicant rated the service after connection."""

    application_id: str
    score: int
    evaluated_at: AwareDatetime


class ApplicationDisputed(EventPayload, event_type="application.disputed"):
    """The applicant disputed a visit or fee the grid company recorded on the case.

    Pseudonymous like the rest: the applicant's reason stays in intake, only which record and when travel.
    """

    dispute_id: str
    application_id: str
    record: Literal["visit", "fee"]
    # The id workflow gave the visit or fee (visit_id, fee_id in its events).
    record_id: str
    grid_company: str
    region: str
    # The day of the visit, or the day the fee was recorded (Asia/Shanghai).
    record_on: date
    disputed_at: AwareDatetime


class CaseDocument(BaseModel):
    """A document the case relies on, as field staff need it on site."""

    id: str
    type: str
    number: str
    valid_until: date | None


class ApplicationCaseShared(EventPayload, event_type="application.case_shared"):
    """The case's personal details, shared with the grid company that handles it (workflow only, never metrics)."""

    application_id: str
    grid_company: str
    address: str
    contact_name: str
    contact_phone: str
    customer_type: str
    business_type: str
    capacity_kva: str
    documents: list[CaseDocument]


class StaffChanged(EventPayload, event_type="account.staff_changed"):
    """A staff or manager account was made, deactivated or reactivated: the grid company's directory entry.

    `revision` grows with every change of the account, so a receiver keeps the latest and ignores an older
    event that arrives late; the whole directory may be announced again at the revisions it stands at.
    """

    account_id: str
    username: str
    name: str
    role: str
    grid_company: str
    active: bool
    revision: int
    changed_at: AwareDatetime


class ApplicationContractSigned(EventPayload, event_type="application.contract_signed"):
    """The applicant signed the supply contract online (no personal data: the contract itself stays in intake)."""

    application_id: str
    grid_company: str
    region: str
    category: str
    signed_at: AwareDatetime
    sha256: str  # of the contract's PDF as signed, which intake serves unchanged


PUBLISHED: tuple[type[EventPayload], ...] = (
    ApplicationSubmitted,
    ApplicationCaseShared,
    ApplicationWithdrawn,
    ApplicationEvaluated,
    ApplicationDisputed,
    StaffChanged,
    ApplicationContractSigned,
)
# Events that carry personal data: subscribers outside the grid company's own handling never get them.
PERSONAL: tuple[str, ...] = (ApplicationCaseShared.event_type, StaffChanged.event_type)
