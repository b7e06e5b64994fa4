"""The shipped GB/T 2260 list, and every code of it served by the right grid company in every rule set."""

import random
from pathlib import Path

import pytest

from services.common.rules import RuleSet, RuleSetError, load_rule_book, region_list
from services.common.rules.regions import REGIONS_FILE, read_region_list

# The provincial-level company of each of the 31 provincial-level regions, written out here on purpose:
# the rule files are checked against this table, not against themselves.
PROVINCE_COMPANY = {
    "11": "SGCC-BJ", "12": "SGCC-TJ", "13": "SGCC-HE", "14": "SGCC-SX", "21": "SGCC-LN", "22": "SGCC-JL",
    "23": "SGCC-HL", "31": "SGCC-SH", "32": "SGCC-JS", "33": "SGCC-ZJ", "34": "SGCC-AH", "35": "SGCC-FJ",
    "36": "SGCC-JX", "37": "SGCC-SD", "41": "SGCC-HA", "42": "SGCC-HB", "43": "SGCC-HN", "44": "CSG-GD",
    "45": "CSG-GX", "46": "CSG-HI", "50": "SGCC-CQ", "51": "SGCC-SC", "52": "CSG-GUIZHOU", "53": "CSG-YN",
    "54": "SGCC-XZ", "61": "SGCC-SN", "62": "SGCC-GS", "63": "SGCC-QH", "64": "SGCC-NX", "65": "SGCC-XJ",
}  # fmt: skip
# Cities and leagues served by another company than their province's.
CITY_COMPANY = {
    "4401": "CSG-GZ", "4403": "CSG-SZ",
    "1302": "SGCC-JB", "1303": "SGCC-JB", "1307": "SGCC-JB", "1308": "SGCC-JB", "1310": "SGCC-JB",
    "1501": "IMPC", "1502": "IMPC", "1503": "IMPC", "1506": "IMPC", "1508": "IMPC", "1509": "IMPC",
    "1525": "IMPC", "1529": "IMPC",
    "1504": "SGCC-MD", "1505": "SGCC-MD", "1507": "SGCC-MD", "1522": "SGCC-MD",
}  # fmt: skip


def expected_company(code: str) -> str:
    return CITY_COMPANY.get(code[:4]) or PROVINCE_COMPANY[code[:2]]


def test_the_list_holds_the_31_provincial_level_regions_and_their_counties() -> None:
    regions = region_list()
    assert len(regions.provinces) == 31
    assert {code[:2] for code in regions.counties} == set(regions.provinces)
    assert len(regions.counties) > 2800
    assert regions.lookup("510104") is not None
    assert regions.lookup("510104").name == "锦江区"  # type: ignore[union-attr]


def test_the_list_names_its_source_and_date() -> None:
    header = REGIONS_FILE.read_text(encoding="utf-8").split("\ncode,name\n")[0]
    assert "GB/T 2260" in header
    assert "2023" in header


@pytest.mark.parametrize("rule_set_id", ["2018-nea", "2025-ndrc-nea"])
def test_random_real_codes_of_every_province_are_served_by_the_right_company(rule_set_id: str) -> None:
    rule_set: RuleSet = load_rule_book().by_id(rule_set_id)
    regions = region_list()
    chooser = random.Random(2260)
    for province in regions.provinces:
        codes = sorted(code for code in regions.counties if code.startswith(province))
        for code in chooser.sample(codes, min(5, len(codes))):
            assert rule_set.grid_company_for(code) == expected_company(code), code


@pytest.mark.parametrize("rule_set_id", ["2018-nea", "2025-ndrc-nea"])
def test_every_code_of_the_list_is_served(rule_set_id: str) -> None:
    rule_set = load_rule_book().by_id(rule_set_id)
    wrong = [c for c in region_list().counties if rule_set.grid_company_for(c) != expected_company(c)]
    assert wrong == []


def test_the_two_rule_sets_map_regions_alike() -> None:
    first, second = load_rule_book().rule_sets
    assert first.grid_companies == second.grid_companies


@pytest.mark.parametrize("prefix", ["11", "4403", "110105", "1529"])
def test_real_prefixes_are_known(prefix: str) -> None:
    assert region_list().is_prefix(prefix)


@pytest.mark.parametrize("prefix", ["99", "1", "110", "11010", "4499", "110100", "abcd", "１１"])
def test_made_up_prefixes_are_not(prefix: str) -> None:
    assert not region_list().is_prefix(prefix)


def test_a_malformed_list_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "regions.csv"
    bad.write_text("# source\ncode,name\n11,北京市\n1101x,东城区\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match="row 3"):
        read_region_list(bad)


def test_a_county_without_its_province_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "regions.csv"
    bad.write_text("code,name\n11,北京市\n310101,黄浦区\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match="310101"):
        read_region_list(bad)
