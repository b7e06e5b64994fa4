"""Versioned rule sets (YAML under data/): categories, steps and limits, documents, fees, grid companies."""

from services.common.rules.errors import RuleSetError, UnknownRuleError
from services.common.rules.loader import DEFAULT_DATA_DIR, RuleBook, load_rule_book, load_rule_set
from services.common.rules.models import (
    BUSINESS_TYPES,
    CATEGORY_CODES,
    CUSTOMER_TYPES,
    EVIDENCE_KINDS,
    REPORT_CATEGORIES,
    STEP_ORDER,
    CategoryRules,
    FeeStandard,
    Placement,
    Requirement,
    StepEvidence,
    StepRule,
    Thresholds,
)
from services.common.rules.regions import Region, RegionList, region_list
from services.common.rules.ruleset import RuleSet

__all__ = [
    "BUSINESS_TYPES",
    "CATEGORY_CODES",
    "CUSTOMER_TYPES",
    "DEFAULT_DATA_DIR",
    "EVIDENCE_KINDS",
    "REPORT_CATEGORIES",
    "STEP_ORDER",
    "CategoryRules",
    "FeeStandard",
    "Placement",
    "Region",
    "RegionList",
    "Requirement",
    "RuleBook",
    "RuleSet",
    "RuleSetError",
    "StepEvidence",
    "StepRule",
    "Thresholds",
    "UnknownRuleError",
    "load_rule_book",
    "load_rule_set",
    "region_list",
]
