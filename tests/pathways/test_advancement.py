"""Advancement upon mastery: Proficio proposes it when a course is complete, a teacher and the
student confirm, the district's gate may ask a standardized result, a teacher decides — to
advance into a section of the next course, or not yet with what comes next."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from proficio.audit.models import AuditEntry
from proficio.engine.rules import ChildResult, rollup_all, rollup_mean, rollup_points
from proficio.frameworks.services import course_create
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.api import students_mastery
from proficio.mastery.services import evidence_record, evidence_withdraw
from proficio.pathways.advancement import (
    advancement_accelerate,
    advancement_confirm,
    advancement_decide,
    course_completion,
    gate_set,
    gate_waits,
    gate_waits_many,
    proposals_sync,
)
from proficio.pathways.models import Advancement
from proficio.pathways.selectors import advancements_visible_to
from proficio.people.models import Enrollment
from proficio.people.services import section_create

pytestmark = pytest.mark.django_db


def rate(world, stage, level=4, source="observation", days=1):
    return evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=stage,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=days),
        source=source,
    )


@pytest.fixture
def courses(world):
    nxt = course_create(district=world.district, code="W-B", title="Writing B", targets=[])
    course = course_create(
        district=world.district, code="W-A", title="Writing A", targets=[(world.competency, 1)]
    )
    course.next_course = nxt
    course.save()
    world.section.course = course
    world.section.save()
    onward = section_create(
        school=world.school, name="Studio N", course=nxt, teachers=[world.teacher]
    )
    return course, nxt, onward


def master_stage_one(world):
    for days in (1, 2, 3):
        rate(world, 1, days=days)


def test_a_complete_course_is_proposed_once(world, courses):
    assert proposals_sync(students=[world.student]) == []
    master_stage_one(world)
    [proposal] = proposals_sync(students=[world.student])
    assert proposals_sync(students=[world.student]) == []
    assert proposal.proposed_by is None and proposal.kind == "course"
    assert AuditEntry.objects.filter(action="advancement.proposed", student=world.student)


def test_advancing_needs_both_confirmations_and_places_the_student(world, courses):
    _course, _nxt, onward = courses
    master_stage_one(world)
    [proposal] = proposals_sync(students=[world.student])
    with pytest.raises(InvalidInput, match="both confirm"):
        advancement_decide(
            actor=world.teacher,
            advancement=proposal,
            decision="advance",
            rationale="Ready.",
            section=onward,
        )
    advancement_confirm(actor=world.teacher, advancement=proposal)
    advancement_confirm(actor=world.student, advancement=proposal)
    decided = advancement_decide(
        actor=world.teacher,
        advancement=proposal,
        decision="advance",
        rationale="Every target mastered, with strong recent work.",
        section=onward,
    )
    assert decided.placed_in == onward and decided.decided_by == world.teacher
    assert Enrollment.objects.get(section=onward, student=world.student).active
    assert not Enrollment.objects.get(section=world.section, student=world.student).active


def test_a_required_gate_waits_for_a_standardized_result_at_the_threshold(world, courses):
    _course, _nxt, onward = courses
    gate_set(
        actor=world.district_admin,
        district_id=world.district.pk,
        mode="required",
        threshold=Decimal(3),
    )
    master_stage_one(world)
    [proposal] = proposals_sync(students=[world.student])
    advancement_confirm(actor=world.teacher, advancement=proposal)
    advancement_confirm(actor=world.student, advancement=proposal)

    def decide():
        return advancement_decide(
            actor=world.teacher,
            advancement=proposal,
            decision="advance",
            rationale="Ready.",
            section=onward,
        )

    with pytest.raises(InvalidInput, match="standardized result of at least 3"):
        decide()
    low = rate(world, 1, level=2, source="standardized", days=0)
    with pytest.raises(InvalidInput, match=r"the best so far, 2 on .* is below it"):
        decide()
    wrong = rate(world, 1, level=4, source="standardized", days=0)
    evidence_withdraw(actor=world.teacher, evidence=wrong, reason="Another student's result.")
    with pytest.raises(InvalidInput, match="below it"):
        decide()  # a withdrawn result does not open the gate
    assert low
    result = rate(world, 1, level=3, source="standardized", days=0)
    assert decide().gate_evidence == result


def test_the_gate_of_every_open_advancement_is_read_at_once(
    world, courses, django_assert_num_queries
):
    # Today lists each open advancement with whether it waits for the gate: the same answer
    # as one by one, in as many queries for two advancements as for one.
    master_stage_one(world)
    proposals_sync(students=[world.student])
    advancement_accelerate(actor=world.teacher, student=world.classmate, note="Strong work.")
    rate(world, 1, level=3, source="standardized", days=0)  # the student's result, not theirs

    def open_ones():
        return list(advancements_visible_to(world.teacher).filter(decision="").order_by("pk"))

    for mode, queries in (("none", 1), ("advisory", 1), ("required", 4)):
        gate_set(
            actor=world.district_admin,
            district_id=world.district.pk,
            mode=mode,
            threshold=Decimal(3),
        )
        expected = [gate_waits(advancement) for advancement in open_ones()]
        if mode == "required":
            assert expected[0] == "" and "none is recorded yet" in expected[1]
        for shown in (open_ones(), open_ones()[:1]):
            with django_assert_num_queries(queries):
                assert gate_waits_many(shown) == expected[: len(shown)]


def test_not_yet_is_a_record_with_what_comes_next(world, courses):
    master_stage_one(world)
    [proposal] = proposals_sync(students=[world.student])
    with pytest.raises(InvalidInput) as refused:
        advancement_decide(
            actor=world.teacher, advancement=proposal, decision="not_yet", rationale=""
        )
    assert set(refused.value.errors) == {"rationale", "next_steps"}
    decided = advancement_decide(
        actor=world.teacher,
        advancement=proposal,
        decision="not_yet",
        rationale="The targets are mastered, but the last two pieces were rushed.",
        next_steps="One more argument essay with a counterclaim.",
    )
    assert decided.decision == "not_yet" and not decided.open
    assert Enrollment.objects.get(section=world.section, student=world.student).active


def test_a_teacher_may_propose_acceleration_with_the_evidence(world, courses):
    with pytest.raises(InvalidInput):
        advancement_accelerate(actor=world.teacher, student=world.student, note="")
    accelerated = advancement_accelerate(
        actor=world.teacher, student=world.student, note="Three stage-2 pieces already."
    )
    assert accelerated.kind == "acceleration" and accelerated.proposed_by == world.teacher


@pytest.mark.parametrize("who", ["other_teacher", "guardian", "classmate"])
def test_nobody_else_confirms_or_decides(world, courses, who):
    master_stage_one(world)
    [proposal] = proposals_sync(students=[world.student])
    with pytest.raises(NotVisible):
        advancement_confirm(actor=getattr(world, who), advancement=proposal)
    with pytest.raises(NotVisible):
        advancement_decide(
            actor=getattr(world, who),
            advancement=proposal,
            decision="not_yet",
            rationale="x",
            next_steps="y",
        )
    assert Advancement.objects.get().open


def test_completion_follows_the_student_record(world, courses):
    course, _nxt, _onward = courses
    statuses = students_mastery(students=[world.student])[world.student.pk]
    first = course_completion(course=course, statuses=statuses)
    assert not first.mastered
    master_stage_one(world)
    statuses = students_mastery(students=[world.student])[world.student.pk]
    assert course_completion(course=course, statuses=statuses).mastered


# Course completion is the engine's rules over the targets: by hand, each rule.


def test_each_rollup_rule_agrees_with_a_hand_computed_example():
    children = [
        ChildResult("W1 stage 3", 3.5, True, points=2, required=True),
        ChildResult("W2 stage 3", 2.0, False, points=1),
        ChildResult("MP1 stage 2", 3.0, True, points=1),
    ]
    assert not rollup_all(children).mastered  # W2 is not mastered
    # Points: 2 + 1 = 3 of 4 earned ≥ base 3, and the required child is mastered.
    assert rollup_points(children, base=3).mastered
    assert not rollup_points(children, base=4).mastered
    # Mean: (3.5 + 2.0 + 3.0) / 3 = 2.83 < 3.
    assert not rollup_mean(children, threshold=3).mastered
    assert rollup_mean(children, threshold=2.8).mastered


@pytest.mark.parametrize(
    ("terms", "complete"),
    [
        ({"rollup": "all"}, False),  # WR.B is not mastered at stage 2
        # W1 (2 points, required) mastered: 2 of the 2 needed.
        (
            {
                "rollup": "points",
                "rollup_base": Decimal(2),
                "rollup_parts": {"W1": {"points": 2, "required": True}},
            },
            True,
        ),
        ({"rollup": "mean"}, True),  # (4 + 2) / 2 = 3 reaches 3
        ({"rollup": "mean", "threshold": Decimal("3.5")}, False),  # 3 < 3.5
    ],
    ids=["all", "points", "mean", "mean-higher"],
)
def test_a_course_aiming_at_a_domain_completes_as_its_rollup_rule_says(world, terms, complete):
    from proficio.frameworks.models import Competency
    from tests.factories import make_competency
    from tests.mastery.varied import policy

    domain = make_competency(world.framework, "WR", stages=2)
    strand = make_competency(world.framework, "WR.B", stages=2)
    Competency.objects.filter(pk__in=[world.competency.pk, strand.pk]).update(parent=domain)
    policy(world, "latest", minimum_evidence=1)
    policy(world, "latest", competency=domain, minimum_evidence=1, **terms)
    course = course_create(
        district=world.district, code="WR-7", title="Writing 7", targets=[(domain, 2)]
    )
    world.section.course = course
    world.section.save()
    rate(world, 2, level=4)
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=Competency.objects.get(pk=strand.pk),
        stage=2,
        level=Decimal(2),
        observed_at=timezone.now(),
        source="observation",
    )
    statuses = students_mastery(students=[world.student])[world.student.pk]
    assert course_completion(course=course, statuses=statuses).mastered is complete
    assert bool(proposals_sync(students=[world.student])) is complete


@given(st.lists(st.tuples(st.floats(0, 4), st.booleans()), min_size=1, max_size=8))
def test_completion_never_holds_while_a_target_is_unmastered(targets):
    children = [
        ChildResult(f"t{n}", value, mastered) for n, (value, mastered) in enumerate(targets)
    ]
    if rollup_all(children).mastered:
        assert all(mastered for _value, mastered in targets)


def page(person, name, *args, method="get", data=None):
    client = Client()
    client.force_login(person)
    return getattr(client, method)(reverse(name, args=args), data or {})


def test_the_pages_from_today_to_the_record(world, courses):
    _course, _nxt, onward = courses
    master_stage_one(world)
    today = page(world.teacher, "pathways:today").content.decode()
    proposal = Advancement.objects.get()
    assert f"{world.student.display_name} — Writing A" in today
    assert (
        page(
            world.teacher, "pathways:advancement_confirm", proposal.uuid, method="post"
        ).status_code
        == 302
    )
    assert (
        page(
            world.student, "pathways:advancement_confirm", proposal.uuid, method="post"
        ).status_code
        == 302
    )
    decided = page(
        world.teacher,
        "pathways:advancement_decide",
        proposal.uuid,
        method="post",
        data={"decision": "advance", "rationale": "Ready.", "section": str(onward.uuid)},
    )
    assert decided.status_code == 302
    record = page(world.guardian, "pathways:advancement", proposal.uuid).content.decode()
    assert "Advanced" in record and "Now in Studio N." in record
    assert page(world.classmate, "pathways:advancement", proposal.uuid).status_code == 404
    assert page(world.other_teacher, "pathways:advancement", proposal.uuid).status_code == 404
    mine = page(world.student, "pathways:next_steps").content.decode()
    assert "Advanced from Writing A" in mine


def test_only_district_admins_set_the_gate(world):
    assert page(world.teacher, "pathways:gate").status_code == 404
    response = page(world.district_admin, "pathways:gate", method="post", data={"mode": "required"})
    assert response.status_code == 302
    page(
        world.district_admin,
        "pathways:gate",
        method="post",
        data={"mode": "required", "threshold": "3"},
    )
    assert "required" in page(world.district_admin, "pathways:gate").content.decode()
