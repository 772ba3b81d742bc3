"""Resolving policies for many (school, competency) pairs at once chooses what `policy_for`
chooses for each, on any day, with one query per district."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proficio.mastery.policies import PolicyResolver, policy_for
from proficio.people.api import student_school_ids
from tests.mastery.varied import mixed_policies, policy, varied_district

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days_ahead", [0, 3, -4000])
def test_the_resolver_chooses_what_policy_for_chooses(world, days_ahead):
    varied = varied_district(world)
    mixed_policies(varied, "decaying_average", {"rate": 0.65})
    policy(world, "mean", school=world.other_school, effective_from=timezone.localdate())
    on = timezone.localdate() + timedelta(days=days_ahead)
    resolve = PolicyResolver(on=on)
    schools = student_school_ids(student.pk for student in varied.students)
    for student in varied.students:
        for competency in varied.competencies:
            assert resolve(schools.get(student.pk), competency) == policy_for(
                student=student, competency=competency, on=on
            ), (student.username, competency.code, on)


def test_many_competencies_cost_one_query(world, django_assert_num_queries):
    varied = varied_district(world)
    mixed_policies(varied, "mean", {})
    resolve = PolicyResolver(on=timezone.localdate())
    for competency in varied.competencies:
        competency.framework  # noqa: B018 — loaded, as the pages' competencies are
    with django_assert_num_queries(1):
        for competency in varied.competencies:
            resolve(world.school.pk, competency)
