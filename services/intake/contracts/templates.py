"""Contract templates as data: one YAML file per wording under templates/, and the terms they fill in."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

TEMPLATES_DIR = Path(__file__).parent / "templates"
TERMS_FILE = "terms.yaml"


class Clause(BaseModel):
    """A numbered clause; its text may name the case's fields in braces ({address}, {capacity_kva}...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    heading: str = Field(min_length=1)
    text: str = Field(min_length=1)


class ContractTemplate(BaseModel):
    """One wording of a contract and the categories it is made for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1)
    # The categories new contracts use it for; a retired wording names none and still renders the contracts
    # that were made with it.
    categories: tuple[str, ...] = ()
    preamble: str = Field(min_length=1)
    clauses: tuple[Clause, ...] = Field(min_length=1)


class Terms(BaseModel):
    """Chinese names of categories, voltages and grid companies, and the zero-investment wording."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category_names: dict[str, str]
    voltages: dict[str, str]
    investment: dict[str, str]
    grid_companies: dict[str, str]

    @model_validator(mode="after")
    def _both_investment_texts(self) -> Terms:
        if set(self.investment) != {"true", "false"}:
            raise ValueError("investment needs a text for 'true' and one for 'false'")
        return self


class Library(BaseModel):
    """Every template by id, the one in use for each category, and the terms."""

    model_config = ConfigDict(frozen=True)

    templates: dict[str, ContractTemplate]
    current: dict[str, str]  # category -> template id
    terms: Terms

    def for_category(self, category: str) -> ContractTemplate | None:
        """The template a new contract of this category is made from, None if the category has none."""
        template_id = self.current.get(category)
        return self.templates[template_id] if template_id else None


def load(directory: Path = TEMPLATES_DIR) -> Library:
    """Read and check every template; a category named by two templates in use is an error."""
    terms = Terms.model_validate(yaml.safe_load((directory / TERMS_FILE).read_text("utf-8")))
    templates: dict[str, ContractTemplate] = {}
    current: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == TERMS_FILE:
            continue
        template = ContractTemplate.model_validate(yaml.safe_load(path.read_text("utf-8")))
        if path.stem != template.id or template.id in templates:
            raise ValueError(f"{path.name}: a template's file is named by its id, and ids are unique")
        templates[template.id] = template
        for category in template.categories:
            if category in current:
                raise ValueError(f"{path.name}: {category} already has template {current[category]}")
            if category not in terms.category_names:
                raise ValueError(f"{path.name}: {category} has no Chinese name in {TERMS_FILE}")
            current[category] = template.id
    return Library(templates=templates, current=current, terms=terms)


@functools.cache
def library() -> Library:
    """The shipped templates, read once."""
    return load()
