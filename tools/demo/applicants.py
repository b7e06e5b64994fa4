"""What applicants do through intake: register, upload each document once, apply, withdraw, rate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tools.demo import files
from tools.demo.guide import Guide
from tools.demo.http import Api, Login
from tools.demo.people import Applicant, Case, organisation_name, rng_for, valid_until
from tools.demo.records import Book, CaseRecord

_IDENTITY = {"resident": ("id_card",), "enterprise": ("id_card", "business_license")}
_COMMENTS = {5: "全程网上办，没跑一次", 4: "很快，满意", 3: "还行", 2: "比承诺的慢", 1: "太慢了"}


class Applicants:
    """Applicants acting through the intake API; every application made is written into the book."""

    def __init__(self, api: Api, guide: Guide, book: Book, *, seed: int, real_time: bool = False) -> None:
        self.api = api
        self.guide = guide
        self.book = book
        self.seed = seed
        self.real_time = real_time  # everything happens today: who withdraws does so at once
        self.logins: dict[str, Login] = {}

    def arrive(self, applicant: Applicant, today: date) -> CaseRecord:
        """Register, then apply for the first case."""
        self.api.intake(
            "POST",
            "/api/v1/auth/register",
            json={"username": applicant.username, "password": applicant.password, "name": applicant.name},
            expect=(201,),
        )
        self.book.tally.registered += 1
        self.logins[applicant.username] = Login(applicant.username, applicant.password)
        return self.apply(applicant, applicant.first, today, second=False)

    def apply(self, applicant: Applicant, case: Case, today: date, *, second: bool) -> CaseRecord:
        """Apply for a case; documents on file and still valid are reused, a 422 is answered once."""
        login = self.logins[applicant.username]
        if second:
            # Someone applying again trusts what is on file; intake says in one go what is not enough.
            document_ids: list[str] = []
        elif applicant.forgetful:
            # Skips the precheck and brings only proof of identity.
            document_ids = self._upload(
                applicant, login, _IDENTITY.get(case.customer_type, _IDENTITY["enterprise"]), today
            )
        else:
            precheck = self.api.intake("POST", "/api/v1/precheck", login, json=case.body(), expect=(200,)).json()
            wanted = [t for t in precheck["required_documents"] if t not in precheck["documents_on_file"]]
            document_ids = self._upload(applicant, login, wanted, today)
        key = f"{applicant.index}/{2 if second else 1}"
        response = self._submit(login, case, applicant, document_ids, idempotency_key=f"{key}/first-try")
        if response.status_code == 422:
            self.book.tally.incomplete_answers += 1
            missing = response.json()["missing_documents"]
            document_ids += self._upload(applicant, login, missing, today)
            response = self._submit(login, case, applicant, document_ids, idempotency_key=f"{key}/completed")
        body = response.json()
        if response.status_code != 201:
            raise RuntimeError(f"application {key} was refused twice: {body}")
        self.book.tally.applications += 1
        self.book.tally.second_applications += second
        self.book.tally.documents_reused += len(body["documents"]["reused"])
        record = CaseRecord(
            key=key,
            application_id=body["id"],
            applicant=applicant,
            login=login,
            case=case,
            category=body["category"],
            grid_company=body["grid_company"],
            zero_investment=body["zero_investment"],
            submitted_on=today,
        )
        if applicant.withdraw_after is not None and not second:
            record.withdraw_on = today + timedelta(days=0 if self.real_time else applicant.withdraw_after)
        self.book.add(record)
        return record

    def _submit(
        self, login: Login, case: Case, applicant: Applicant, document_ids: list[str], *, idempotency_key: str
    ) -> Any:
        body = {
            **case.body(),
            "address": case.address,
            "contact_name": applicant.name,
            "contact_phone": applicant.phone,
            "channel": case.channel,
            "document_ids": document_ids,
        }
        headers = {"Idempotency-Key": idempotency_key}
        return self.api.intake("POST", "/api/v1/applications", login, json=body, headers=headers, expect=(201, 422))

    def _upload(self, applicant: Applicant, login: Login, types: tuple[str, ...] | list[str], today: date) -> list[str]:
        ids = []
        for document_type in types:
            number = _number(applicant, document_type, today)
            if document_type == "id_card" and applicant.id_card_as_photo:
                content, media_type, name = files.png(number), files.PNG_MEDIA_TYPE, "id_card.png"
            else:
                label = f"{document_type} {number} {organisation_name(applicant, applicant.first)}"
                content, media_type, name = files.pdf(label), files.PDF_MEDIA_TYPE, f"{document_type}.pdf"
            data = {"type": document_type, "number": number}
            if self.guide.expires(document_type):
                data["valid_until"] = valid_until(applicant, document_type, today).isoformat()
            response = self.api.intake(
                "POST",
                "/api/v1/documents",
                login,
                files={"file": (name, content, media_type)},
                data=data,
                expect=(201,),
            )
            ids.append(str(response.json()["id"]))
            self.book.tally.documents_uploaded += 1
        return ids

    def withdraw(self, record: CaseRecord) -> None:
        """Withdraw an application that is not connected yet."""
        path = f"/api/v1/applications/{record.application_id}/withdraw"
        response = self.api.intake("POST", path, record.login, expect=(200, 409))
        if response.status_code == 200:
            record.status = "withdrawn"
            self.book.tally.withdrawn += 1
        else:
            self.book.tally.conflicts += 1

    def rate(self, record: CaseRecord) -> None:
        """Rate a connected case once: well when it was on time, less so when it was late."""
        rng = rng_for(self.seed, "rating", record.key)
        score = rng.choice((2, 3, 3, 4)) if record.late else rng.choice((4, 5, 5, 5, 5))
        body: dict[str, Any] = {"score": score}
        if rng.random() < 0.4:
            body["comment"] = _COMMENTS[score]
        path = f"/api/v1/applications/{record.application_id}/evaluation"
        response = self.api.intake("POST", path, record.login, json=body, expect=(200, 409))
        record.rated = True
        if response.status_code == 200:
            self.book.tally.evaluations += 1
        else:
            self.book.tally.conflicts += 1


def _number(applicant: Applicant, document_type: str, today: date) -> str:
    """A document number of the usual shape; made up, like everything about the applicant."""
    rng = rng_for(0, "number", applicant.username, document_type, today.isoformat())
    region = applicant.first.region
    if document_type == "id_card":
        born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000))
        return f"{region}{born:%Y%m%d}{rng.randint(100, 999)}{rng.choice('0123456789X')}"
    if document_type == "business_license":
        return f"91{region}{rng.randint(0, 16**10 - 1):010X}"
    return f"{document_type[:4].upper()}-{region}-{rng.randint(1, 9_999_999):07d}"
