"""The agency app's public surface: what other apps may use. Nothing else of agency/ is
imported from outside it (`make lint` checks)."""

from proficio.agency.conferences import (
    agenda_of,
    conference_acknowledge,
    conference_draft,
    conference_edit,
    conference_record,
    conference_share,
    family_agency,
    family_note_add,
    mastered_since,
    next_step_to_goal,
)
from proficio.agency.digest import digest_choose, wants_digest
from proficio.agency.models import CheckIn, Conference, Goal, GoalStatus
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
    "Conference",
    "Goal",
    "GoalStatus",
    "agenda_of",
    "check_in_cadence_set",
    "check_in_days",
    "check_in_record",
    "check_in_reflect",
    "check_ins_due",
    "check_ins_of",
    "conference_acknowledge",
    "conference_draft",
    "conference_edit",
    "conference_record",
    "conference_share",
    "digest_choose",
    "family_agency",
    "family_note_add",
    "goal_comment",
    "goal_status_set",
    "goal_step_tick",
    "goal_write",
    "goals_of",
    "mastered_since",
    "next_step_to_goal",
    "piece_add",
    "wants_digest",
]
