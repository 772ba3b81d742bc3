"""Pace read from the facts stored when mastery is written: no evidence read, a query count
that does not grow with the students, and always what the ratings themselves give."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from proficio.evidence.models import Evidence
from proficio.mastery.data import Scope
from proficio.mastery.models import MasteryPolicy, PaceExpectation, WorkingStage
from proficio.mastery.pace import (
    STALLED,
    pace_columns,
    pace_facts_computed,
    paces_of,
    stalled_in_sections,
)
from proficio.mastery.recompute import recompute
from proficio.mastery.selectors.gradebook import GradebookQuery, gradebook
from proficio.mastery.services import evidence_record, evidence_withdraw
from tests.mastery.test_pace import graded_competency, graded_student, observed, rate
from tests.mastery.varied import policy, stored_pace_columns

pytestmark = pytest.mark.django_db


def paces_from_ratings(students, competencies, today):
    """The paces a read gives when nothing is stored: every pair worked out from its ratings."""
    stored = list(WorkingStage.objects.values_list("pk", "pace_facts"))
    WorkingStage.objects.update(pace_facts=None)
    try:
        return paces_of(students=students, competencies=competencies, today=today)
    finally:
        for pk, facts in stored:
            WorkingStage.objects.filter(pk=pk).update(pace_facts=facts)


def read_queries(students, competencies):
    with CaptureQueriesContext(connection) as queries:
        paces_of(students=students, competencies=competencies, today=timezone.localdate())
    return [query["sql"] for query in queries.captured_queries]


def test_a_read_of_pace_reads_no_evidence_and_as_many_queries_for_60_students_as_for_6(world):
    competencies = [graded_competency(world, "G1"), graded_competency(world, "G2")]
    students = []
    for number in range(60):
        student = graded_student(world, f"pacer{number}", 3 + number % 4)
        for competency in competencies:
            rate(world, student, competency, (60, 1, 4), (50, 1, 3), (10, 2, 2))
        students.append(student)
    few, many = read_queries(students[:6], competencies), read_queries(students, competencies)
    assert len(few) == len(many)
    assert not [sql for sql in many if Evidence._meta.db_table in sql]


def test_facts_from_before_they_were_stored_and_from_another_policy_are_read_from_ratings(
    world,
):
    competency = graded_competency(world, "G1")
    student = graded_student(world, "pacer", 5)
    rate(world, student, competency, (120, 2, 4), (115, 2, 4), (60, 3, 2), (20, 3, 2), (5, 3, 2))
    today = timezone.localdate()
    expected = paces_from_ratings([student], [competency], today)
    assert expected[student.pk, competency.pk].stalled
    WorkingStage.objects.update(pace_facts=None)
    assert paces_of(students=[student], competencies=[competency], today=today) == expected
    queries = read_queries([student], [competency])
    assert [sql for sql in queries if Evidence._meta.db_table in sql]
    # A new policy version (no recompute yet): the stored facts are of the old one.
    evidence_record(
        assessor=world.teacher,
        student=student,
        competency=competency,
        stage=3,
        level=2,
        observed_at=observed(4),
        source="observation",
    )
    policy(world, "latest", minimum_evidence=1, threshold=Decimal(2))
    fresh = paces_from_ratings([student], [competency], today)
    assert fresh[student.pk, competency.pk] != expected[student.pk, competency.pk]
    assert paces_of(students=[student], competencies=[competency], today=today) == fresh


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("rate"),
            st.integers(0, 2),  # student
            st.integers(0, 1),  # competency
            st.integers(1, 4),  # stage
            st.sampled_from([1, 2, 3, 4]),
            st.integers(0, 90),  # days ago
            st.sampled_from(["observation", "observation", "self"]),
        ),
        st.tuples(st.just("correct"), st.integers(0, 50), st.sampled_from([1, 2, 3, 4])),
        st.tuples(st.just("withdraw"), st.integers(0, 50)),
        st.tuples(
            st.just("policy"),
            st.sampled_from(["latest", "mean", "decaying_average", "n_mastery", "highest"]),
            st.booleans(),  # higher implies lower
            st.booleans(),  # self-assessments count
            st.integers(1, 3),  # minimum evidence
        ),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_stored_pace_equals_a_full_recompute_after_any_ratings_corrections_and_policies(
    world, operations
):
    with transaction.atomic():
        competencies = [graded_competency(world, "P1"), graded_competency(world, "P2")]
        students = [graded_student(world, f"prop{n}", 3 + n) for n in range(3)]
        today = timezone.localdate()
        for operation in operations:
            apply(world, operation, students, competencies)
            assert_stored_equals_recompute(students, competencies, today, teacher=world.teacher)
        transaction.set_rollback(True)


def standing_ratings_of(teacher, students):
    return Evidence.objects.filter(
        student__in=students, superseded_by__isnull=True, withdrawn=False, assessor=teacher
    ).order_by("pk")


def apply(world, operation, students, competencies):
    kind, *args = operation
    if kind == "rate":
        student, competency, stage, level, days_ago, source = args
        evidence_record(
            assessor=world.teacher if source != "self" else students[student],
            student=students[student],
            competency=competencies[competency],
            stage=stage,
            level=level,
            observed_at=timezone.now() - timedelta(days=days_ago),
            source=source,
        )
    elif kind == "correct":
        choice, level = args
        current = standing_ratings_of(world.teacher, students)
        if current:
            replaced = current[choice % len(current)]
            evidence_record(
                assessor=world.teacher,
                student=replaced.student,
                competency=replaced.competency,
                stage=replaced.stage.ordinal,
                level=level,
                observed_at=replaced.observed_at,
                source=replaced.source,
                supersedes=replaced,
            )
    elif kind == "withdraw":
        (choice,) = args
        current = standing_ratings_of(world.teacher, students)
        if current:
            evidence_withdraw(
                actor=world.teacher, evidence=current[choice % len(current)], reason="In error"
            )
    else:
        method, implies, counts_self, minimum = args
        policy(
            world,
            method,
            higher_implies_lower=implies,
            include_self_assessment=counts_self,
            minimum_evidence=minimum,
            effective_from=timezone.localdate() - timedelta(days=1),
        )
        recompute(scope=Scope(district_id=world.district.pk))


def stalled_listed(teacher):
    """Every pair the teacher home counts as stalled, shown or not."""
    return [pair for group in stalled_in_sections(user=teacher) for pair in group.pairs]


def assert_stored_equals_recompute(students, competencies, today, teacher=None):
    for working in WorkingStage.objects.filter(student__in=students):
        student = next(s for s in students if s.pk == working.student_id)
        competency = next(c for c in competencies if c.pk == working.competency_id)
        facts = pace_facts_computed(student=student, competency=competency)
        threshold = float(MasteryPolicy.objects.get(pk=facts["policy"]).threshold)
        assert stored_pace_columns(working) == pace_columns(facts, threshold=threshold)
    from_ratings = paces_from_ratings(students, competencies, today)
    assert paces_of(students=students, competencies=competencies, today=today) == from_ratings
    if teacher is not None:
        # The teacher home's list, which rules pairs out in SQL from the stored facts, names
        # exactly the stalled pairs the ratings give.
        listed = stalled_listed(teacher)
        assert sorted(listed) == sorted(pair for pair, pace in from_ratings.items() if pace.stalled)


STALL_PRONE = st.lists(
    st.one_of(
        st.tuples(
            st.just("rate"),
            st.integers(0, 1),  # student
            st.sampled_from([0, 0, 0, 1]),  # competency
            st.sampled_from([1, 1, 1, 2]),  # stage
            st.sampled_from([2, 2, 2, 1, 3, 4]),
            st.sampled_from([75, 60, 20, 10, 3, 90, 45, 42, 30, 28, 0]),  # days ago
            st.just("observation"),
        ),
        st.tuples(st.just("correct"), st.integers(0, 50), st.sampled_from([1, 2, 3, 4])),
        st.tuples(
            st.just("policy"),
            st.sampled_from(["latest", "mean", "highest"]),
            st.booleans(),
            st.booleans(),
            st.integers(1, 2),
        ),
        st.tuples(st.just("quiet policy"), st.sampled_from(["latest", "mean"])),
        st.tuples(st.just("quiet school policy"), st.sampled_from(["latest", "highest"])),
        st.tuples(st.just("weeks"), st.booleans(), st.sampled_from([2, 4, 6, 10])),
        st.tuples(st.just("ratings"), st.booleans(), st.sampled_from([1, 2, 3])),
    ),
    min_size=8,
    max_size=30,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=STALL_PRONE)
@example(operations=[("rate", 0, 0, 1, 2, days, "observation") for days in (60, 10, 3)])
# The second latest rating on the first day of the window: one rating in it, not two.
@example(operations=[("rate", 0, 0, 1, 2, days, "observation") for days in (60, 42, 10)])
@example(
    operations=[
        ("ratings", True, 3),
        ("ratings", False, 1),
        *[("rate", 0, 0, 1, 2, days, "observation") for days in (60, 20, 10)],
        *[("rate", 1, 1, 1, 2, days, "observation") for days in (60, 10)],
    ]
)
@example(
    operations=[
        ("weeks", False, 2),
        ("weeks", True, 10),
        *[("rate", 1, 0, 1, 2, days, "observation") for days in (75, 60, 20)],
        *[("rate", 0, 1, 1, 2, days, "observation") for days in (30, 10, 3)],
    ]
)
@example(
    operations=[
        *[("rate", 0, 0, 1, 2, days, "observation") for days in (60, 10, 3)],
        ("quiet policy", "mean"),
        ("rate", 1, 0, 1, 4, 60, "observation"),
        ("quiet policy", "latest"),
    ]
)
@example(
    operations=[
        ("weeks", False, 10),
        ("weeks", True, 2),
        *[("rate", 0, 0, 1, 2, days, "observation") for days in (20, 10, 3)],
    ]
)
@example(
    operations=[
        ("policy", "highest", True, False, 1),
        *[("rate", 0, 0, 1, level, days, "observation") for level, days in ((4, 60), (2, 20))],
        ("rate", 0, 0, 1, 2, 10, "observation"),
        ("quiet policy", "mean"),
    ]
)
# A school policy under which nobody is stalled any more, and one under which one is: the
# district's highest rating masters stage 1, the school's latest does not.
@example(
    operations=[
        *[("rate", 0, 0, 1, 2, days, "observation") for days in (60, 20, 10)],
        ("quiet school policy", "highest"),
    ]
)
@example(
    operations=[
        ("policy", "highest", True, False, 1),
        *[("rate", 0, 0, 1, level, days, "observation") for level, days in ((4, 60), (2, 20))],
        ("rate", 0, 0, 1, 2, 10, "observation"),
        ("quiet school policy", "latest"),
    ]
)
def test_the_teacher_homes_stalled_list_equals_the_ratings_whatever_the_weeks_and_policies(
    world, operations
):
    """Ratings crowded at the low stages, around the stall windows, with policy changes left
    unrecomputed and stall weeks and ratings set per district and per school: the cases the
    SQL test of the stored facts must not get wrong."""
    with transaction.atomic():
        competencies = [graded_competency(world, "S1"), graded_competency(world, "S2")]
        students = [graded_student(world, f"stall{n}", 4) for n in range(2)]
        today = timezone.localdate()
        for operation in operations:
            kind, *args = operation
            if kind in ("weeks", "ratings"):
                per_school, value = args
                PaceExpectation.objects.update_or_create(
                    district=world.district,
                    school=world.school if per_school else None,
                    defaults={f"stall_{kind}": value},
                )
            elif kind == "quiet policy":
                # In force from today, not yet recomputed: the stored facts are another's.
                policy(world, args[0], minimum_evidence=1, effective_from=today)
            elif kind == "quiet school policy":
                # The school's own, not yet recomputed: its students' facts are the
                # district's, whose policy still wins at every other school.
                policy(world, args[0], school=world.school, effective_from=today)
            else:
                apply(world, operation, students, competencies)
        pairs = paces_from_ratings(students, competencies, today)
        expected = sorted(pair for pair, pace in pairs.items() if pace.stalled)
        assert sorted(stalled_listed(world.teacher)) == expected
        # The gradebook's stalled filter reads the same spans.
        book = gradebook(
            user=world.teacher, section=world.section, query=GradebookQuery(pace=STALLED)
        )
        mine = {student.pk for student in students}
        assert sorted(pair for pair in book.picked if pair[0] in mine) == expected
        transaction.set_rollback(True)
