"""Reads of mastery for pages and the API, scoped to the requesting user."""

from proficio.mastery.selectors.gradebook import Gradebook, GradebookCell, gradebook
from proficio.mastery.selectors.history import PastValue, mastery_history
from proficio.mastery.selectors.policies import (
    PolicyPreview,
    PolicyScope,
    PreviewExample,
    ScopePolicies,
    policy_overview,
    policy_preview,
    policy_scopes,
)
from proficio.mastery.selectors.runs import recompute_run_get, recompute_runs
from proficio.mastery.selectors.status import (
    CompetencyStatus,
    StageStatus,
    evidence_for,
    student_mastery,
)

__all__ = [
    "CompetencyStatus",
    "Gradebook",
    "GradebookCell",
    "PastValue",
    "PolicyPreview",
    "PolicyScope",
    "PreviewExample",
    "ScopePolicies",
    "StageStatus",
    "evidence_for",
    "gradebook",
    "mastery_history",
    "policy_overview",
    "policy_preview",
    "policy_scopes",
    "recompute_run_get",
    "recompute_runs",
    "student_mastery",
]
