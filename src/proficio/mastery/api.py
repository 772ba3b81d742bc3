"""The mastery app's public surface: what other apps may use. Nothing else of mastery/ is
imported from outside it (`make lint` checks)."""

from proficio.mastery.data import PolicyDraft, Scope
from proficio.mastery.pace import Pace, stalled_in_sections
from proficio.mastery.presenters import progress_phrase
from proficio.mastery.selectors import student_mastery, students_mastery
from proficio.mastery.selectors.family import ChildProgress, children_progress
from proficio.mastery.selectors.panel import competency_paces
from proficio.mastery.selectors.status import mastered_stages
from proficio.mastery.services import (
    evidence_record,
    evidence_record_many,
    mastery_refresh,
    recompute_run_begin,
    recompute_run_execute,
)

__all__ = [
    "ChildProgress",
    "Pace",
    "PolicyDraft",
    "Scope",
    "children_progress",
    "competency_paces",
    "evidence_record",
    "evidence_record_many",
    "mastered_stages",
    "mastery_refresh",
    "progress_phrase",
    "recompute_run_begin",
    "recompute_run_execute",
    "stalled_in_sections",
    "student_mastery",
    "students_mastery",
]
