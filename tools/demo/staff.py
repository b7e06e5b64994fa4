"""What grid companies do through workflow: assign jobs, complete due steps, pause, resume, record fees and visits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tools import fieldwork
from tools.demo.guide import Guide
from tools.demo.http import Api, Login
from tools.demo.people import rng_for
from tools.demo.records import Book, CaseRecord
from tools.demo.timeline import WorkingDays

# How often each company finishes a step late, and charges a customer where the grid should pay:
# settings of the simulation, chosen so that the companies differ and the report has someone to name.
LATE_SHARE = {"SGCC-BJ": 0.05, "SGCC-SH": 0.07, "CSG-GZ": 0.15, "CSG-SZ": 0.04}
WRONG_FEE_SHARE = {"SGCC-BJ": 0.01, "SGCC-SH": 0.02, "CSG-GZ": 0.06, "CSG-SZ": 0.01}
HV = ("hv_single", "hv_dual")


@dataclass
class Team:
    """A grid company's people: a manager who assigns, field staff who do the work."""

    grid_company: str
    manager: Login
    staff: list[Login]
    # Account ids by username, as workflow's staff directory lists them: jobs are assigned by id.
    ids: dict[str, str] = field(default_factory=dict)

    def member(self, staff_id: str | None) -> Login:
        """The login of a staff member by account id (the first one when unknown)."""
        return next(
            (s for s in self.staff if staff_id is not None and self.ids.get(s.username) == staff_id), self.staff[0]
        )


@dataclass(frozen=True)
class Pause:
    """A planned stop of the clock at the start of a step."""

    reason: str
    note: str
    working_days: int


def planned_pause(seed: int, record: CaseRecord, step: str) -> Pause | None:
    """Whether a step waits for the customer or a permit first, and for how many working days."""
    rng = rng_for(seed, "pause", record.key, step)
    chance = rng.random()
    if record.category in HV:
        if step == "design_review":
            return Pause("customer_not_ready", "等待客户提交设计图纸", rng.randint(3, 10))
        if step == "intermediate_inspection":
            return Pause("customer_not_ready", "客户受电工程施工中", rng.randint(8, 24))
        if step == "completion_inspection" and chance < 0.3:
            return Pause("customer_not_ready", "客户工程收尾", rng.randint(2, 6))
        if step == "supply_plan" and chance < 0.1:
            return Pause("government_approval_pending", "外线工程路由许可办理中", rng.randint(3, 12))
        return None
    if step == "connect" and record.category != "residential_lv" and chance < 0.07:
        return Pause("government_approval_pending", "外线工程占掘路许可办理中", rng.randint(2, 8))
    if step == "connect" and record.category == "residential_lv" and chance < 0.04:
        return Pause("customer_request", "客户要求改期装表", rng.randint(1, 4))
    if step == "accept" and chance < 0.03:
        return Pause("customer_not_ready", "客户产权证明补办中", rng.randint(1, 5))
    return None


def target_days(seed: int, record: CaseRecord, step: str, limit: int) -> tuple[int, bool]:
    """After how many working days (pauses aside) a step gets done, and whether that is late."""
    rng = rng_for(seed, "step", record.key, step)
    if rng.random() < LATE_SHARE.get(record.grid_company, 0.08):
        return limit + rng.randint(1, 4), True
    low = 0 if limit <= 3 else max(1, limit // 3)
    return rng.randint(low, limit), False


# The contractors customers hire for high-voltage works: one licensed, one whose licence has run out.
LICENSED, EXPIRED = "1-1-10001-2024", "5-1-10002-2016"
UNLICENSED_SHARE = 0.04


def import_licences(api: Api, regulator: Login) -> None:
    """The regulator loads the contractor licence registry the demonstration's contractors are in."""
    licences = [
        {"number": LICENSED, "holder": "华电送变电工程有限公司", "class": 1, "scopes": ["install", "repair", "test"],
         "valid_until": "2032-12-31"},
        {"number": EXPIRED, "holder": "某某电力安装队", "class": 5, "scopes": ["install"], "valid_until": "2021-12-31"},
    ]  # fmt: skip
    api.workflow("POST", "/api/v1/contractors/import", regulator, json={"licences": licences}, expect=(200,))


class GridCompanies:
    """Every team at work on a working day, on the demonstration's own jobs only."""

    def __init__(self, api: Api, guide: Guide, book: Book, calendar: WorkingDays, teams: list[Team], *, seed: int):
        self.api = api
        self.guide = guide
        self.book = book
        self.calendar = calendar
        self.teams = teams
        self.seed = seed

    def work(self, today: date, *, at_once: bool = False) -> list[CaseRecord]:
        """One round of work; returns the cases connected in it. at_once: no waiting for due days (real time)."""
        connected: list[CaseRecord] = []
        for team in self.teams:
            self._resume_due(team, today, at_once=at_once)
            for job in self._open_jobs(team):
                record = self.book.by_application.get(job["application_id"])
                if record is None or record.status != "open":
                    continue  # not one of ours (attached to a running platform), or withdrawn meanwhile
                if self._handle(team, record, job, today, at_once=at_once):
                    connected.append(record)
        return connected

    def _open_jobs(self, team: Team) -> list[dict[str, Any]]:
        jobs: list[dict[str, Any]] = []
        while True:
            page = self.api.workflow(
                "GET", f"/api/v1/jobs?status=in_progress&limit=100&offset={len(jobs)}", team.staff[0]
            ).json()
            jobs += page["items"]
            if not page["items"] or len(jobs) >= page["total"]:
                break
        # The oldest first, and in the same order on every run of one seed.
        return sorted(jobs, key=lambda j: (j["submitted_at"], self._key(j)))

    def _key(self, job: dict[str, Any]) -> str:
        record = self.book.by_application.get(job["application_id"])
        return record.key if record else job["id"]

    def _resume_due(self, team: Team, today: date, *, at_once: bool) -> None:
        for record in self.book.records():
            if record.grid_company != team.grid_company or record.paused_until is None or record.status != "open":
                continue
            if at_once or record.paused_until <= today:
                self.api.workflow("POST", f"/api/v1/jobs/{record.job_id}/resume", team.staff[0], expect=(200,))
                record.paused_until = None
                self.book.tally.resumes += 1

    def _handle(self, team: Team, record: CaseRecord, job: dict[str, Any], today: date, *, at_once: bool) -> bool:
        """Work one job for the day; True when it got connected."""
        record.job_id = job["id"]
        if job["assignee"] is None:
            chosen = team.staff[int(record.key.split("/")[0]) % len(team.staff)]
            assignee = self._staff_id(team, chosen)
            if assignee is not None:
                job = self._change(team.manager, job, "assign", {"assignee": assignee}, version=True)
        staff = team.member(job["assignee"])
        if not record.welcomed:
            record.welcomed = True
            if record.case.channel == "hall":
                self._visit(staff, job, record.submitted_on, "submit_documents")
        step = next(s for s in job["steps"] if s["code"] == job["current_step"])
        code = step["code"]
        if code not in record.pauses_used:
            record.pauses_used.add(code)
            pause = planned_pause(self.seed, record, code)
            if pause is not None:
                self._change(staff, job, "pause", {"reason": pause.reason, "note": pause.note})
                record.paused_until = today if at_once else self.calendar.add(today, pause.working_days)
                self.book.tally.pauses += 1
                return False
        target, late = target_days(self.seed, record, code, step["limit_working_days"])
        if not at_once and step["elapsed_working_days"] < target:
            return False
        self._before_completing(staff, record, job, today)
        self._evidence(staff, job, code)
        body = fieldwork.completion(job["rule_set"], code, job_id=job["id"])
        job = self._change(staff, job, f"steps/{code}/complete", body, version=True)
        self.book.tally.steps_completed += 1
        if late and not at_once:
            record.late = True
            self.book.tally.late_steps += 1
        if job["status"] != "connected":
            return False
        record.status, record.connected_on = "connected", today
        self.book.tally.connected += 1
        return True

    def _staff_id(self, team: Team, login: Login) -> str | None:
        """A staff member's id from the directory (None until intake's announcement has reached workflow)."""
        if login.username not in team.ids:
            listed = self.api.workflow("GET", "/api/v1/staff?active=true", team.manager, expect=(200,)).json()
            team.ids.update({entry["username"]: entry["id"] for entry in listed})
        return team.ids.get(login.username)

    def _before_completing(self, staff: Login, record: CaseRecord, job: dict[str, Any], today: date) -> None:
        """Fees with the supply plan (or acceptance) and at connection; now and then a trip to the office."""
        step = job["current_step"]
        rng = rng_for(self.seed, "extras", record.key, step)
        fees = self.guide.fees(record.category)
        first_step = "supply_plan" if "supply_plan" in self.guide.steps(record.category) else "accept"
        if step == first_step:
            for fee in (f for f in fees if f.payer == "customer"):
                amount = fee.yuan * record.case.capacity_kva if fee.unit == "per_kva" else fee.yuan
                self._fee(staff, job, fee.code, amount, "customer", "按公布标准收取")
            if rng.random() < 0.03:
                self._visit(staff, job, today, "sign_contract")
            if self.guide.contractor_max_class(record.category) is not None:
                # Now and then the customer first names a contractor whose licence has run out.
                if rng.random() < UNLICENSED_SHARE:
                    self._contractor(staff, job, EXPIRED)
                self._contractor(staff, job, LICENSED)
        if step == "connect":
            for fee in (f for f in fees if f.payer == "grid"):
                self._fee(staff, job, fee.code, fee.yuan, "grid", "电网企业投资")
            if record.zero_investment and rng.random() < WRONG_FEE_SHARE.get(record.grid_company, 0.02):
                amount = rng.choice((380, 560, 850, 1200))
                self._fee(staff, job, "meter_box_materials", amount, "customer", "表箱材料费由客户承担")
                self.book.tally.customer_fees_zero_investment += 1

    def _evidence(self, staff: Login, job: dict[str, Any], step: str) -> None:
        """Upload from the site what the step needs (a photo of the meter to connect) before completing it."""
        for upload in fieldwork.uploads(job["rule_set"], step, job_id=job["id"]):
            response = self.api.workflow("POST", f"/api/v1/jobs/{job['id']}/evidence", staff, expect=(201,), **upload)
            job["version"] = int(response.headers["ETag"].strip('"'))

    def _contractor(self, staff: Login, job: dict[str, Any], licence_number: str) -> None:
        answer = self._change(staff, job, "contractor", {"licence_number": licence_number})
        job["version"] = answer["version"]

    def _fee(self, staff: Login, job: dict[str, Any], code: str, amount: float, payer: str, note: str) -> None:
        body = {"code": code, "amount_yuan": f"{amount:.2f}", "payer": payer, "note": note}
        self._record(staff, job, "fees", body)
        self.book.tally.fees += 1

    def _visit(self, staff: Login, job: dict[str, Any], on: date, purpose: str) -> None:
        self._record(staff, job, "visits", {"visited_on": on.isoformat(), "purpose": purpose})
        self.book.tally.visits += 1

    def _record(self, login: Login, job: dict[str, Any], what: str, body: dict[str, Any]) -> None:
        """Record a fee or a visit; the job's new version comes back as the ETag."""
        response = self.api.workflow("POST", f"/api/v1/jobs/{job['id']}/{what}", login, json=body, expect=(201,))
        job["version"] = int(response.headers["ETag"].strip('"'))

    def _change(
        self, login: Login, job: dict[str, Any], action: str, body: dict[str, Any] | None, *, version: bool = False
    ) -> dict[str, Any]:
        """POST an action on a job, with its version when asked; returns the job as it is now."""
        headers = {"If-Match": str(job["version"])} if version else {}
        response = self.api.workflow("POST", f"/api/v1/jobs/{job['id']}/{action}", login, json=body, headers=headers)
        answer: dict[str, Any] = response.json()
        return answer
