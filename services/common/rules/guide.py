"""The public guide: what the platform publishes, read from the rule set it enforces."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.common.rules.models import CategoryRules, FeeStandard, Thresholds
    from services.common.rules.ruleset import RuleSet


def public_dict(rule_set: "RuleSet") -> dict[str, Any]:
    """Return a rule set as a dict of plain JSON types (numbers as int or float, dates as ISO strings)."""
    return {
        "id": rule_set.id,
        "name": rule_set.name,
        "effective_from": rule_set.effective_from.isoformat(),
        "source": rule_set.source,
        "categories": [_category(category) for category in rule_set.categories.values()],
        "expiring_document_types": sorted(rule_set.expiring_document_types),
        "premises_document_types": sorted(rule_set.premises_document_types),
        "fees": [_fee(fee) for fee in rule_set.fees],
        "thresholds": thresholds_dict(rule_set.thresholds),
        "regional_thresholds": {
            prefix: thresholds_dict(rule_set.thresholds_for(prefix)) for prefix in sorted(rule_set.threshold_overrides)
        },
        "grid_companies": dict(sorted(rule_set.grid_companies.items())),
        # What field staff must bring back from the site before a step counts as done (a photo of the meter).
        "step_evidence": {
            code: {"kinds": sorted(needed.kinds), "meter_number": needed.meter_number}
            for code, needed in rule_set.step_evidence.items()
        },
    }


def _category(category: "CategoryRules") -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "access_voltage": category.access_voltage,
        "steps": [
            {"code": step.code, "name": step.name, "limit_working_days": step.limit_working_days}
            for step in category.steps
        ],
        "total_limit_working_days": category.total_limit_working_days,
        # Held only for important customers; an ordinary customer's total is the one above less their limits.
        "important_customer_steps": [
            step.code for step in category.steps if step.code in category.important_customer_steps
        ],
        "contractor_max_class": category.contractor_max_class,
        "ordinary_total_limit_working_days": category.for_customer(important=False).total_limit_working_days,
        "allowed_visits": category.allowed_visits,
        "zero_investment": category.zero_investment,
        # Each requirement by its name (its usual document type), as clients have always read them...
        "documents": {kind: [r.name for r in requirements] for kind, requirements in category.documents.items()},
        # ...and with the document types that meet it, any one of them enough.
        "requirements": {
            kind: [{"requirement": r.name, "any_of": list(r.any_of)} for r in requirements]
            for kind, requirements in category.documents.items()
        },
    }


def _fee(fee: "FeeStandard") -> dict[str, Any]:
    return {
        "code": fee.code,
        "name": fee.name,
        "yuan": _number(fee.yuan),
        "unit": fee.unit,
        "payer": fee.payer,
        "categories": list(fee.categories),
    }


def thresholds_dict(thresholds: "Thresholds") -> dict[str, int | float]:
    """Return thresholds as JSON numbers."""
    return {name: _number(value) for name, value in thresholds.model_dump().items()}


def _number(value: Decimal) -> int | float:
    # Thresholds and fees are whole or two-place numbers, so a float loses nothing a client would see.
    return int(value) if value == value.to_integral_value() else float(value)
