"""Undoing policy changes: a preview that says why each example changes, removing a scope's
own policy (a new version, with history) and restoring an earlier version."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.data import PolicyDraft, PolicyRemoval
from proficio.mastery.models import MasteryPolicy, MasteryRecord, MasteryRecordHistory
from proficio.mastery.policies import policy_for, standing
from proficio.mastery.selectors import policy_overview, policy_preview
from proficio.mastery.services import policy_change

pytestmark = pytest.mark.django_db

HIGHEST = {"method": "highest", "parameters": {}, "minimum_evidence": 1, "threshold": "3"}


def draft(world, **fields):
    return PolicyDraft(district=world.district, **{**HIGHEST, **fields})


def example(world, proposal):
    shown = policy_preview(user=world.district_admin, draft=proposal)
    assert shown.examples, "the preview shows an example"
    return shown, shown.examples[0]


# ---- the preview says why


def test_an_example_that_loses_mastery_for_too_few_ratings_says_so(world, rate):
    rate(level=4, days_ago=2)
    rate(level=3, days_ago=1)
    shown, first = example(world, draft(world, method="mean", minimum_evidence=3))
    assert (shown.no_longer_mastered, shown.students_losing_mastery) == (1, 1)
    assert first.text == (
        "Student Tester, W1 stage 1: 3.35 → 3.5, would no longer be mastered: "
        "the result is now the mean; now needs 3 ratings, has 2"
    )


def test_an_example_below_the_threshold_names_the_result_and_the_level(world, rate):
    rate(level=4, days_ago=2)
    rate(level=3, days_ago=1)
    _, first = example(world, draft(world, method="mean", minimum_evidence=2, threshold="3.75"))
    assert first.reason == "mean 3.5 is below 3.75"


def test_an_example_mastered_only_through_a_higher_stage_says_so(world, rate):
    rate(level=3, days_ago=2, stage=2)
    rate(level=3, days_ago=1, stage=2)
    _, first = example(
        world,
        PolicyDraft(
            district=world.district,
            method="decaying_average",
            parameters={},
            minimum_evidence=2,
            threshold="3",
            higher_implies_lower=False,
        ),
    )
    assert (first.stage, first.was_mastered, first.now_mastered) == (1, True, False)
    assert first.reason == "no longer counted as mastered through a higher stage"


def test_an_example_newly_mastered_says_what_reaches_the_level(world, rate):
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)
    _, first = example(world, draft(world))
    assert first.reason == "highest rating 3 reaches 3 with 2 ratings"


# ---- removing an override


def _school_override(world, rate):
    rate(level=4, days_ago=2)
    rate(level=2, days_ago=1)  # highest 4; the district's decaying average 0.35×4 + 0.65×2 = 2.7
    return policy_change(actor=world.district_admin, draft=draft(world, school=world.school))


def _stage_one():
    return MasteryRecord.objects.get(stage__ordinal=1)


def test_removing_an_override_returns_the_scope_to_what_it_inherits(world, rate):
    override = _school_override(world, rate)
    assert _stage_one().mastered and _stage_one().policy_id == override.pk

    removal = PolicyRemoval(district=world.district, school=world.school)
    shown, first = example(world, removal)
    assert shown.no_longer_mastered == 1
    assert first.reason == "decaying average 2.7 is below 3"

    removed = policy_change(actor=world.district_admin, draft=removal)

    assert (removed.version, removed.inherits, removed.school_id) == (2, True, world.school.pk)
    in_force = policy_for(student=world.student, competency=world.competency)
    assert in_force.school_id is None and not in_force.inherits
    record = _stage_one()
    assert not record.mastered and record.policy_id == in_force.pk
    past = MasteryRecordHistory.objects.get(stage=record.stage, policy=override)
    assert past.mastered
    entry = AuditEntry.objects.filter(action="policy.changed").latest("pk")
    assert entry.data["removes_own_policy"] is True and entry.data["version"] == 2
    school = next(e for e in policy_overview(user=world.district_admin) if e.scope.school)
    assert school.inherited and school.versions[0].inherits


def test_a_later_version_gives_a_removed_scope_its_own_policy_again(world, rate):
    _school_override(world, rate)
    policy_change(
        actor=world.district_admin,
        draft=PolicyRemoval(district=world.district, school=world.school),
    )
    again = policy_change(actor=world.district_admin, draft=draft(world, school=world.school))
    assert policy_for(student=world.student, competency=world.competency) == again
    assert _stage_one().mastered


def test_a_removal_scheduled_later_waits_for_its_day(world, rate):
    override = _school_override(world, rate)
    later = timezone.localdate() + timedelta(days=7)
    policy_change(
        actor=world.district_admin,
        draft=PolicyRemoval(district=world.district, school=world.school, effective_from=later),
    )
    assert policy_for(student=world.student, competency=world.competency) == override
    assert policy_for(student=world.student, competency=world.competency, on=later).school is None


def test_what_cannot_be_removed_is_refused_with_a_reason(world, rate):
    with pytest.raises(InvalidInput) as no_own:
        policy_change(
            actor=world.district_admin,
            draft=PolicyRemoval(district=world.district, school=world.school),
        )
    assert no_own.value.errors == {"scope": "This scope has no policy of its own to remove."}
    with pytest.raises(InvalidInput) as district:
        policy_change(actor=world.district_admin, draft=PolicyRemoval(district=world.district))
    assert "inherits" in district.value.errors["scope"]
    _school_override(world, rate)
    with pytest.raises(NotVisible):
        policy_change(
            actor=world.teacher, draft=PolicyRemoval(district=world.district, school=world.school)
        )
    assert MasteryPolicy.objects.filter(inherits=True).count() == 0


def test_the_latest_version_of_each_scope_stands_unless_it_removes_it(world):
    def version(number, *, school=None, inherits=False):
        return MasteryPolicy(
            district=world.district,
            school=school,
            method="mean",
            threshold=3,
            version=number,
            inherits=inherits,
            effective_from=timezone.localdate(),
        )

    district, school_1 = version(1), version(1, school=world.school)
    removed = version(2, school=world.school, inherits=True)
    assert standing([district, school_1]) is school_1
    assert standing([district, school_1, removed]) is district
    school_3 = version(3, school=world.school)
    assert standing([district, school_1, removed, school_3]) is school_3
    assert standing([removed]) is None


# ---- restoring a version


def test_restoring_a_version_re_applies_its_settings_as_a_new_version(world, rate):
    rate(level=4, days_ago=2)
    rate(level=2, days_ago=1)
    first = policy_change(actor=world.district_admin, draft=draft(world))
    policy_change(actor=world.district_admin, draft=draft(world, method="latest"))
    assert not _stage_one().mastered

    restored = policy_change(actor=world.district_admin, draft=draft(world, restores=first.version))

    assert restored.version == first.version + 2 and restored.restores == first.version
    assert (restored.method, restored.minimum_evidence) == (first.method, first.minimum_evidence)
    assert _stage_one().mastered and _stage_one().policy_id == restored.pk
    entry = AuditEntry.objects.filter(action="policy.changed").latest("pk")
    assert entry.data["restores"] == first.version


def test_restoring_a_version_the_scope_never_had_is_refused(world):
    with pytest.raises(InvalidInput) as refused:
        policy_change(actor=world.district_admin, draft=draft(world, restores=9))
    assert refused.value.errors == {"restores": "This scope has no version 9."}
