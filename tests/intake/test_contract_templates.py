"""Contract templates as data: every category has one, every grid company a name, and a PDF says the case."""

from __future__ import annotations

import hashlib
import io
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from services.common.rules import CATEGORY_CODES, load_rule_book
from services.intake.contracts import render, templates

CASE = render.ContractCase(
    application_id="a-1",
    number="ZV-2026-000001",
    party_name="王芳",
    contact_name="王芳",
    contact_phone="13800138000",
    address="上海市浦东新区世纪大道100号<b>&amp;",
    region_name="上海市浦东新区",
    category="residential_lv",
    access_voltage="low",
    capacity_kva=Decimal("8.00"),
    zero_investment=False,
    grid_company="SGCC-SH",
    ready_at=datetime(2026, 9, 30, 17, 30, tzinfo=UTC),
)


def _pdf(case: render.ContractCase = CASE) -> bytes:
    library = templates.library()
    template = library.for_category(case.category)
    assert template is not None
    return render.render(case, template, library.terms)


def test_every_category_of_every_rule_set_has_a_template() -> None:
    library = templates.library()
    for category in CATEGORY_CODES:
        assert library.for_category(category) is not None, category
    assert library.for_category("residential_lv").id == "residential-v1"  # type: ignore[union-attr]
    assert library.for_category("hv_dual").id == "high_voltage-v1"  # type: ignore[union-attr]


def test_every_grid_company_of_the_rule_sets_has_a_legal_name() -> None:
    names = templates.library().terms.grid_companies
    for rule_set in load_rule_book().rule_sets:
        for company in set(rule_set.grid_companies.values()):
            assert company in names, company


def test_what_the_applicant_typed_is_printed_as_text_not_read_as_markup() -> None:
    # Lines wrap anywhere in Chinese text: the words are looked for across line ends.
    text = PdfReader(io.BytesIO(_pdf())).pages[0].extract_text().replace("\n", "")
    assert "上海市浦东新区世纪大道100号<b>&amp;" in text
    assert "低压居民生活用电" in text and "8千伏安" in text and "国网上海市电力公司" in text
    # The contract's date is the day of acceptance in Asia/Shanghai (17:30 UTC is the next morning there).
    assert "2026年10月1日" in text


def test_the_file_is_the_same_for_the_same_case_and_dated_from_it() -> None:
    first, again = _pdf(), _pdf()
    assert hashlib.sha256(first).digest() == hashlib.sha256(again).digest()
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata is not None and metadata["/CreationDate"] == "D:20261001013000+08'00'"


def test_another_case_has_another_file_id() -> None:
    other = render.ContractCase(**{**CASE.__dict__, "application_id": "a-2"})
    ids = [PdfReader(io.BytesIO(_pdf(case))).trailer["/ID"][0] for case in (CASE, other)]
    assert ids[0] != ids[1]


def test_a_category_claimed_by_two_templates_is_refused(tmp_path: Path) -> None:
    shutil.copytree(templates.TEMPLATES_DIR, tmp_path, dirs_exist_ok=True)
    text = (tmp_path / "residential-v1.yaml").read_text("utf-8").replace("id: residential-v1", "id: residential-v2")
    (tmp_path / "residential-v2.yaml").write_text(text, "utf-8")
    with pytest.raises(ValueError, match="residential_lv already has template"):
        templates.load(tmp_path)


def test_a_retired_template_still_renders_the_contracts_made_with_it(tmp_path: Path) -> None:
    shutil.copytree(templates.TEMPLATES_DIR, tmp_path, dirs_exist_ok=True)
    text = (tmp_path / "residential-v1.yaml").read_text("utf-8").replace("categories: [residential_lv]", "")
    (tmp_path / "residential-v1.yaml").write_text(text, "utf-8")
    newer = text.replace("id: residential-v1", "id: residential-v2") + "categories: [residential_lv]\n"
    (tmp_path / "residential-v2.yaml").write_text(newer, "utf-8")
    library = templates.load(tmp_path)
    assert library.for_category("residential_lv").id == "residential-v2"  # type: ignore[union-attr]
    assert "residential-v1" in library.templates
