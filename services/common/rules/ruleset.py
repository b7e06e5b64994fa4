"""A rule set: every rule in force from one date on, and the questions services ask of it."""

from datetime import date
from decimal import Decimal
from typing import Any, Protocol, cast

from pydantic import Field, ValidationInfo, field_validator, model_validator

from services.common.rules import guide
from services.common.rules.errors import UnknownRuleError
from services.common.rules.models import (
    BUSINESS_TYPES,
    CATEGORY_CODES,
    BusinessType,
    CategoryCode,
    CategoryRules,
    DocumentType,
    FeeStandard,
    GridCompany,
    Placement,
    RegionPrefix,
    ReportCategory,
    Requirement,
    RuleModel,
    StepCode,
    StepEvidence,
    ThresholdOverride,
    Thresholds,
    raise_problems,
)

Categories = dict[CategoryCode, CategoryRules]
NO_EVIDENCE = StepEvidence()


class Case(Protocol):
    """What placement reads of a case: an application, a draft or a precheck."""

    @property
    def customer_type(self) -> str: ...
    @property
    def small_micro(self) -> bool: ...
    @property
    def capacity_kva(self) -> Decimal: ...
    @property
    def dual_supply(self) -> bool: ...
    @property
    def region(self) -> str: ...
    @property
    def important_customer(self) -> bool: ...


class RuleSet(RuleModel):
    """One versioned rule set, as read from a YAML file."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    effective_from: date
    source: str = Field(min_length=1)
    grid_companies: dict[RegionPrefix, GridCompany] = Field(min_length=1)
    thresholds: Thresholds
    threshold_overrides: dict[RegionPrefix, ThresholdOverride] = Field(default_factory=dict)
    # The ways to prove the premises, written once and named (YAML anchors) by the categories' documents.
    premises_requirements: tuple[Requirement, ...] = ()
    categories: Categories
    expiring_document_types: frozenset[DocumentType]
    # Documents about the premises: each counts only for the address and region it was supplied for.
    premises_document_types: frozenset[DocumentType]
    fees: tuple[FeeStandard, ...] = ()
    # What completing a step needs from the site, by step code; a step not named needs nothing.
    step_evidence: dict[StepCode, StepEvidence] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _code_from_key(cls, data: Any) -> Any:
        # In the file a category's code is its key; the model carries it too.
        if isinstance(data, dict) and isinstance(data.get("categories"), dict):
            categories = {
                key: {"code": key, **value} if isinstance(value, dict) and "code" not in value else value
                for key, value in data["categories"].items()
            }
            data = {**data, "categories": categories}
        return data

    @field_validator("categories")
    @classmethod
    def _every_category(cls, categories: Categories) -> Categories:
        # place() can land a case in any category, so a rule set must define them all.
        problems = [f"{code} is missing" for code in CATEGORY_CODES if code not in categories]
        problems += [f"{key}.code: {c.code} differs from its key" for key, c in categories.items() if c.code != key]
        raise_problems(problems)
        return categories

    @model_validator(mode="after")
    def _premises_documents(self) -> "RuleSet":
        problems = [
            f"premises_requirements: {doc_type} is not one of premises_document_types"
            for requirement in self.premises_requirements
            for doc_type in requirement.any_of
            if doc_type not in self.premises_document_types
        ]
        raise_problems(problems)
        return self

    @field_validator("fees")
    @classmethod
    def _fees_consistent(cls, fees: tuple[FeeStandard, ...], info: ValidationInfo) -> tuple[FeeStandard, ...]:
        categories: Categories = info.data.get("categories", {})
        codes = [fee.code for fee in fees]
        problems = [f"fee code {code} appears twice" for code in sorted(set(codes)) if codes.count(code) > 1]
        for fee in fees:
            if fee.payer == "customer" and fee.yuan > 0:
                problems += [
                    f"customer-paid fee {fee.code} applies to {code}, which has zero investment"
                    for code in fee.categories
                    if code in categories and categories[code].zero_investment
                ]
        raise_problems(problems)
        return fees

    def __hash__(self) -> int:
        # The dict fields make the generated hash fail; id and start date identify a set.
        return hash((self.id, self.effective_from))

    def grid_company_for(self, region: str) -> str | None:
        """Return the grid company serving a region code (longest matching prefix), or None."""
        matches = [prefix for prefix in self.grid_companies if region.startswith(prefix)]
        return self.grid_companies[max(matches, key=len)] if matches else None

    def thresholds_for(self, region: str) -> Thresholds:
        """Return the placement thresholds in a region, overrides applied from shortest prefix to longest."""
        changes: dict[str, Any] = {}
        for prefix in sorted(self.threshold_overrides, key=len):
            if region.startswith(prefix):
                override = self.threshold_overrides[prefix]
                changes.update(override.model_dump(include=override.model_fields_set))
        return self.thresholds.model_copy(update=changes)

    def place(
        self,
        *,
        customer_type: str,
        small_micro: bool,
        capacity_kva: Decimal | float,
        dual_supply: bool,
        region: str,
    ) -> Placement:
        """Place a case in a category; a threshold is inclusive (160 kVA is still low voltage at 160)."""
        capacity = capacity_kva if isinstance(capacity_kva, Decimal) else Decimal(str(capacity_kva))
        if not capacity.is_finite() or capacity <= 0:
            raise ValueError(f"capacity_kva must be a positive number, got {capacity_kva!r}")
        limits = self.thresholds_for(region)
        code: CategoryCode
        if customer_type == "resident":
            low = capacity <= limits.resident_lv_max_kva
            code = "residential_lv"
        elif customer_type in ("enterprise", "public_institution"):
            sme = customer_type == "enterprise" and small_micro and capacity <= limits.sme_lv_max_kva
            low = sme or capacity <= limits.lv_max_kva
            code = "sme_lv" if sme else "non_residential_lv"
        else:
            raise ValueError(f"customer_type must be resident, enterprise or public_institution: {customer_type!r}")
        if not low:
            code = "hv_dual" if dual_supply else "hv_single"
        category = self.category(code)
        return Placement(
            category=code, access_voltage=category.access_voltage, zero_investment=category.zero_investment
        )

    def place_case(self, case: Case) -> tuple[Placement, CategoryRules]:
        """Place a case and give the rules of its category as they apply to this customer."""
        placement = self.place(
            customer_type=case.customer_type,
            small_micro=case.small_micro,
            capacity_kva=case.capacity_kva,
            dual_supply=case.dual_supply,
            region=case.region,
        )
        return placement, self.category(placement.category).for_customer(important=case.important_customer)

    def category(self, code: str) -> CategoryRules:
        """Return a category's rules; UnknownRuleError (a KeyError) if the rule set has none by that code."""
        rules = self.categories.get(cast(CategoryCode, code))
        if rules is None:
            raise UnknownRuleError(f"rule set {self.id} has no category {code!r}")
        return rules

    def required_documents(self, category: str, business_type: str) -> tuple[str, ...]:
        """Return the names of the requirements (each its usual document type) of a category and business type."""
        return tuple(requirement.name for requirement in self.requirements(category, business_type))

    def requirements(self, category: str, business_type: str) -> tuple[Requirement, ...]:
        """Return the document requirements of a category and business type, each met by one of its types."""
        return self.category(category).documents[_business_type(business_type)]

    def report_category(self, category: str, business_type: str) -> ReportCategory:
        """Return the half-year report category of a case."""
        rules, kind = self.category(category), _business_type(business_type)
        if rules.access_voltage == "high":
            return "hv_capacity_increase" if kind == "capacity_increase" else "hv_new_install"
        return cast(ReportCategory, rules.code)

    def fees_for(self, category: str) -> tuple[FeeStandard, ...]:
        """Return the fee standards that apply to a category."""
        code = self.category(category).code
        return tuple(fee for fee in self.fees if code in fee.categories)

    def evidence_for(self, step: str) -> StepEvidence:
        """Return what completing a step needs from the site (nothing for a step the set does not name)."""
        return self.step_evidence.get(cast(StepCode, step), NO_EVIDENCE)

    def public_dict(self) -> dict[str, Any]:
        """Return the rule set as a JSON-able dict for the public guide."""
        return guide.public_dict(self)


def _business_type(value: str) -> BusinessType:
    if value not in BUSINESS_TYPES:
        raise UnknownRuleError(f"business type must be one of {', '.join(BUSINESS_TYPES)}, got {value!r}")
    return value
