"""The one-time completeness check: every unmet requirement named at once, valid documents reused.

A requirement is met by any one of its document types. A document about the premises (a property
certificate, a lease, a commitment letter) counts only for the premises it was first supplied for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, Literal, Protocol, TypeVar

from services.common.rules import Requirement

Premises = tuple[str, str]  # (region code, address as normalize_address gives it)
Reason = Literal["missing", "expired", "other_premises"]


def normalize_address(address: str) -> str:
    """An address as compared for premises: whitespace collapsed, case folded."""
    return " ".join(address.split()).casefold()


class DocumentOnFile(Protocol):
    """What the check reads of a document: a Document, or a row of its columns."""

    @property
    def id(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def valid_until(self) -> date | None: ...

    @property
    def uploaded_at(self) -> datetime: ...

    @property
    def premises(self) -> Premises | None:
        """The premises an earlier application relied on it for; None if none has."""


Doc = TypeVar("Doc", bound=DocumentOnFile)


@dataclass(frozen=True)
class Unmet:
    """A requirement not met: its name, the document types any one of which would meet it, and why."""

    requirement: str
    any_of: tuple[str, ...]
    reason: Reason

    def as_dict(self) -> dict[str, object]:
        """The problem-detail form."""
        return {"requirement": self.requirement, "any_of": list(self.any_of), "reason": self.reason}


@dataclass
class DocumentCheck(Generic[Doc]):
    """Which document meets each requirement (by requirement name), and which requirements are unmet."""

    supplied: dict[str, Doc] = field(default_factory=dict)
    reused: dict[str, Doc] = field(default_factory=dict)
    unmet: list[Unmet] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every requirement is met."""
        return not self.unmet

    @property
    def missing(self) -> list[str]:
        """The names of the unmet requirements, each once."""
        return [u.requirement for u in self.unmet]

    @property
    def expired(self) -> list[str]:
        """The names of the requirements unmet because the documents for them have expired."""
        return [u.requirement for u in self.unmet if u.reason == "expired"]


def _best(documents: Iterable[Doc], any_of: Sequence[str]) -> Doc | None:
    # The usual document type first; then the one valid longest; ties go to the newest upload.
    return min(
        documents,
        key=lambda d: (any_of.index(d.type), -(d.valid_until or date.max).toordinal(), -d.uploaded_at.timestamp()),
        default=None,
    )


def check_documents(
    requirements: Sequence[Requirement],
    *,
    supplied: Sequence[Doc],
    on_file: Sequence[Doc],
    on: date,
    premises: Premises | None,
    premises_types: Collection[str],
) -> DocumentCheck[Doc]:
    """Meet each requirement with a document supplied now, else with one on file; name the rest with a reason."""
    check: DocumentCheck[Doc] = DocumentCheck()

    def valid(d: Doc) -> bool:
        return d.valid_until is None or d.valid_until >= on

    def here(d: Doc) -> bool:
        return d.type not in premises_types or d.premises is None or d.premises == premises

    for requirement in requirements:
        kinds = requirement.any_of
        now_given = _best((d for d in supplied if d.type in kinds and valid(d) and here(d)), kinds)
        if now_given is not None:
            check.supplied[requirement.name] = now_given
            continue
        from_file = _best((d for d in on_file if d.type in kinds and valid(d) and here(d)), kinds)
        if from_file is not None:
            check.reused[requirement.name] = from_file
            continue
        candidates = [d for d in [*supplied, *on_file] if d.type in kinds]
        reason: Reason = "missing"
        if any(valid(d) for d in candidates):
            reason = "other_premises"
        elif candidates:
            reason = "expired"
        check.unmet.append(Unmet(requirement.name, tuple(kinds), reason))
    return check
