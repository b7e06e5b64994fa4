"""The GB/T 2260 county-level code list shipped in data/regions.csv (its source and date are in the file)."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from services.common.rules.errors import RuleSetError

REGIONS_FILE = Path(__file__).parent / "data" / "regions.csv"
PREFIX_LENGTHS = (2, 4, 6)


@dataclass(frozen=True)
class Region:
    """A county-level region: its code and name, and its provincial-level region's code and name."""

    code: str
    name: str
    province_code: str
    province: str


class RegionList:
    """Every county-level code and every provincial-level region, as read from the shipped list."""

    def __init__(self, provinces: dict[str, str], counties: dict[str, str]) -> None:
        self.provinces = provinces
        self.counties = counties
        # Every 2-, 4- and 6-digit prefix of a real code: what a regulator's region scope may name.
        self._prefixes = {code[:n] for code in counties for n in PREFIX_LENGTHS}

    def lookup(self, code: str) -> Region | None:
        """Return the county-level region of a six-digit code, or None if the code is not in the list."""
        name = self.counties.get(code)
        if name is None:
            return None
        return Region(code=code, name=name, province_code=code[:2], province=self.provinces[code[:2]])

    def is_code(self, code: str) -> bool:
        """Whether a six-digit code is a county-level code of the list."""
        return code in self.counties

    def is_prefix(self, prefix: str) -> bool:
        """Whether a string is a 2-, 4- or 6-digit prefix of some real county-level code."""
        return prefix in self._prefixes


def read_region_list(path: Path = REGIONS_FILE) -> RegionList:
    """Read a code list: lines "code,name" after '#' comments and a header; province lines have 2 digits."""
    provinces: dict[str, str] = {}
    counties: dict[str, str] = {}
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    except OSError as exc:
        raise RuleSetError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    for number, row in enumerate(csv.DictReader(lines), start=2):
        code, name = row.get("code") or "", row.get("name") or ""
        if not (code.isascii() and code.isdigit() and len(code) in (2, 6) and name):
            raise RuleSetError(f"{path}: row {number}: expected a 2- or 6-digit code and a name, got {row}")
        (provinces if len(code) == 2 else counties)[code] = name
    orphans = sorted(code for code in counties if code[:2] not in provinces)
    if orphans:
        raise RuleSetError(f"{path}: codes without their provincial-level region: {orphans[:10]}")
    return RegionList(provinces, counties)


@functools.cache
def region_list() -> RegionList:
    """The shipped code list, read once per process."""
    return read_region_list()
