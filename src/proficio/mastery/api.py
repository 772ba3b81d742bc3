"""The mastery app's public surface: what other apps may use. Nothing else of mastery/ is
imported from outside it (`make lint` checks)."""

from proficio.mastery.data import PolicyDraft, Scope
from proficio.mastery.pace import Pace, expectation_for, stalled_in_sections, stalled_pairs
from proficio.mastery.policies import default_policy
from proficio.mastery.presenters import progress_phrase
from proficio.mastery.selectors import (
    ScopePolicies,
    narrower_policies,
    scope_policies,
    student_mastery,
    students_mastery,
)
from proficio.mastery.selectors.aggregates import (
    StageCount,
    stages_first_mastered_by_month,
    working_stage_counts,
)
from proficio.mastery.selectors.family import ChildProgress, children_progress
from proficio.mastery.selectors.panel import competency_paces
from proficio.mastery.selectors.status import mastered_stages
from proficio.mastery.selectors.timeline import MasteryOnDay, mastery_over_time
from proficio.mastery.selectors.trajectories import StageReached, Trajectory, trajectory_of
from proficio.mastery.selectors.working import WorkingPlace, working_places
from proficio.mastery.services import (
    evidence_record,
    evidence_record_many,
    mastery_refresh,
    recompute_run_begin,
    recompute_run_execute,
    tracing_fit_district,
    tracing_fit_queue,
)
from proficio.mastery.trajectory_chart import Chart, trajectory_chart

__all__ = [
    "Chart",
    "ChildProgress",
    "MasteryOnDay",
    "Pace",
    "PolicyDraft",
    "Scope",
    "ScopePolicies",
    "StageCount",
    "StageReached",
    "Trajectory",
    "WorkingPlace",
    "children_progress",
    "competency_paces",
    "default_policy",
    "evidence_record",
    "evidence_record_many",
    "expectation_for",
    "mastered_stages",
    "mastery_over_time",
    "mastery_refresh",
    "narrower_policies",
    "progress_phrase",
    "recompute_run_begin",
    "recompute_run_execute",
    "scope_policies",
    "stages_first_mastered_by_month",
    "stalled_in_sections",
    "stalled_pairs",
    "student_mastery",
    "students_mastery",
    "tracing_fit_district",
    "tracing_fit_queue",
    "trajectory_chart",
    "trajectory_of",
    "working_places",
    "working_stage_counts",
]
