"""The one-time completeness check: every missing document named at once, valid ones reused."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, Protocol, TypeVar


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


Doc = TypeVar("Doc", bound=DocumentOnFile)


@dataclass
class DocumentCheck(Generic[Doc]):
    """Which document meets each required type, and what is missing or expired."""

    supplied: dict[str, Doc] = field(default_factory=dict)
    reused: dict[str, Doc] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every required type is met."""
        return not self.missing


def _newest_valid(documents: Iterable[Doc], on: date) -> Doc | None:
    # Valid while its validity has not ended (as Document.is_valid_on says).
    valid = [d for d in documents if d.valid_until is None or d.valid_until >= on]
    # The one valid longest serves best; ties go to the newest upload.
    return max(valid, key=lambda d: (d.valid_until or date.max, d.uploaded_at), default=None)


def check_documents(
    required: Sequence[str], *, supplied: Sequence[Doc], on_file: Sequence[Doc], on: date
) -> DocumentCheck[Doc]:
    """Match required types to the documents supplied now, then to those already on file."""
    check: DocumentCheck[Doc] = DocumentCheck()
    for doc_type in required:
        now_given = _newest_valid((d for d in supplied if d.type == doc_type), on)
        if now_given is not None:
            check.supplied[doc_type] = now_given
            continue
        from_file = _newest_valid((d for d in on_file if d.type == doc_type), on)
        if from_file is not None:
            check.reused[doc_type] = from_file
            continue
        check.missing.append(doc_type)
        if any(d.type == doc_type for d in [*supplied, *on_file]):
            check.expired.append(doc_type)
    return check
