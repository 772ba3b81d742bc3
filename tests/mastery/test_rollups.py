"""A competency with parts mastered from them under a policy (ADR 0035): hand-computed
examples for each rule, the bulk path equal to the per-student path, narrow recomputes, the
preview, and the parent's own ratings refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from proficio.evidence.models import Evidence
from proficio.frameworks.models import Competency
from proficio.lib.errors import InvalidInput
from proficio.mastery.data import PolicyDraft, Scope
from proficio.mastery.models import MasteryRecord, WorkingStage
from proficio.mastery.policies import proposed_policy
from proficio.mastery.preview import preview
from proficio.mastery.recompute import recompute
from proficio.mastery.selectors import student_mastery
from tests.factories import make_competency
from tests.mastery.test_recompute import refresh_every_student, wipe_derived
from tests.mastery.varied import (
    assert_same_records,
    explanations,
    mixed_policies,
    policy,
    stored_records,
    stored_working,
    varied_district,
)

pytestmark = pytest.mark.django_db


def domain(world) -> tuple[Competency, list[Competency]]:
    """WR (three stages) with parts A and B (three stages) and C (two), rated by the latest
    rating, one enough, mastery at 3."""
    parent = make_competency(world.framework, "WR", stages=3)
    parts = [
        make_competency(world.framework, "WR.A", stages=3),
        make_competency(world.framework, "WR.B", stages=3),
        make_competency(world.framework, "WR.C", stages=2),
    ]
    Competency.objects.filter(pk__in=[p.pk for p in parts]).update(parent=parent)
    policy(world, "latest", minimum_evidence=1)
    return parent, [Competency.objects.get(pk=p.pk) for p in parts]


def stages_of(world, parent) -> list[tuple]:
    records = MasteryRecord.objects.filter(student=world.student, competency=parent)
    return [
        (r.stage.ordinal, r.value, r.mastered, r.implied, r.sufficient)
        for r in records.order_by("stage__ordinal")
    ]


def test_all_rule_masters_a_stage_once_every_part_with_that_stage_is(world, rate):
    parent, (a, b, c) = domain(world)
    policy(world, "latest", competency=parent, rollup="all", minimum_evidence=1)
    rate(competency=a, stage=2, level=3)
    rate(competency=b, stage=2, level=3)
    rate(competency=c, stage=2, level=2)
    # Stage 1: A and B (through their stage 2) of A, B, C; stage 3: A and B only, neither.
    assert stages_of(world, parent) == [
        (1, pytest.approx(2 / 3), False, False, True),
        (2, pytest.approx(2 / 3), False, False, True),
        (3, 0.0, False, False, True),
    ]
    rate(competency=c, stage=2, level=3)
    assert [row[2] for row in stages_of(world, parent)] == [True, True, False]
    working = WorkingStage.objects.get(student=world.student, competency=parent)
    assert working.ordinal == 3
    record = MasteryRecord.objects.get(
        student=world.student, stage__competency=parent, stage__ordinal=3
    )
    assert record.explanation.startswith("Rule: every part must be mastered.")
    assert "Still working on: WR.A and WR.B." in record.explanation


def test_points_rule_needs_the_required_parts_and_the_base(world, rate):
    parent, (a, b, c) = domain(world)
    policy(
        world,
        "latest",
        competency=parent,
        rollup="points",
        rollup_base=Decimal(3),
        rollup_parts={"WR.A": {"points": 2, "required": True}},
        minimum_evidence=1,
    )
    rate(competency=b, stage=2, level=3)
    rate(competency=c, stage=2, level=4)
    # B and C: 1 + 1 = 2 points, and the required A is missing.
    assert stages_of(world, parent)[1][1:3] == (2.0, False)
    rate(competency=a, stage=2, level=3)
    # A 2 + B 1 + C 1 = 4 ≥ 3, A mastered: stage 2 (and 1 with it); stage 3 has A and B,
    # worth 3, none mastered.
    assert stages_of(world, parent) == [
        (1, 4.0, True, False, True),
        (2, 4.0, True, False, True),
        (3, 0.0, False, False, True),
    ]
    explanation = MasteryRecord.objects.get(
        student=world.student, stage__competency=parent, stage__ordinal=2
    ).explanation
    assert "Points: 2 + 1 + 1 = 4 of the 3 needed. Mastered." in explanation


def test_points_rule_cannot_master_a_stage_whose_parts_are_worth_less_than_the_base(world, rate):
    parent, (a, b, _c) = domain(world)
    policy(
        world,
        "latest",
        competency=parent,
        rollup="points",
        rollup_base=Decimal(3),
        minimum_evidence=1,
    )
    rate(competency=a, stage=3, level=4)
    rate(competency=b, stage=3, level=4)
    # Stage 3 has parts A and B only: 2 points of the 3 needed, whatever they show.
    third = stages_of(world, parent)[2]
    assert third == (3, 2.0, False, False, False)
    record = MasteryRecord.objects.get(
        student=world.student, stage__competency=parent, stage__ordinal=3
    )
    assert "worth 2 points, fewer than the 3 the policy needs" in record.explanation


def test_mean_rule_averages_the_parts_and_waits_for_each(world, rate):
    parent, (a, b, c) = domain(world)
    policy(world, "latest", competency=parent, rollup="mean", minimum_evidence=1)
    rate(competency=a, stage=2, level=4)
    rate(competency=b, stage=2, level=2)
    assert stages_of(world, parent)[1] == (2, 3.0, False, False, False)  # waiting on C
    rate(competency=c, stage=2, level=3)
    # (4 + 2 + 3) / 3 = 3: stage 2 mastered; stage 1 has no ratings of its own parts, so it
    # is mastered through stage 2 (higher implies lower).
    assert stages_of(world, parent) == [
        (1, None, True, True, False),
        (2, 3.0, True, False, True),
        (3, None, False, False, False),
    ]


def test_a_parent_mastered_from_its_parts_is_not_rated_itself(world, rate):
    parent, _ = domain(world)
    policy(world, "latest", competency=parent, rollup="all")
    with pytest.raises(InvalidInput) as refused:
        rate(competency=parent, stage=1, level=3)
    assert "WR.A, WR.B, WR.C" in refused.value.errors["competency"]
    assert not Evidence.objects.filter(competency=parent).exists()


def test_the_student_page_explains_the_parent_from_its_parts(world, rate):
    parent, (a, _b, _c) = domain(world)
    policy(world, "latest", competency=parent, rollup="all", minimum_evidence=1)
    rate(competency=a, stage=1, level=3)
    _, found = student_mastery(user=world.teacher, student_id=str(world.student.uuid))
    statuses = {s.competency.code: s for s in found}
    first = statuses["WR"].stages[0]
    assert not first.mastered
    assert "Still working on: WR.B and WR.C." in first.explanation


def _domain_over_varied(varied):
    """A parent over W1 and W2 (of the world's framework): the varied ratings roll up."""
    world = varied.world
    parent = make_competency(world.framework, "WD", stages=4)
    parts = [varied.competencies[0], varied.competencies[1]]
    Competency.objects.filter(pk__in=[p.pk for p in parts]).update(parent=parent)
    for part in parts:
        part.refresh_from_db()
    return parent


@pytest.mark.parametrize(
    "terms",
    [
        {"rollup": "all"},
        {
            "rollup": "points",
            "rollup_base": Decimal(2),
            "rollup_parts": {"W1": {"points": 1.5, "required": True}, "W2": {"points": 0.5}},
        },
        {"rollup": "mean", "threshold": Decimal("2.5")},
    ],
    ids=["all", "points", "mean"],
)
def test_bulk_equals_per_student_for_each_rule(world, terms):
    varied = varied_district(world)
    mixed_policies(varied, "decaying_average", {"rate": 0.5})
    parent = _domain_over_varied(varied)
    policy(world, "latest", competency=parent, **terms)
    refresh_every_student(varied)
    records, working, texts = stored_records(), stored_working(), explanations()
    parent_stages = set(parent.stages.values_list("pk", flat=True))
    rolled = {key: value for key, value in records.items() if key[1] in parent_stages}
    assert len(rolled) > 10 and any(value[1] for value in rolled.values())
    wipe_derived()

    recompute(scope=Scope(district_id=world.district.pk))

    assert_same_records(records, stored_records())
    assert stored_working() == working
    assert explanations() == texts


def test_a_narrow_recompute_of_a_part_or_the_parent_reaches_the_other(world):
    varied = varied_district(world)
    parent = _domain_over_varied(varied)
    policy(world, "latest", competency=parent, rollup="all")
    refresh_every_student(varied)
    expected = stored_records()
    for scope in (
        Scope(district_id=world.district.pk, competency_id=parent.pk),
        Scope(district_id=world.district.pk, competency_id=varied.competencies[1].pk),
    ):
        MasteryRecord.objects.filter(competency=parent).delete()
        recompute(scope=scope)
        assert_same_records(expected, stored_records())


def test_preview_counts_what_rolling_up_would_master_and_writes_nothing(world, rate):
    parent, (a, b, c) = domain(world)
    for part in (a, b, c):
        rate(competency=part, stage=2, level=3)
    before = stored_records()
    proposed = proposed_policy(
        actor=world.district_admin,
        draft=PolicyDraft(
            district=world.district,
            competency=parent,
            method="latest",
            parameters={},
            minimum_evidence=1,
            threshold="3",
            rollup="all",
        ),
    )
    result = preview(scope=Scope.governed_by(proposed), proposed=proposed)
    assert result.newly_mastered == 2  # WR stages 1 and 2
    assert result.students_changed == 1
    assert stored_records() == before


def test_a_rollup_names_only_the_competencys_parts_and_a_reachable_base(world):
    parent, _ = domain(world)

    def draft(**terms):
        return PolicyDraft(
            district=world.district,
            competency=parent,
            method="latest",
            parameters={},
            minimum_evidence=1,
            threshold="3",
            **terms,
        )

    admin = world.district_admin
    with pytest.raises(InvalidInput) as stranger:
        proposed_policy(actor=admin, draft=draft(rollup="all", rollup_parts={"W1": {}}))
    assert "W1 is not a part of WR" in stranger.value.errors["rollup_parts"]
    with pytest.raises(InvalidInput) as too_high:
        proposed_policy(actor=admin, draft=draft(rollup="points", rollup_base="4"))
    assert "worth 3 points in all" in too_high.value.errors["rollup_base"]
    with pytest.raises(InvalidInput) as no_base:
        proposed_policy(actor=admin, draft=draft(rollup="points"))
    assert "rollup_base" in no_base.value.errors
    with pytest.raises(InvalidInput) as leaf:
        proposed_policy(
            actor=admin,
            draft=PolicyDraft(
                district=world.district,
                competency=world.competency,
                method="latest",
                parameters={},
                minimum_evidence=1,
                threshold="3",
                rollup="all",
            ),
        )
    assert "no parts" in leaf.value.errors["rollup"]
    kept = proposed_policy(
        actor=admin,
        draft=draft(
            rollup="points",
            rollup_base="2.5",
            rollup_parts={"WR.A": {"points": "1.5", "required": True}},
        ),
    )
    assert kept.rollup_parts == {"WR.A": {"points": 1.5, "required": True}}
    assert kept.rollup_base == Decimal("2.5")


def test_history_as_of_a_day_rolls_up_the_parts_as_they_stood(world, rate):
    parent, (a, b, c) = domain(world)
    policy(world, "latest", competency=parent, rollup="all", minimum_evidence=1)
    for part in (a, b, c):
        rate(competency=part, stage=1, level=3, days_ago=10)
    rate(competency=c, stage=1, level=1, days_ago=2)

    def first_stage(as_of):
        _, statuses = student_mastery(
            user=world.teacher, student_id=str(world.student.uuid), as_of=as_of
        )
        return {s.competency.code: s for s in statuses}["WR"].stages[0].mastered

    assert first_stage(timezone.localdate() - timedelta(days=5)) is True
    assert first_stage(None) is False
