"""Writes of mastery: recording a rating with its mastery kept in step, refreshing one
student's competency, changing a policy (a new version, then a background recompute), and
the state of that recompute as it runs."""

from proficio.mastery.services.policy_changes import policy_change
from proficio.mastery.services.previews import policy_preview_execute, policy_preview_start
from proficio.mastery.services.rating import evidence_record, evidence_withdraw, mastery_refresh
from proficio.mastery.services.rating_many import evidence_record_many
from proficio.mastery.services.runs import (
    RunTakenOver,
    recompute_run_begin,
    recompute_run_claim,
    recompute_run_execute,
    recompute_run_queue,
    recompute_run_recover,
    recompute_runs_recover,
)
from proficio.mastery.services.tracing_fits import tracing_fit_district, tracing_fit_queue

__all__ = [
    "RunTakenOver",
    "evidence_record",
    "evidence_record_many",
    "evidence_withdraw",
    "mastery_refresh",
    "policy_change",
    "policy_preview_execute",
    "policy_preview_start",
    "recompute_run_begin",
    "recompute_run_claim",
    "recompute_run_execute",
    "recompute_run_queue",
    "recompute_run_recover",
    "recompute_runs_recover",
    "tracing_fit_district",
    "tracing_fit_queue",
]
