"""Flexible groups: suggested by working stage across sections and ages, formed by a teacher;
the group's teachers see and rate its students and no others; history is kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.services import evidence_record
from proficio.pathways.groups import group_write, groups_suggested
from proficio.people.models import GroupMembership
from proficio.people.permissions import serves_as_staff
from proficio.people.services import section_enroll

pytestmark = pytest.mark.django_db


def stage_one(world):
    return world.competency.stages.get(ordinal=1)


def rate(world, rater, student):
    return evidence_record(
        assessor=rater,
        student=student,
        competency=world.competency,
        stage=1,
        level=Decimal(2),
        observed_at=timezone.now() - timedelta(days=1),
        source="observation",
    )


def test_the_groups_teachers_see_and_rate_its_students_and_no_others(world):
    assert not serves_as_staff(world.other_teacher, world.student)
    group = group_write(
        actor=world.teacher,
        stage=stage_one(world),
        name="Reasons, stage 1",
        students=[world.student],
        teachers=[world.other_teacher],
    )
    assert serves_as_staff(world.other_teacher, world.student)
    assert not serves_as_staff(world.other_teacher, world.classmate)
    assert rate(world, world.other_teacher, world.student).assessor == world.other_teacher
    with pytest.raises(NotVisible):
        rate(world, world.other_teacher, world.classmate)

    group_write(
        actor=world.teacher,
        stage=stage_one(world),
        name="Reasons, stage 1",
        students=[world.classmate],
        teachers=[world.other_teacher],
        group=group,
    )
    assert not serves_as_staff(world.other_teacher, world.student)
    left = GroupMembership.objects.get(student=world.student)
    assert left.left_at is not None  # the history stays


def test_a_teacher_groups_only_students_they_serve(world):
    with pytest.raises(NotVisible):
        group_write(
            actor=world.teacher, stage=stage_one(world), name="x", students=[world.other_student]
        )
    with pytest.raises(InvalidInput):
        group_write(actor=world.teacher, stage=stage_one(world), name="", students=[])


def test_a_colleague_not_among_its_teachers_cannot_change_it(world):
    group = group_write(
        actor=world.teacher, stage=stage_one(world), name="G", students=[world.student]
    )
    with pytest.raises(NotVisible):
        group_write(
            actor=world.other_teacher, stage=stage_one(world), name="G", students=[], group=group
        )


def test_suggestions_group_students_at_the_same_stage_across_sections(world):
    section_enroll(section=world.other_section, student=world.student)  # two sections
    for student in (world.student, world.classmate, world.other_student):
        for days in (1, 2, 3):
            evidence_record(
                assessor=world.school_admin,
                student=student,
                competency=world.competency,
                stage=1,
                level=Decimal(1),
                observed_at=timezone.now() - timedelta(days=days),
                source="observation",
            )
    suggested, left_out = groups_suggested(user=world.school_admin, competency=world.competency)
    students = {s.pk for group in suggested for s in group.students}
    assert {world.student.pk, world.classmate.pk, world.other_student.pk} <= students | {
        s.pk for s in left_out
    }
    for group in suggested:
        assert len({group.stage.pk}) == 1 and 3 <= len(group.students) <= 6


def test_the_groups_page(world):
    client = Client()
    client.force_login(world.teacher)
    response = client.post(
        reverse("pathways:groups"),
        {
            "stage": stage_one(world).pk,
            "name": "Tuesday group",
            "students": [str(world.student.uuid), str(world.classmate.uuid)],
            "days": [str(timezone.localdate().weekday())],
            "meets": "Today, 10:00",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("pathways:groups")).content.decode()
    assert "Tuesday group" in page
    today = client.get(reverse("pathways:today")).content.decode()
    assert "Tuesday group" in today
    student = Client()
    student.force_login(world.student)
    assert student.get(reverse("pathways:groups")).status_code == 404


def test_a_groups_teacher_adjusts_it_and_ends_it(world):
    group = group_write(
        actor=world.teacher, stage=stage_one(world), name="G", students=[world.student]
    )
    client = Client()
    client.force_login(world.teacher)
    address = reverse("pathways:group", args=[group.uuid])
    assert world.student.display_name in client.get(address).content.decode()
    client.post(
        address,
        {
            "name": "G renamed",
            "students": [str(world.student.uuid), str(world.classmate.uuid)],
            "teachers": [str(world.other_teacher.uuid)],
            "days": ["1"],
        },
    )
    group.refresh_from_db()
    assert group.group.name == "G renamed" and group.weekdays == {1}
    assert serves_as_staff(world.other_teacher, world.classmate)
    other = Client()
    other.force_login(world.other_teacher)
    assert other.get(address).status_code == 200  # now one of its teachers
    outsider = Client()
    outsider.force_login(world.school_admin)
    assert outsider.get(address).status_code == 404
    client.post(address, {"disband": "1"})
    assert not serves_as_staff(world.other_teacher, world.classmate)
    assert GroupMembership.objects.filter(left_at__isnull=False).count() == 2
