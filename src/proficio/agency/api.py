"""The agency app's public surface: what other apps may use. Nothing else of agency/ is
imported from outside it (`make lint` checks)."""

from proficio.agency.models import CheckIn, Goal, GoalStatus
from proficio.agency.selectors import check_in_days, check_ins_due, check_ins_of, goals_of
from proficio.agency.services import (
    check_in_cadence_set,
    check_in_record,
    check_in_reflect,
    goal_comment,
    goal_status_set,
    goal_step_tick,
    goal_write,
    piece_add,
)

__all__ = [
    "CheckIn",
    "Goal",
    "GoalStatus",
    "check_in_cadence_set",
    "check_in_days",
    "check_in_record",
    "check_in_reflect",
    "check_ins_due",
    "check_ins_of",
    "goal_comment",
    "goal_status_set",
    "goal_step_tick",
    "goal_write",
    "goals_of",
    "piece_add",
]
