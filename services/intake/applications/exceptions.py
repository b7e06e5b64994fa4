"""Application errors, and the problem documents of those that carry members of their own."""

from typing import Literal

from pydantic import BaseModel, Field

from services.common.errors import Conflict, NotFound, Unprocessable, ValidationProblem
from services.common.rules.models import DocumentType


class UnmetRequirement(BaseModel):
    """A document requirement the application does not meet."""

    requirement: DocumentType = Field(description="The requirement's name: its usual document type.",
                                      examples=["property_certificate"])  # fmt: skip
    any_of: list[DocumentType] = Field(description="The document types any one of which meets it.",
                                       examples=[["property_certificate", "lease_contract"]])  # fmt: skip
    reason: Literal["missing", "expired", "other_premises"] = Field(
        description="`missing`: none on file; `expired`: on file but no longer valid; `other_premises`: on file "
        "for another address.",
        examples=["missing"],
    )


class IncompleteApplicationProblem(ValidationProblem):
    """An application some of whose required documents are missing or expired: every one listed at once."""

    missing_documents: list[DocumentType] = Field(
        description="Every unmet requirement, once, by its usual document type.", examples=[["property_certificate"]]
    )
    expired_documents: list[DocumentType] = Field(
        description="Those of them unmet because the documents on file have expired.", examples=[[]]
    )
    required_documents: list[DocumentType] = Field(
        description="Every document the case requires.",
        examples=[["business_license", "id_card", "property_certificate"]],
    )
    unmet_requirements: list[UnmetRequirement] = Field(description="Each unmet requirement and why.")


class UnknownRegionProblem(ValidationProblem):
    """A region that is not a GB/T 2260 county code, or that no grid company serves."""

    region: str = Field(description="The region code as sent.", examples=["999999"])


class UnknownDocumentsProblem(ValidationProblem):
    """Document ids that are not documents of the caller's."""

    unknown_document_ids: list[str] = Field(
        description="The ids that name no document of the caller's.",
        examples=[["3f2c7a9e-0000-4000-8000-000000000000"]],
    )


class ApplicationNotFound(NotFound, slug="application-not-found", title="Application not found"): ...


class IncompleteApplication(
    Unprocessable, slug="incomplete-application", title="Documents missing", schema=IncompleteApplicationProblem
): ...


class UnknownRegion(Unprocessable, slug="unknown-region", title="Unknown region", schema=UnknownRegionProblem): ...


class UnknownDocuments(
    Unprocessable, slug="unknown-documents", title="Unknown documents", schema=UnknownDocumentsProblem
): ...


class InvalidTransition(Conflict, slug="invalid-transition", title="Not possible in the application's state"): ...
