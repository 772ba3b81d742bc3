"""The evidence app's public surface: what other apps may use. Nothing else of evidence/ is
imported from outside it (`make lint` checks).

`Evidence` is named here as a type; other apps read evidence through the selectors below.
"""

from proficio.evidence.models import AppendOnlyError, Evidence, EvidenceFile, EvidenceSource
from proficio.evidence.selectors import (
    answers_in_order,
    evidence_file_of,
    evidence_in_district,
    evidence_of,
    evidence_standing,
    latest_teacher_work,
    rated_since,
    ratings_counted,
    ratings_counted_for,
    ratings_given,
    standardized_results,
    statements_shown,
)
from proficio.evidence.services import (
    EvidenceDraft,
    evidence_append,
    evidence_append_many,
    evidence_files_keep,
    evidence_withdrawal_append,
)

__all__ = [
    "AppendOnlyError",
    "Evidence",
    "EvidenceDraft",
    "EvidenceFile",
    "EvidenceSource",
    "answers_in_order",
    "evidence_append",
    "evidence_append_many",
    "evidence_file_of",
    "evidence_files_keep",
    "evidence_in_district",
    "evidence_of",
    "evidence_standing",
    "evidence_withdrawal_append",
    "latest_teacher_work",
    "rated_since",
    "ratings_counted",
    "ratings_counted_for",
    "ratings_given",
    "standardized_results",
    "statements_shown",
]
