"""Reading rule-set files, and the book of every rule set in date order."""

import bisect
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from services.common.rules.errors import RuleSetError, UnknownRuleError
from services.common.rules.ruleset import RuleSet

DEFAULT_DATA_DIR = Path(__file__).parent / "data"
_MAX_REPORTED = 10


class RuleBook:
    """Every rule set, sorted by effective_from; a case is judged by the set in force when submitted."""

    def __init__(self, rule_sets: Iterable[RuleSet]) -> None:
        self.rule_sets: tuple[RuleSet, ...] = tuple(sorted(rule_sets, key=lambda rs: rs.effective_from))
        if not self.rule_sets:
            raise RuleSetError("a rule book needs at least one rule set")
        starts = [rs.effective_from for rs in self.rule_sets]
        ids = [rs.id for rs in self.rule_sets]
        if len(set(starts)) != len(starts) or len(set(ids)) != len(ids):
            raise RuleSetError(f"rule sets must have distinct ids and effective_from dates: {ids}, {starts}")
        self._starts = starts

    def in_force_on(self, day: date) -> RuleSet:
        """Return the rule set in force on a day; a day before the first set gets the first set."""
        if isinstance(day, datetime):
            raise TypeError("in_force_on takes a date (taken in Asia/Shanghai), not a datetime")
        index = bisect.bisect_right(self._starts, day) - 1
        # Cases older than every set we hold are judged by the earliest one rather than refused.
        return self.rule_sets[max(index, 0)]

    def by_id(self, rule_set_id: str) -> RuleSet:
        """Return a rule set by its id; UnknownRuleError (a KeyError) if there is none."""
        for rule_set in self.rule_sets:
            if rule_set.id == rule_set_id:
                return rule_set
        raise UnknownRuleError(f"no rule set with id {rule_set_id!r}")


def load_rule_book(directory: str | Path | None = None) -> RuleBook:
    """Load and check every *.yaml rule set in a directory (the package's data/ by default)."""
    folder = Path(directory) if directory is not None else DEFAULT_DATA_DIR
    if not folder.is_dir():
        raise RuleSetError(f"{folder}: not a directory of rule-set files")
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise RuleSetError(f"{folder}: no *.yaml rule-set files found")
    loaded: dict[Path, RuleSet] = {}
    for path in files:
        rule_set = load_rule_set(path)
        for other_path, other in loaded.items():
            if other.effective_from == rule_set.effective_from:
                raise RuleSetError(
                    f"{path}: effective_from: {rule_set.effective_from} is already the start of rule set "
                    f"{other.id} ({other_path}); two rule sets cannot start on the same day"
                )
            if other.id == rule_set.id:
                raise RuleSetError(f"{path}: id: {rule_set.id} is already used by {other_path}")
        loaded[path] = rule_set
    return RuleBook(loaded.values())


def load_rule_set(path: str | Path) -> RuleSet:
    """Load and check one rule-set file."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 (safe loader)
    except OSError as exc:
        raise RuleSetError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise RuleSetError(f"{path}: is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise RuleSetError(f"{path}: is not valid YAML: {_yaml_problem(exc)}") from exc
    if data is None:
        raise RuleSetError(f"{path}: is empty; a rule set needs id, name, effective_from, source and its rules")
    if not isinstance(data, dict):
        raise RuleSetError(f"{path}: must hold a mapping of rule-set fields, found {type(data).__name__}")
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        described = [_describe(error) for error in errors[:_MAX_REPORTED]]
        if len(errors) > _MAX_REPORTED:
            described.append(f"and {len(errors) - _MAX_REPORTED} more")
        raise RuleSetError(f"{path}: {'; '.join(described)}") from None


def _describe(error: ErrorDetails) -> str:
    path = ""
    for part in error["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            path += " (as a key)"
        else:
            path += f".{part}" if path else str(part)
    message = error["msg"]
    value = error.get("input")
    if error["type"] not in ("missing", "extra_forbidden") and isinstance(value, str | int | float | date):
        message += f" (got {value!r})"
    return f"{path}: {message}" if path else message


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return " ".join(str(exc).split())


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (PyYAML would keep the last silently)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # "<<: *anchor" may legitimately repeat keys that the mapping then overrides
        key = loader.construct_object(key_node)
        if isinstance(key, list | dict):
            continue  # the constructor below reports unhashable keys itself
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found the key {key!r} twice",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)
