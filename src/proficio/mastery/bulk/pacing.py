"""What pace needs of every (student, competency) of a chunk (`WorkingStage.pace_facts`,
ADR 0023, and the columns beside them, `pace.pace_columns`), from the chunk's evidence
arrays by `engine.bulk_pace`: what `pace.facts_from_counted` gives one pair at a time
(tests/mastery/test_recompute.py holds them equal for every method)."""

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from proficio.engine.bulk_pace import NO_DAY, stage_verdicts, work_histories
from proficio.mastery.bulk.arrays import EvidenceChunk, Ints, Layout, PolicyGrid
from proficio.mastery.bulk.computing import Computed
from proficio.mastery.models import MasteryPolicy
from proficio.mastery.pace import pace_columns

_EPOCH = date(1970, 1, 1)
# Every time zone in use is offset from UTC by whole quarter hours, so the local day of an
# instant is that of its quarter hour: one conversion per quarter hour, not per rating.
_QUARTER_HOUR = 900


def local_days(seconds: Ints) -> Ints:
    """Each instant (seconds since the epoch) as its day in the current time zone, counted
    from 1 Jan 1970, as `observed_at.astimezone(zone).date()` gives it."""
    quarters, where = np.unique(seconds // _QUARTER_HOUR, return_inverse=True)
    zone = timezone.get_current_timezone()
    days = [
        (datetime.fromtimestamp(quarter * _QUARTER_HOUR, zone).date() - _EPOCH).days
        for quarter in quarters.tolist()
    ]
    return np.array(days, dtype=np.int64)[where]


def pace_facts(
    layout: Layout, policies: PolicyGrid, evidence: EvidenceChunk, computed: Computed
) -> list[dict[str, Any]]:
    """Each of the computed pairs' pace columns (`pace.pace_columns`), in their order."""
    rows = np.flatnonzero(computed.row_counted)
    group = computed.row_pair[rows]
    position = layout.stage_position[evidence.stage[rows]]
    level, weight = evidence.level[rows], evidence.weight[rows]
    day = local_days(evidence.observed[rows])
    row_policy = computed.pair_policy[group]
    verdicts = np.zeros(rows.size, dtype=bool)
    for number in np.unique(row_policy).tolist():
        policy = policies.policies[number]
        under_policy = np.flatnonzero(row_policy == number)
        competency = evidence.competency[rows[under_policy]]
        for chosen, inputs in layout.method_groups(policy, competency):
            part = under_policy[chosen]
            verdicts[part] = stage_verdicts(
                evidence.student[rows[part]] * layout.stage_total + evidence.stage[rows[part]],
                level[part],
                weight[part],
                policy.method,
                inputs.params,
                threshold=float(policy.threshold),
                minimum_evidence=policy.minimum_evidence,
            )
    histories = work_histories(
        group,
        day,
        position,
        weight,
        verdicts,
        layout.stage_count[computed.pair_competency],
        policies.implies_lower[computed.pair_policy],
    )
    iso = _iso_days(np.concatenate([day, histories.last_advanced_on]))
    at_stage = np.flatnonzero(histories.at_working_stage)
    at_stage_rows = [
        [on, at] for on, at in zip(iso(day[at_stage]), level[at_stage].tolist(), strict=True)
    ]
    at_stage_ends = np.searchsorted(group[at_stage], np.arange(computed.pair_student.size), "right")
    stages = _stage_lists(layout)
    policy_ids = [policy.pk for policy in policies.policies]
    thresholds = [float(policy.threshold) for policy in policies.policies]
    facts = []
    begin = 0
    for competency, policy, working, completed, established, *days, end in zip(
        computed.pair_competency.tolist(),
        computed.pair_policy.tolist(),
        histories.working.tolist(),
        histories.completed.tolist(),
        histories.established.tolist(),
        iso(histories.last_day),
        iso(histories.started_on),
        iso(histories.last_advanced_on),
        at_stage_ends.tolist(),
        strict=True,
    ):
        last_day, started_on, last_advanced_on = days
        ordinals = stages[competency]
        pair_facts = {
            "policy": policy_ids[policy],
            "stages": ordinals,
            "last_day": last_day,
            "working_stage": None if completed else ordinals[working],
            "completed": completed,
            "established": established,
            "started_on": started_on,
            "last_advanced_on": last_advanced_on,
            "at_stage": at_stage_rows[begin:end],
        }
        facts.append(pace_columns(pair_facts, threshold=thresholds[policy]))
        begin = end
    return facts


def no_rating_facts(layout: Layout, competency: int, policy: MasteryPolicy) -> dict[str, Any]:
    """The pace columns of a pair with no counted rating (a stored working stage the chunk's
    evidence no longer rates)."""
    first, count = layout.first_stage[competency], layout.stage_count[competency]
    ordinals = sorted(layout.stage_ordinal[first : first + count].tolist())
    facts = {
        "policy": policy.pk,
        "stages": ordinals,
        "last_day": None,
        "working_stage": ordinals[0] if ordinals else None,
        "completed": False,
        "established": False,
        "started_on": None,
        "last_advanced_on": None,
        "at_stage": [],
    }
    return pace_columns(facts, threshold=float(policy.threshold))


def _stage_lists(layout: Layout) -> list[list[int]]:
    """competency number → its stages' ordinals, ascending."""
    spans = zip(layout.first_stage.tolist(), layout.stage_count.tolist(), strict=True)
    return [sorted(layout.stage_ordinal[first : first + count].tolist()) for first, count in spans]


def _iso_days(days: Ints):
    """A way from day numbers (among those given, or NO_DAY) to ISO dates, None for NO_DAY."""
    known = np.unique(days[days != NO_DAY])
    text = {number: (_EPOCH + timedelta(days=number)).isoformat() for number in known.tolist()}
    text[int(NO_DAY)] = None

    def iso(numbers: Ints) -> list[str | None]:
        return [text[number] for number in numbers.tolist()]

    return iso
