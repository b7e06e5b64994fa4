"""Rule sets: placement, regions, versions, documents, report categories and malformed files."""

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.common.rules import (
    DEFAULT_DATA_DIR,
    Placement,
    RuleBook,
    RuleSet,
    RuleSetError,
    UnknownRuleError,
    load_rule_book,
)


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rule_book()


@pytest.fixture(scope="module")
def rules_2018(book: RuleBook) -> RuleSet:
    return book.by_id("2018-nea")


@pytest.fixture(scope="module")
def rules_2025(book: RuleBook) -> RuleSet:
    return book.by_id("2025-ndrc-nea")


def placement(rule_set: RuleSet, capacity: Decimal | float, **case: Any) -> Placement:
    defaults = {"customer_type": "enterprise", "small_micro": False, "dual_supply": False, "region": "110105"}
    return rule_set.place(capacity_kva=capacity, **{**defaults, **case})


def place(rule_set: RuleSet, capacity: Decimal | float, **case: Any) -> str:
    return placement(rule_set, capacity, **case).category


# --- placement ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [(Decimal("159.99"), "sme_lv"), (Decimal("160"), "sme_lv"), (Decimal("160.01"), "hv_single")],
)
def test_small_micro_enterprise_ceiling_is_inclusive(rules_2018: RuleSet, capacity: Decimal, expected: str) -> None:
    assert place(rules_2018, capacity, small_micro=True) == expected


@pytest.mark.parametrize(("capacity", "expected"), [(159.99, "sme_lv"), (160, "sme_lv"), (160.01, "hv_single")])
def test_float_capacities_compare_as_their_decimal_text(rules_2018: RuleSet, capacity: float, expected: str) -> None:
    assert place(rules_2018, capacity, small_micro=True) == expected


@pytest.mark.parametrize(
    ("capacity", "dual_supply", "expected"),
    [
        ("99.99", False, "residential_lv"),
        ("100", False, "residential_lv"),
        ("100.01", False, "hv_single"),
        ("100.01", True, "hv_dual"),
        ("8", True, "residential_lv"),
    ],
)
def test_resident_ceiling(rules_2018: RuleSet, capacity: str, dual_supply: bool, expected: str) -> None:
    category = place(rules_2018, Decimal(capacity), customer_type="resident", dual_supply=dual_supply)
    assert category == expected


@pytest.mark.parametrize("customer_type", ["enterprise", "public_institution"])
@pytest.mark.parametrize(("capacity", "expected"), [("100", "non_residential_lv"), ("100.01", "hv_single")])
def test_other_non_residential_ceiling(rules_2018: RuleSet, customer_type: str, capacity: str, expected: str) -> None:
    assert place(rules_2018, Decimal(capacity), customer_type=customer_type) == expected


def test_small_micro_flag_counts_only_for_enterprises(rules_2018: RuleSet) -> None:
    assert place(rules_2018, 150, customer_type="public_institution", small_micro=True) == "hv_single"


def test_high_voltage_with_dual_supply_is_hv_dual(rules_2018: RuleSet) -> None:
    hv = placement(rules_2018, 800, dual_supply=True, region="310115")
    assert (hv.category, hv.access_voltage, hv.zero_investment) == ("hv_dual", "high", False)


def test_small_micro_placement_carries_low_voltage_and_zero_investment(rules_2018: RuleSet) -> None:
    sme = placement(rules_2018, Decimal(140), small_micro=True)
    assert (sme.category, sme.access_voltage, sme.zero_investment) == ("sme_lv", "low", True)


def test_2025_places_every_non_residential_up_to_160_at_low_voltage_with_zero_investment(
    rules_2025: RuleSet,
) -> None:
    low = placement(rules_2025, 160, customer_type="public_institution")
    assert (low.category, low.zero_investment) == ("non_residential_lv", True)
    assert place(rules_2025, Decimal("160.01")) == "hv_single"


@pytest.mark.parametrize("capacity", [0, -5, Decimal("0"), float("nan"), float("inf")])
def test_capacity_must_be_positive(rules_2018: RuleSet, capacity: Decimal | float) -> None:
    with pytest.raises(ValueError, match="capacity_kva"):
        place(rules_2018, capacity)


def test_unknown_customer_type_is_refused(rules_2018: RuleSet) -> None:
    with pytest.raises(ValueError, match="customer_type"):
        place(rules_2018, 10, customer_type="farmer")


# --- regions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "region", "expected"),
    [
        ("180", "440305", "sme_lv"),
        ("200", "440305", "sme_lv"),
        ("200.01", "440305", "hv_single"),
        ("180", "110105", "hv_single"),
        ("180", "440106", "hv_single"),
    ],
)
def test_shenzhen_raises_the_small_micro_ceiling_in_2025(
    rules_2025: RuleSet, capacity: str, region: str, expected: str
) -> None:
    assert place(rules_2025, Decimal(capacity), small_micro=True, region=region) == expected


def test_shenzhen_keeps_the_national_ceiling_under_2018(rules_2018: RuleSet) -> None:
    assert place(rules_2018, Decimal("180"), small_micro=True, region="440305") == "hv_single"


def test_region_override_changes_only_the_fields_it_names(rules_2025: RuleSet) -> None:
    shenzhen, beijing = rules_2025.thresholds_for("440305"), rules_2025.thresholds_for("110105")
    assert (shenzhen.sme_lv_max_kva, beijing.sme_lv_max_kva) == (Decimal(200), Decimal(160))
    assert shenzhen.lv_max_kva == beijing.lv_max_kva == Decimal(160)


@pytest.mark.parametrize(
    ("region", "company"),
    [
        ("110105", "SGCC-BJ"),
        ("310115", "SGCC-SH"),
        ("440106", "CSG-GZ"),
        ("440305", "CSG-SZ"),
        ("440604", "CSG-GD"),
        ("4403", "CSG-SZ"),
        ("650102", "SGCC-XJ"),
        ("990101", None),
        ("", None),
    ],
)
def test_grid_company_by_longest_prefix(rules_2018: RuleSet, region: str, company: str | None) -> None:
    assert rules_2018.grid_company_for(region) == company


# --- versions ----------------------------------------------------------------------------------


def test_rule_sets_are_sorted_and_each_names_its_source(book: RuleBook) -> None:
    assert [rs.id for rs in book.rule_sets] == ["2018-nea", "2025-ndrc-nea"]
    assert all(rs.source and rs.name for rs in book.rule_sets)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 6, 30), "2018-nea"),
        (date(2025, 7, 1), "2025-ndrc-nea"),
        (date(2025, 7, 2), "2025-ndrc-nea"),
        (date(2018, 1, 1), "2018-nea"),
        (date(2016, 3, 1), "2018-nea"),
    ],
)
def test_in_force_on_picks_the_latest_set_started(book: RuleBook, day: date, expected: str) -> None:
    assert book.in_force_on(day).id == expected


def test_in_force_on_refuses_a_datetime(book: RuleBook) -> None:
    with pytest.raises(TypeError):
        book.in_force_on(datetime(2025, 7, 1, 8, 0))


def test_unknown_rule_set_id_is_a_key_error(book: RuleBook) -> None:
    with pytest.raises(KeyError):
        book.by_id("1999")


def test_2025_tightens_low_voltage_limits(rules_2018: RuleSet, rules_2025: RuleSet) -> None:
    assert rules_2018.category("sme_lv").total_limit_working_days == 25
    assert rules_2025.category("sme_lv").total_limit_working_days == 15
    steps_2018, steps_2025 = (rs.category("non_residential_lv").steps for rs in (rules_2018, rules_2025))
    assert [s.code for s in steps_2018] == ["accept", "supply_plan", "connect"]
    assert [s.code for s in steps_2025] == ["accept", "connect"]
    assert rules_2025.category("non_residential_lv").zero_investment


def test_2018_categories_follow_the_plan(rules_2018: RuleSet) -> None:
    sme, resident, hv_dual = (rules_2018.category(c) for c in ("sme_lv", "residential_lv", "hv_dual"))
    assert [s.code for s in sme.steps] == ["accept", "connect"]
    assert (sme.allowed_visits, sme.zero_investment, resident.allowed_visits) == (1, True, 0)
    assert {s.code: s.limit_working_days for s in hv_dual.steps}["supply_plan"] == 30


# --- documents, fees, report categories --------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "business_type", "expected"),
    [
        ("residential_lv", "new_install", ("id_card", "property_certificate")),
        ("sme_lv", "new_install", ("business_license", "id_card", "property_certificate")),
        (
            "sme_lv",
            "capacity_increase",
            ("business_license", "id_card", "property_certificate", "load_calculation"),
        ),
        ("sme_lv", "temporary", ("business_license", "id_card", "construction_permit")),
        (
            "hv_single",
            "new_install",
            ("business_license", "id_card", "property_certificate", "equipment_list", "project_approval"),
        ),
    ],
)
def test_required_documents(rules_2018: RuleSet, category: str, business_type: str, expected: tuple[str, ...]) -> None:
    assert rules_2018.required_documents(category, business_type) == expected


def test_unknown_category_or_business_type_is_a_key_error(rules_2018: RuleSet) -> None:
    with pytest.raises(UnknownRuleError, match="mv_single"):
        rules_2018.required_documents("mv_single", "new_install")
    with pytest.raises(KeyError, match="relocation"):
        rules_2018.required_documents("sme_lv", "relocation")


def test_expiring_document_types(rules_2018: RuleSet) -> None:
    assert {"id_card", "business_license", "lease_contract"} <= rules_2018.expiring_document_types
    assert "property_certificate" not in rules_2018.expiring_document_types


def test_zero_investment_categories_carry_no_customer_fee(book: RuleBook) -> None:
    for rule_set in book.rule_sets:
        for code, category in rule_set.categories.items():
            customer_fees = [f for f in rule_set.fees_for(code) if f.payer == "customer" and f.yuan > 0]
            assert not (category.zero_investment and customer_fees)
    assert {f.code for f in book.rule_sets[0].fees_for("hv_dual")} == {"high_reliability_supply"}


@pytest.mark.parametrize(
    ("category", "business_type", "expected"),
    [
        ("hv_single", "new_install", "hv_new_install"),
        ("hv_dual", "capacity_increase", "hv_capacity_increase"),
        ("hv_single", "capacity_increase", "hv_capacity_increase"),
        ("hv_dual", "temporary", "hv_new_install"),
        ("sme_lv", "capacity_increase", "sme_lv"),
        ("residential_lv", "new_install", "residential_lv"),
        ("non_residential_lv", "temporary", "non_residential_lv"),
    ],
)
def test_report_category(rules_2018: RuleSet, category: str, business_type: str, expected: str) -> None:
    assert rules_2018.report_category(category, business_type) == expected


def test_public_dict_is_plain_json(rules_2025: RuleSet) -> None:
    guide = json.loads(json.dumps(rules_2025.public_dict()))
    assert guide["effective_from"] == "2025-07-01"
    assert guide["regional_thresholds"]["4403"]["sme_lv_max_kva"] == 200
    assert guide["grid_companies"]["4403"] == "CSG-SZ"
    sme = next(c for c in guide["categories"] if c["code"] == "sme_lv")
    assert sme["documents"]["new_install"] == ["business_license", "id_card", "property_certificate"]


# --- malformed files ---------------------------------------------------------------------------


def write_variant(directory: Path, change: Callable[[dict[str, Any]], None], name: str = "bad.yaml") -> Path:
    data = yaml.safe_load((DEFAULT_DATA_DIR / "2018.yaml").read_text(encoding="utf-8"))
    change(data)
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def load_error(directory: Path) -> str:
    with pytest.raises(RuleSetError) as caught:
        load_rule_book(directory)
    message = str(caught.value)
    assert "\n" not in message
    return message


def category_of(data: dict[str, Any], code: str = "sme_lv") -> dict[str, Any]:
    category: dict[str, Any] = data["categories"][code]
    return category


def test_wrong_type_names_file_and_field(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: category_of(d)["steps"][1].update(limit_working_days="twenty"))
    message = load_error(tmp_path)
    assert "bad.yaml: categories.sme_lv.steps[1].limit_working_days: Input should be a valid integer" in message


def test_unknown_field_names_file_and_field(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: category_of(d).update(zero_invest=True))
    assert "bad.yaml: categories.sme_lv.zero_invest: Extra inputs are not permitted" in load_error(tmp_path)


def test_unknown_step_code_names_file_and_field(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: category_of(d)["steps"][0].update(code="acept"))
    message = load_error(tmp_path)
    assert "bad.yaml: categories.sme_lv.steps[0].code:" in message and "'acept'" in message


def test_unknown_document_type_names_file_and_field(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: category_of(d, "residential_lv")["documents"]["temporary"].append("passport"))
    message = load_error(tmp_path)
    assert "bad.yaml: categories.residential_lv.documents.temporary[2].any_of[0]:" in message
    assert "'passport'" in message


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: 2018-nea\ncategories: [unclosed\n", encoding="utf-8")
    message = load_error(tmp_path)
    assert "broken.yaml: is not valid YAML: line" in message


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    text = (DEFAULT_DATA_DIR / "2018.yaml").read_text(encoding="utf-8")
    (tmp_path / "twice.yaml").write_text(text + "\nthresholds: {}\n", encoding="utf-8")
    message = load_error(tmp_path)
    assert "twice.yaml: is not valid YAML" in message and "'thresholds' twice" in message


def test_missing_category_is_refused(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: d["categories"].pop("hv_dual"))
    assert "bad.yaml: categories: hv_dual is missing" in load_error(tmp_path)


def test_region_prefix_must_be_digits(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: d["grid_companies"].update({"11x": "SGCC-XX"}))
    assert "bad.yaml: grid_companies.11x (as a key): region prefix must be" in load_error(tmp_path)


def test_region_prefix_must_begin_a_real_code(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: d["grid_companies"].update({"99": "SGCC-XX"}))
    assert "bad.yaml: grid_companies.99 (as a key): region prefix is not the start of any GB/T 2260 code" in (
        load_error(tmp_path)
    )


@pytest.mark.parametrize(("total", "expected"), [(0, "greater than or equal to 1"), (4, "longest step (20)")])
def test_total_limit_must_fit_the_steps(tmp_path: Path, total: int, expected: str) -> None:
    write_variant(tmp_path, lambda d: category_of(d).update(total_limit_working_days=total))
    message = load_error(tmp_path)
    assert "bad.yaml: categories.sme_lv.total_limit_working_days: " in message
    assert expected in message


def test_low_voltage_refuses_design_review(tmp_path: Path) -> None:
    step = {"code": "design_review", "name": "设计审核", "limit_working_days": 5}
    write_variant(tmp_path, lambda d: category_of(d)["steps"].insert(1, step))
    assert "bad.yaml: categories.sme_lv.steps: low voltage has no design review" in load_error(tmp_path)


def test_steps_out_of_order_are_refused(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: d["categories"]["hv_single"]["steps"].reverse())
    message = load_error(tmp_path)
    assert "bad.yaml: categories.hv_single.steps: ['connect'," in message and "out of order" in message


def test_access_voltage_must_match_category(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: d["categories"]["hv_dual"].update(access_voltage="low"))
    message = load_error(tmp_path)
    assert "bad.yaml: categories.hv_dual.access_voltage: category hv_dual is high voltage" in message


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    assert "empty.yaml: is empty" in load_error(tmp_path)


def test_customer_fee_on_zero_investment_category_is_refused(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: d["fees"][1]["categories"].append("sme_lv"))
    message = load_error(tmp_path)
    assert "bad.yaml: fees: customer-paid fee high_reliability_supply applies to sme_lv" in message


def test_duplicate_effective_from_is_refused(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: None, name="a.yaml")
    write_variant(tmp_path, lambda d: d.update(id="2018-copy"), name="b.yaml")
    message = load_error(tmp_path)
    assert "b.yaml: effective_from: 2018-01-01 is already the start of rule set 2018-nea" in message


def test_empty_directory_is_refused(tmp_path: Path) -> None:
    assert "no *.yaml rule-set files" in load_error(tmp_path)


def test_rule_sets_are_immutable(rules_2018: RuleSet) -> None:
    with pytest.raises(ValueError, match="frozen"):
        rules_2018.category("sme_lv").total_limit_working_days = 1  # type: ignore[misc]


# --- important customers -----------------------------------------------------------------------


@pytest.mark.parametrize("rule_set_id", ["2018-nea", "2025-ndrc-nea"])
@pytest.mark.parametrize("category", ["hv_single", "hv_dual"])
def test_an_ordinary_high_voltage_customer_skips_the_important_customers_steps(
    book: RuleBook, rule_set_id: str, category: str
) -> None:
    full = book.by_id(rule_set_id).category(category)
    ordinary = full.for_customer(important=False)
    assert [s.code for s in ordinary.steps] == ["accept", "supply_plan", "completion_inspection", "connect"]
    skipped = sum(s.limit_working_days for s in full.steps if s.code in full.important_customer_steps)
    assert ordinary.total_limit_working_days == full.total_limit_working_days - skipped
    assert full.for_customer(important=True) == full
    assert full.held_with(["accept", "design_review"]) == full
    assert full.held_with(["accept", "connect"]) == ordinary


def test_an_important_customer_step_must_be_a_step_of_the_category(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: category_of(d).update(important_customer_steps=["design_review"]))
    assert "important_customer_steps: design_review is not a step" in load_error(tmp_path)


def test_accept_is_never_an_important_customer_step(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: category_of(d).update(important_customer_steps=["accept"]))
    assert "important_customer_steps: accept is every customer's step" in load_error(tmp_path)


def test_the_two_rule_sets_agree_on_documents_and_important_customers(book: RuleBook) -> None:
    first, second = book.rule_sets
    assert first.premises_document_types == second.premises_document_types
    for code in first.categories:
        old, new = first.category(code), second.category(code)
        assert old.documents == new.documents, code
        assert old.important_customer_steps == new.important_customer_steps, code


@pytest.mark.parametrize("rule_set_id", ["2018-nea", "2025-ndrc-nea"])
def test_connecting_needs_a_meter_photo_and_the_meter_number(book: RuleBook, rule_set_id: str) -> None:
    needed = book.by_id(rule_set_id).evidence_for("connect")

    assert (needed.kinds, needed.meter_number) == ({"meter_photo"}, True)
    assert needed.missing(uploaded=[], meter_number=None) == ["meter_photo", "meter_number"]
    assert needed.missing(uploaded=["site_photo", "meter_photo"], meter_number="3300123456") == []


def test_a_step_the_rule_set_does_not_name_needs_no_evidence(rules_2025: RuleSet) -> None:
    assert rules_2025.evidence_for("accept").missing(uploaded=[], meter_number=None) == []


def test_evidence_of_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: d["step_evidence"].update({"accept": {"kinds": ["selfie"]}}))
    assert "bad.yaml: step_evidence.accept.kinds" in load_error(tmp_path)


def test_evidence_for_an_unknown_step_is_refused(tmp_path: Path) -> None:
    write_variant(tmp_path, lambda d: d["step_evidence"].update({"handover": {"kinds": ["site_photo"]}}))
    assert "bad.yaml: step_evidence.handover (as a key)" in load_error(tmp_path)


def test_the_public_guide_says_what_each_step_needs_from_the_site(rules_2025: RuleSet) -> None:
    guide = json.loads(json.dumps(rules_2025.public_dict()))

    assert guide["step_evidence"] == {"connect": {"kinds": ["meter_photo"], "meter_number": True}}
