"""The one-time completeness check: every missing document named at once, valid ones reused."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from services.intake.documents.models import Document


@dataclass
class DocumentCheck:
    """Which document meets each required type, and what is missing or expired."""

    supplied: dict[str, Document] = field(default_factory=dict)
    reused: dict[str, Document] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every required type is met."""
        return not self.missing


def _newest_valid(documents: Iterable[Document], on: date) -> Document | None:
    valid = [d for d in documents if d.is_valid_on(on)]
    # The one valid longest serves best; ties go to the newest upload.
    return max(valid, key=lambda d: (d.valid_until or date.max, d.uploaded_at), default=None)


def check_documents(
    required: Sequence[str], *, supplied: Sequence[Document], on_file: Sequence[Document], on: date
) -> DocumentCheck:
    """Match required types to the documents supplied now, then to those already on file."""
    check = DocumentCheck()
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
