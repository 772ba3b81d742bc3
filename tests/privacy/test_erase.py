"""Erasure by request replaces a student's identity everywhere it is written, keeps their
work so counts stay right, and refuses with the reason when it would not hold."""

import pytest
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.models import MasteryRecord, MasteryRecordHistory, WorkingStage
from proficio.people.models import Enrollment, GuardianLink, Person, Role, RoleAssignment
from proficio.people.services import role_assign
from proficio.privacy.services import student_erase
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Evidence, MasteryRecord, MasteryRecordHistory, WorkingStage, Enrollment)
    }


def test_erasure_replaces_the_identity_and_keeps_the_work(client, recorded):
    student = recorded.student
    Person.objects.filter(pk=student.pk).update(email="stu@example.org")
    before = counts()

    erasure = student_erase(actor=recorded.district_admin, student=student, via="page")

    student.refresh_from_db()
    assert student.username == erasure.pseudonym
    assert erasure.pseudonym.startswith("erased-")
    assert (student.first_name, student.email, student.preferred_name) == ("Erased", "", "")
    assert not student.is_active and not student.has_usable_password()
    for username in ("student", erasure.pseudonym):
        client.post(reverse("login"), {"username": username, "password": PASSWORD})
        assert "_auth_user_id" not in client.session
    assert counts() == before  # every rating, record and enrolment row stays
    assert not Enrollment.objects.filter(student=student, active=True).exists()
    assert not RoleAssignment.objects.filter(person=student, active=True).exists()
    assert not GuardianLink.objects.filter(student=student).exists()
    assert not student.api_tokens.exists()
    assert erasure.guardian_links_removed == erasure.api_tokens_removed == 1


def test_the_audit_trail_keeps_its_entries_under_the_pseudonym(recorded):
    student = recorded.student
    named_before = AuditEntry.objects.filter(student=student).count()
    assert AuditEntry.objects.filter(student_name="Student Tester").exists()
    # The student's own self-assessment names them as the actor too.
    assert AuditEntry.objects.filter(actor=student).exists()

    erasure = student_erase(actor=recorded.district_admin, student=student, via="page")

    pseudonym = str(Person.objects.get(pk=student.pk))
    assert not AuditEntry.objects.filter(student_name="Student Tester").exists()
    assert not AuditEntry.objects.filter(actor_name="Student Tester").exists()
    assert set(AuditEntry.objects.filter(actor=student).values_list("actor_name", flat=True)) == {
        pseudonym
    }
    erased = AuditEntry.objects.get(action="student.erased")
    assert (erased.actor, erased.student, erased.student_name) == (
        recorded.district_admin,
        student,
        pseudonym,
    )
    assert erased.data["guardian_links_removed"] == 1
    # Nothing was dropped: the entries before, plus the erasure's own.
    assert AuditEntry.objects.filter(student=student).count() == named_before + 1
    assert erasure.audit_entries_renamed >= named_before


def test_a_school_admin_of_the_students_school_may_erase(recorded):
    student_erase(actor=recorded.school_admin, student=recorded.student, via="page")
    assert not Person.objects.get(pk=recorded.student.pk).is_active


@pytest.mark.parametrize("who", ["teacher", "guardian", "student", "other_district_teacher"])
def test_nobody_else_may_erase(recorded, who):
    with pytest.raises(NotVisible):
        student_erase(actor=getattr(recorded, who), student=recorded.student, via="page")
    assert Person.objects.get(pk=recorded.student.pk).username == "student"


def test_another_schools_admin_may_not_erase(world):
    with pytest.raises(NotVisible):
        student_erase(actor=world.school_admin, student=world.far_student, via="page")


def test_a_former_student_is_still_theirs_to_erase(world):
    RoleAssignment.objects.filter(person=world.far_student).update(active=False)
    student_erase(actor=world.district_admin, student=world.far_student, via="page")
    assert Person.objects.get(pk=world.far_student.pk).first_name == "Erased"


def refusal(world, student) -> str:
    with pytest.raises(InvalidInput) as refused:
        student_erase(actor=world.district_admin, student=student, via="page")
    return refused.value.errors["student"]


def test_erasure_refuses_a_student_who_is_also_staff(world):
    role_assign(
        person=world.student, role=Role.TEACHER, district=world.district, school=world.school
    )
    assert "also a teacher" in refusal(world, world.student)
    assert Person.objects.get(pk=world.student.pk).username == "student"


def test_erasure_refuses_a_student_the_roster_still_lists(world):
    Person.objects.filter(pk=world.student.pk).update(sourced_id="sis-123")
    world.student.refresh_from_db()
    assert "roster" in refusal(world, world.student)


def test_erasure_refuses_twice_and_a_refusal_changes_nothing(world):
    student_erase(actor=world.district_admin, student=world.student, via="page")
    entries = AuditEntry.objects.count()
    assert "already been erased" in refusal(world, Person.objects.get(pk=world.student.pk))
    assert AuditEntry.objects.count() == entries
