"""The demo's agency: the login teacher mentors the login student and others (two she does not
teach), whose goals and weekly check-ins span the last weeks; the pages show them."""

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from proficio.agency.api import check_ins_due
from proficio.agency.models import CheckIn, Goal
from proficio.demo import load_demo
from proficio.people.api import serves_as_staff, teachers_of_students
from proficio.people.models import Mentorship, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    )
    with django_db_blocker.unblock(), settings, transaction.atomic():
        yield load_demo(students=30)
        transaction.set_rollback(True)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(Person.objects.get(username=username))
    return client


def test_the_login_teacher_mentors_students_some_of_whom_she_does_not_teach(demo):
    teacher = Person.objects.get(username="teacher")
    mentees = [m.student for m in Mentorship.objects.filter(mentor=teacher)]
    assert len(mentees) == 7
    taught = teachers_of_students([m.pk for m in mentees])
    strangers = [m for m in mentees if teacher not in taught.get(m.pk, [])]
    assert len(strangers) == 2 and all(serves_as_staff(teacher, m) for m in strangers)
    due = check_ins_due(mentor=teacher)
    assert len(due) == 7 and any(item.overdue for item in due)


def test_the_login_student_has_goals_in_each_state_and_weekly_check_ins(demo):
    student = Person.objects.get(username="student")
    goals = Goal.objects.filter(student=student)
    # One of them agreed at her last conference.
    statuses = sorted(goals.values_list("status", flat=True))
    assert statuses == ["done", "working", "working", "working"]
    assert goals.filter(competency__kind="skill").exists()
    assert goals.filter(comments__author__username="guardian").exists()
    check_ins = list(CheckIn.objects.filter(student=student).order_by("happened_on"))
    assert len(check_ins) == 3
    assert [bool(c.reflection) for c in check_ins] == [True, True, False]
    page = signed_in("student").get(reverse("agency:goals")).content.decode()
    assert "Back every reason with evidence" in page and "Add my reflection" in page
    mentoring = signed_in("teacher").get(reverse("agency:mentoring")).content.decode()
    assert student.display_name in mentoring


def test_the_login_student_has_a_portfolio_from_her_baseline_to_her_latest_work(demo):
    from proficio.agency.models import PortfolioPiece
    from proficio.agency.selectors import growth_pairs, portfolio_of
    from proficio.people.api import school_year_start

    student = Person.objects.get(username="student")
    pieces = portfolio_of(user=student, student=student)
    assert len(pieces) >= 3 and sum(piece.baseline for piece in pieces) == 1
    start = school_year_start(district_id=student.district_id, on=pieces[0].created_at.date())
    assert any(pair.competency.code == "W1" for pair in growth_pairs(pieces, year_start=start))
    shared = PortfolioPiece.objects.filter(student=student, shared_with_family=True).count()
    assert 0 < shared < len(pieces)
    page = signed_in("guardian").get(reverse("agency:student_portfolio", args=[student.uuid]))
    assert page.content.decode().count('class="piece-card"') >= shared


def _mastered_from_evidence(student, day) -> set[tuple[str, int]]:
    """(competency code, stage) mastered on `day`, from the evidence by the engine alone:
    each stage's standing teacher ratings observed by then, under the policy in force that
    day, a mastered stage counting every lower one as mastered when the policy says so."""
    from django.utils import timezone

    from proficio.engine import evaluate
    from proficio.evidence.models import Evidence
    from proficio.frameworks.models import Competency
    from proficio.mastery.policies import policy_for

    found = set()
    for competency in Competency.objects.filter(framework__district_id=student.district_id):
        policy = policy_for(student=student, competency=competency, on=day)
        rows = [
            e
            for e in Evidence.objects.filter(
                student=student,
                competency=competency,
                superseded_by__isnull=True,
                withdrawn=False,
            )
            .exclude(source="self")
            .order_by("observed_at", "recorded_at", "id")
            if timezone.localdate(e.observed_at) <= day
        ]
        own = []
        stages = list(competency.stages.order_by("ordinal"))
        for stage in stages:
            mine = [e for e in rows if e.stage_id == stage.pk]
            result = evaluate(
                method=policy.method,
                scores=[float(e.level) for e in mine],
                observed=[e.observed_at.date() for e in mine],
                weights=[float(e.weight) for e in mine],
                params=policy.parameters,
                threshold=float(policy.threshold),
                minimum_evidence=policy.minimum_evidence,
            )
            own.append(result.mastered)
        top = max((n for n, mastered in enumerate(own) if mastered), default=-1)
        for n, stage in enumerate(stages):
            if own[n] or (policy.higher_implies_lower and n < top):
                found.add((competency.code, stage.ordinal))
    return found


def test_the_agenda_lists_exactly_the_stages_mastered_since_the_last_conference(demo):
    from django.utils import timezone

    from proficio.agency.api import Conference, conference_draft

    student = Person.objects.get(username="student")
    held = list(Conference.objects.filter(student=student, held_at__isnull=False))
    assert len(held) == 2
    last = max(timezone.localdate(c.held_at) for c in held)
    conference = conference_draft(student=student)
    assert conference.since == last
    listed = {(m["competency"], m["stage"]) for m in conference.agenda["mastered"]}
    today = timezone.localdate()
    expected = _mastered_from_evidence(student, today) - _mastered_from_evidence(student, last)
    assert listed == expected
    assert listed, "the demo student has mastered something since her last conference"
