"""Reads of mastery for pages and the API, scoped to the requesting user."""

from proficio.mastery.selectors.corrections import (
    evidence_correctable_get,
    evidence_correctable_ids,
)
from proficio.mastery.selectors.gradebook import Gradebook, GradebookCell, gradebook
from proficio.mastery.selectors.history import PastValue, competency_history, mastery_history
from proficio.mastery.selectors.panel import competency_pace, competency_paces, gradebook_cell
from proficio.mastery.selectors.policies import (
    PolicyPreview,
    PolicyScope,
    PreviewExample,
    ScopePolicies,
    narrower_policies,
    policy_overview,
    policy_preview,
    policy_preview_run_get,
    policy_preview_run_shown,
    policy_proposed,
    policy_scopes,
    scope_policies,
)
from proficio.mastery.selectors.runs import recompute_run_get, recompute_runs
from proficio.mastery.selectors.status import (
    CompetencyStatus,
    StageStatus,
    competency_status,
    student_mastery,
    students_mastery,
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
    "competency_history",
    "competency_pace",
    "competency_paces",
    "competency_status",
    "evidence_correctable_get",
    "evidence_correctable_ids",
    "gradebook",
    "gradebook_cell",
    "mastery_history",
    "narrower_policies",
    "policy_overview",
    "policy_preview",
    "policy_preview_run_get",
    "policy_preview_run_shown",
    "policy_proposed",
    "policy_scopes",
    "recompute_run_get",
    "recompute_runs",
    "scope_policies",
    "student_mastery",
    "students_mastery",
]
