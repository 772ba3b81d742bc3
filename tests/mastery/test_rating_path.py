"""Saving a rating updates only what it must, and leaves exactly what a full recompute of
the competency would store: values, verdicts, explanations, working stage, latest rating."""

import random
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from proficio.evidence.models import Evidence
from proficio.mastery.compute import competency_mastery
from proficio.mastery.models import MasteryRecord, MasteryRecordHistory, WorkingStage
from proficio.mastery.pace import pace_columns, pace_facts_computed
from proficio.mastery.permissions import correctable_evidence_q
from proficio.mastery.services import evidence_record, evidence_withdraw
from tests.mastery.varied import policy, stored_pace_columns

pytestmark = pytest.mark.django_db

POLICIES = {
    "default": None,
    "mean without implication": {"method": "mean", "higher_implies_lower": False},
    "n_mastery counting self-assessments": {
        "method": "n_mastery",
        "parameters": {"n": 2},
        "include_self_assessment": True,
    },
    "latest, one rating enough": {"method": "latest", "minimum_evidence": 1},
}


def assert_stored_as_computed(student, competency) -> None:
    result = competency_mastery(student=student, competency=competency)
    stored = {r.stage_id: r for r in MasteryRecord.objects.filter(student=student)}
    for stage in result.stages:
        record = stored[stage.stage.pk]
        assert (
            record.value,
            record.mastered,
            record.implied,
            record.evidence_count,
            record.sufficient,
            record.policy_id,
            record.explanation,
        ) == (
            stage.evaluation.value,
            stage.mastered,
            stage.implied,
            stage.evaluation.evidence_count,
            stage.evaluation.sufficient,
            result.policy.pk,
            stage.explanation,
        )
    working = WorkingStage.objects.get(student=student, competency=competency)
    latest = result.latest
    facts = pace_facts_computed(student=student, competency=competency)
    assert (
        working.ordinal,
        working.latest_level,
        working.latest_stage_ordinal,
        working.latest_observed_at,
        working.pace_facts,
        stored_pace_columns(working),
    ) == (
        result.working_stage,
        latest and latest.level,
        latest and latest.stage_ordinal,
        latest and latest.observed_at,
        facts,
        pace_columns(facts, threshold=float(result.policy.threshold)),
    )


@pytest.mark.parametrize("name", POLICIES)
def test_every_rating_leaves_what_a_full_recompute_would(world, name):
    if POLICIES[name]:
        policy(world, **POLICIES[name])
    rng = random.Random(name)
    today = timezone.localdate()
    for _ in range(70):
        own = rng.random() < 0.2
        assessor = world.student if own else world.teacher
        # Each corrects only what they may: the teacher their ratings, the student their own.
        current = Evidence.objects.filter(
            correctable_evidence_q(assessor),
            student=world.student,
            superseded_by__isnull=True,
            withdrawn=False,
        )
        if current.exists() and rng.random() < 0.08:
            evidence_withdraw(
                actor=assessor, evidence=current.order_by("?").first(), reason="Wrong student"
            )
            assert_stored_as_computed(world.student, world.competency)
            continue
        moment = time(12) if rng.random() < 0.6 else time(rng.randint(8, 15), rng.randint(0, 59))
        evidence_record(
            assessor=assessor,
            student=world.student,
            competency=world.competency,
            stage=rng.choice([1, 1, 2, 2, 3]),
            level=rng.choice([1, 2, 3, 3, 4]),
            observed_at=timezone.make_aware(
                datetime.combine(today - timedelta(days=rng.randint(1, 30)), moment)
            ),
            source="self" if own else rng.choice(["observation", "task"]),
            supersedes=current.order_by("?").first() if rng.random() < 0.15 else None,
        )
        assert_stored_as_computed(world.student, world.competency)


def test_a_rating_under_a_new_policy_version_keeps_the_old_values_as_history(world, rate):
    rate(level=3, days_ago=3)
    rate(level=2, days_ago=2)
    old = MasteryRecord.objects.get(student=world.student, stage__ordinal=1)
    newer = policy(world, "highest", minimum_evidence=1)

    rate(level=1, days_ago=1)

    past = MasteryRecordHistory.objects.get(student=world.student, stage__ordinal=1)
    assert (past.value, past.policy_id) == (old.value, old.policy_id)
    assert MasteryRecord.objects.get(pk=old.pk).policy_id == newer.pk
    assert_stored_as_computed(world.student, world.competency)
