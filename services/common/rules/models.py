"""The parts of a rule set: vocabularies, steps, categories, fees, thresholds and placements."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from services.common.rules import regions

# Codes that clients rely on (they appear in every rule set under services/common/rules/data/ and in the
# API's answers): a rule set picks from these, and renaming one breaks clients.
StepCode = Literal[
    "accept", "supply_plan", "design_review", "intermediate_inspection", "completion_inspection", "connect"
]
CategoryCode = Literal["residential_lv", "sme_lv", "non_residential_lv", "hv_single", "hv_dual"]
DocumentType = Literal[
    "id_card",
    "business_license",
    "property_certificate",
    "lease_contract",
    "authorization_letter",
    "load_calculation",
    "construction_permit",
    "equipment_list",
    "project_approval",
    "commitment_letter",  # 承诺书: a resident's signed promise standing in for a property document (一证办电)
]
BusinessType = Literal["new_install", "capacity_increase", "temporary"]
# What field staff bring back from the site: photos of the premises and the meter, forms signed there, reports.
EvidenceKind = Literal["site_photo", "meter_photo", "signed_form", "inspection_report"]
CustomerType = Literal["resident", "enterprise", "public_institution"]
AccessVoltage = Literal["low", "high"]
ReportCategory = Literal["hv_new_install", "hv_capacity_increase", "sme_lv", "residential_lv", "non_residential_lv"]

REPORT_CATEGORIES: tuple[ReportCategory, ...] = get_args(ReportCategory)
STEP_ORDER: tuple[StepCode, ...] = get_args(StepCode)
CATEGORY_CODES: tuple[CategoryCode, ...] = get_args(CategoryCode)
DOCUMENT_TYPES: tuple[DocumentType, ...] = get_args(DocumentType)
BUSINESS_TYPES: tuple[BusinessType, ...] = get_args(BusinessType)
CUSTOMER_TYPES: tuple[CustomerType, ...] = get_args(CustomerType)
EVIDENCE_KINDS: tuple[EvidenceKind, ...] = get_args(EvidenceKind)
# Steps that "zero approval" removes from every low-voltage process.
HV_ONLY_STEPS: frozenset[StepCode] = frozenset({"design_review", "intermediate_inspection"})


def _prefix_from_int(value: Any) -> Any:
    # An unquoted YAML key such as 11 arrives as an int; GB/T 2260 codes never start with 0.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _check_prefix(value: str) -> str:
    if not (value.isascii() and value.isdigit() and len(value) in regions.PREFIX_LENGTHS):
        raise PydanticCustomError("region_prefix", "region prefix must be 2, 4 or 6 digits of a GB/T 2260 code")
    if not regions.region_list().is_prefix(value):
        raise PydanticCustomError("region_prefix", "region prefix is not the start of any GB/T 2260 code")
    return value


RegionPrefix = Annotated[str, BeforeValidator(_prefix_from_int), AfterValidator(_check_prefix)]
GridCompany = Annotated[str, Field(pattern=r"^\S+$")]
Kva = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]


class RuleModel(BaseModel):
    """Base of every rule-set model: immutable, and unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class StepRule(RuleModel):
    """A customer-facing step and its time limit in working days."""

    code: StepCode
    name: str = Field(min_length=1)
    limit_working_days: int = Field(ge=1)


def _requirement_from_type(value: Any) -> Any:
    # In the file a requirement met by one document type is just that type.
    return {"any_of": [value]} if isinstance(value, str) else value


class Requirement(RuleModel):
    """A document requirement, met by any one of its document types (the first is the usual one and its name)."""

    any_of: tuple[DocumentType, ...] = Field(min_length=1)

    @field_validator("any_of")
    @classmethod
    def _distinct(cls, any_of: tuple[DocumentType, ...]) -> tuple[DocumentType, ...]:
        if len(set(any_of)) != len(any_of):
            raise_problems([f"a document type appears twice in {list(any_of)}"])
        return any_of

    @property
    def name(self) -> str:
        """The requirement's name: its first document type, as clients have always seen it."""
        return self.any_of[0]


RequirementItem = Annotated[Requirement, BeforeValidator(_requirement_from_type)]


class CategoryRules(RuleModel):
    """Steps, limits, visits, investment and documents of one connection category."""

    code: CategoryCode
    name: str = Field(min_length=1)
    access_voltage: AccessVoltage
    steps: tuple[StepRule, ...] = Field(min_length=1)
    total_limit_working_days: int = Field(ge=1)
    allowed_visits: int = Field(ge=0)
    zero_investment: bool
    documents: dict[BusinessType, tuple[RequirementItem, ...]]
    # Steps held only for important customers (重要客户); everyone else skips them, and their time limits.
    important_customer_steps: frozenset[StepCode] = frozenset()
    # The lowest class (1 highest, 5 lowest) of contractor licence that may build the customer's works;
    # None: no licence is checked (low voltage, where the grid company builds up to the meter).
    contractor_max_class: int | None = Field(default=None, ge=1, le=5)

    @field_validator("access_voltage")
    @classmethod
    def _voltage_matches_code(cls, value: AccessVoltage, info: ValidationInfo) -> AccessVoltage:
        code = info.data.get("code")
        expected = "high" if code is not None and code.startswith("hv_") else "low"
        if code is not None and value != expected:
            raise_problems([f"category {code} is {expected} voltage"])
        return value

    @field_validator("steps")
    @classmethod
    def _steps_in_order(cls, steps: tuple[StepRule, ...], info: ValidationInfo) -> tuple[StepRule, ...]:
        codes = [step.code for step in steps]
        problems: list[str] = []
        if len(set(codes)) != len(codes):
            problems.append(f"a step code appears twice in {codes}")
        elif codes != sorted(codes, key=STEP_ORDER.index):
            problems.append(f"{codes} are out of order; the order is {list(STEP_ORDER)}")
        if codes[0] != "accept" or codes[-1] != "connect":
            problems.append("the first step must be 'accept' and the last 'connect'")
        if info.data.get("access_voltage") == "low" and HV_ONLY_STEPS.intersection(codes):
            problems.append("low voltage has no design review or intermediate inspection (zero approval)")
        raise_problems(problems)
        return steps

    @field_validator("total_limit_working_days")
    @classmethod
    def _total_fits_steps(cls, total: int, info: ValidationInfo) -> int:
        steps: tuple[StepRule, ...] = info.data.get("steps", ())
        limits = [step.limit_working_days for step in steps] or [total]
        # Above the sum it could never bind (a typo); below the longest step that step's limit is moot.
        if not max(limits) <= total <= sum(limits):
            longest, whole = max(limits), sum(limits)
            raise_problems(
                [f"{total} must lie between the longest step ({longest}) and the sum of the steps ({whole})"]
            )
        return total

    @field_validator("documents")
    @classmethod
    def _documents_complete(
        cls, documents: dict[BusinessType, tuple[Requirement, ...]]
    ) -> dict[BusinessType, tuple[Requirement, ...]]:
        problems = [f"business type {b} is missing" for b in BUSINESS_TYPES if b not in documents]
        for business_type, requirements in documents.items():
            types = [doc_type for requirement in requirements for doc_type in requirement.any_of]
            if len(set(types)) != len(types):
                problems.append(f"{business_type}: a document type appears twice in {types}")
        raise_problems(problems)
        return documents

    @model_validator(mode="after")
    def _important_steps_are_steps(self) -> "CategoryRules":
        codes = [step.code for step in self.steps]
        problems = [
            f"important_customer_steps: {c} is not a step" for c in sorted(self.important_customer_steps - set(codes))
        ]
        problems += [
            f"important_customer_steps: {c} is every customer's step"
            for c in ("accept", "connect")
            if c in self.important_customer_steps
        ]
        if not problems and self.important_customer_steps:
            ordinary = self.for_customer(important=False)
            longest = max(step.limit_working_days for step in ordinary.steps)
            if ordinary.total_limit_working_days < longest:
                problems.append(
                    f"without the important customers' steps the total ({ordinary.total_limit_working_days}) "
                    f"is below the longest step ({longest})"
                )
        raise_problems(problems)
        return self

    def for_customer(self, *, important: bool) -> "CategoryRules":
        """The category as a customer goes through it: without the important-customer steps unless important.

        An ordinary customer's total limit is the category's less the limits of the steps it skips.
        """
        if important or not self.important_customer_steps:
            return self
        skipped = [step for step in self.steps if step.code in self.important_customer_steps]
        return self.model_copy(
            update={
                "steps": tuple(step for step in self.steps if step not in skipped),
                "total_limit_working_days": self.total_limit_working_days - sum(s.limit_working_days for s in skipped),
            }
        )

    def held_with(self, step_codes: "Iterable[str]") -> "CategoryRules":
        """The category as a case with these steps went through it (important if it had their steps)."""
        return self.for_customer(important=bool(self.important_customer_steps.intersection(step_codes)))


def raise_problems(problems: list[str]) -> None:
    """Raise the problems found by a cross-check as one validation error, if there are any."""
    if problems:
        raise PydanticCustomError("rule_set_check", "{problems}", {"problems": "; ".join(problems)})


class StepEvidence(RuleModel):
    """What completing a step needs from the site: evidence of these kinds, and the meter's number if asked."""

    kinds: frozenset[EvidenceKind] = frozenset()
    meter_number: bool = False

    def missing(self, *, uploaded: "Iterable[str]", meter_number: str | None) -> list[str]:
        """What is still needed, kinds first in their fixed order, then `meter_number` when it is asked for."""
        have = set(uploaded)
        needed: list[str] = [kind for kind in EVIDENCE_KINDS if kind in self.kinds and kind not in have]
        if self.meter_number and not meter_number:
            needed.append("meter_number")
        return needed


class FeeStandard(RuleModel):
    """A published fee standard and the categories it applies to."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    yuan: Decimal = Field(ge=0, allow_inf_nan=False)
    unit: Literal["per_case", "per_kva"]
    payer: Literal["customer", "grid"]
    categories: tuple[CategoryCode, ...] = Field(min_length=1)


class Thresholds(RuleModel):
    """Capacity ceilings (kVA, inclusive) that place a case at low voltage."""

    resident_lv_max_kva: Kva
    sme_lv_max_kva: Kva
    lv_max_kva: Kva


class ThresholdOverride(RuleModel):
    """A region's changes to the thresholds; fields left out keep the national value."""

    resident_lv_max_kva: Kva | None = None
    sme_lv_max_kva: Kva | None = None
    lv_max_kva: Kva | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> "ThresholdOverride":
        if not self.model_fields_set:
            raise PydanticCustomError("empty_override", "a region override must change at least one threshold")
        return self


class Placement(RuleModel):
    """Where a case lands: its category, access voltage and whether zero investment applies."""

    category: CategoryCode
    access_voltage: AccessVoltage
    zero_investment: bool
