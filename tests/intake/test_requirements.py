"""Documents as applicants hold them: alternatives, the commitment letter, and property bound to premises."""

from __future__ import annotations

from typing import Any

from tests.intake.helpers import application_body, sign_in, upload, upload_all
from tests.support.services import Service

RESIDENT: dict[str, Any] = {"customer_type": "resident", "small_micro": False, "capacity_kva": 8}
PROPERTY_ANY_OF = ["property_certificate", "lease_contract"]


async def _apply(intake: Service, headers: dict[str, str], ids: list[str], **changes: Any) -> Any:
    return await intake.client.post("/api/v1/applications", headers=headers, json=application_body(ids, **changes))


async def test_a_lease_contract_meets_the_property_requirement(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers, ("business_license", "id_card", "lease_contract"))
    response = await _apply(intake, headers, ids)
    assert response.status_code == 201, response.text
    assert sorted(response.json()["documents"]["supplied"]) == sorted(ids)
    assert response.json()["documents"]["required"] == ["business_license", "id_card", "property_certificate"]


async def test_a_resident_may_sign_a_commitment_letter_instead_of_a_property_document(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers, ("id_card", "commitment_letter"))
    response = await _apply(intake, headers, ids, **RESIDENT)
    assert response.status_code == 201, response.text
    assert response.json()["category"] == "residential_lv"


async def test_an_enterprise_cannot_use_a_commitment_letter(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers, ("business_license", "id_card", "commitment_letter"))
    response = await _apply(intake, headers, ids)
    assert response.status_code == 422
    assert response.json()["missing_documents"] == ["property_certificate"]
    assert response.json()["unmet_requirements"] == [
        {"requirement": "property_certificate", "any_of": PROPERTY_ANY_OF, "reason": "missing"}
    ]


async def test_each_unmet_requirement_is_named_once_with_its_alternatives(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    response = await _apply(intake, headers, [], **RESIDENT)
    assert response.status_code == 422
    problem = response.json()
    assert problem["missing_documents"] == ["id_card", "property_certificate"]
    assert problem["unmet_requirements"] == [
        {"requirement": "id_card", "any_of": ["id_card"], "reason": "missing"},
        {"requirement": "property_certificate", "any_of": [*PROPERTY_ANY_OF, "commitment_letter"], "reason": "missing"},
    ]


async def test_a_property_document_is_not_reused_for_other_premises(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers)
    assert (await _apply(intake, headers, ids)).status_code == 201
    elsewhere = await _apply(intake, headers, [], address="2 Another Street")
    assert elsewhere.status_code == 422
    assert elsewhere.json()["missing_documents"] == ["property_certificate"]
    assert elsewhere.json()["unmet_requirements"][0]["reason"] == "other_premises"


async def test_a_property_document_named_again_for_other_premises_is_refused(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers)
    assert (await _apply(intake, headers, ids)).status_code == 201
    response = await _apply(intake, headers, ids, address="2 Another Street")
    assert response.status_code == 422
    assert response.json()["missing_documents"] == ["property_certificate"]


async def test_the_same_address_in_another_county_is_other_premises(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    assert (await _apply(intake, headers, await upload_all(intake.client, headers))).status_code == 201
    response = await _apply(intake, headers, [], region="110108")
    assert response.status_code == 422
    assert response.json()["missing_documents"] == ["property_certificate"]


async def test_a_new_lease_for_new_premises_is_supplied_and_the_rest_reused(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    first_ids = await upload_all(intake.client, headers)
    assert (await _apply(intake, headers, first_ids)).status_code == 201
    lease = (await upload(intake.client, headers, "lease_contract")).json()["id"]
    response = await _apply(intake, headers, [lease], address="2 Another Street")
    assert response.status_code == 201, response.text
    assert response.json()["documents"]["supplied"] == [lease]
    assert len(response.json()["documents"]["reused"]) == 2


async def test_precheck_counts_a_property_document_only_for_its_premises(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    body = application_body(await upload_all(intake.client, headers))
    assert (await intake.client.post("/api/v1/applications", headers=headers, json=body)).status_code == 201
    case = {k: body[k] for k in ("customer_type", "small_micro", "business_type", "capacity_kva", "region")}
    same = await intake.client.post("/api/v1/precheck", headers=headers, json={**case, "address": body["address"]})
    other = await intake.client.post("/api/v1/precheck", headers=headers, json={**case, "address": "2 Another St"})
    assert same.json()["documents_on_file"] == ["business_license", "id_card", "property_certificate"]
    assert other.json()["documents_on_file"] == ["business_license", "id_card"]


async def test_the_guide_lists_each_requirement_with_its_alternatives(intake: Service) -> None:
    guide = (await intake.client.get("/api/v1/guide")).json()
    resident = next(c for c in guide["categories"] if c["code"] == "residential_lv")
    assert resident["documents"]["new_install"] == ["id_card", "property_certificate"]
    assert resident["requirements"]["new_install"][1] == {
        "requirement": "property_certificate",
        "any_of": [*PROPERTY_ANY_OF, "commitment_letter"],
    }
    assert "commitment_letter" in guide["premises_document_types"]
