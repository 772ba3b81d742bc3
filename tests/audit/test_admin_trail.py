"""The admin site's pages of students' records are in the audit trail like the app's own:
a district admin opening a rating, a mastery record or a student, listing them, or changing a
student's role or guardian there leaves the same kind of entry the pages and services do."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence, EvidenceSource
from proficio.mastery.models import MasteryRecord
from proficio.mastery.services import evidence_record
from proficio.people.models import GuardianLink, RoleAssignment
from proficio.people.services import person_grant_district_admin_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def rating(world) -> Evidence:
    rating = evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=3,
        observed_at=timezone.now() - timedelta(days=1),
        source=EvidenceSource.TASK,
    )
    AuditEntry.objects.all()._prune()
    return rating


@pytest.fixture
def admin_client(client, world, rating):
    client.force_login(person_grant_district_admin_site(person=world.district_admin))
    AuditEntry.objects.all()._prune()
    return client


def admin_url(row, page: str = "change") -> str:
    meta = row._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{page}", args=[row.pk])


def entries(action: str) -> list[tuple]:
    rows = AuditEntry.objects.filter(action=action).order_by("pk")
    return [(row.actor_id, row.student_id, row.data.get("via")) for row in rows]


@pytest.mark.parametrize(
    "row_of",
    [
        lambda world, rating: rating,
        lambda world, rating: MasteryRecord.objects.get(student=world.student, stage__ordinal=1),
        lambda world, rating: world.student,
    ],
    ids=["evidence", "mastery record", "person"],
)
def test_opening_a_students_row_records_a_view(admin_client, world, rating, row_of):
    assert admin_client.get(admin_url(row_of(world, rating))).status_code == 200
    assert entries("student.viewed") == [(world.district_admin.pk, world.student.pk, "admin")]


def test_opening_a_teacher_in_the_admin_is_no_students_record(admin_client, world):
    assert admin_client.get(admin_url(world.teacher)).status_code == 200
    assert entries("student.viewed") == []


def test_a_list_records_each_student_it_shows_once(admin_client, world, rating):
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=2,
        level=2,
        observed_at=timezone.now() - timedelta(hours=1),
        source=EvidenceSource.TASK,
    )
    AuditEntry.objects.all()._prune()
    assert admin_client.get(reverse("admin:evidence_evidence_changelist")).status_code == 200
    assert entries("students.listed") == [(world.district_admin.pk, world.student.pk, "admin")]


def test_changing_a_guardian_link_in_the_admin_is_recorded_about_the_student(admin_client, world):
    link = GuardianLink.objects.get(student=world.student)
    response = admin_client.post(
        admin_url(link),
        {"guardian": world.guardian.pk, "student": world.student.pk, "relationship": "Aunt"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (entry,) = AuditEntry.objects.filter(action="admin.changed")
    assert (entry.actor_id, entry.student_id) == (world.district_admin.pk, world.student.pk)
    assert entry.data["change"] == "changed"
    assert entry.data["model"] == "people.GuardianLink"


def test_deleting_a_students_role_in_the_admin_is_recorded(admin_client, world):
    role = RoleAssignment.objects.get(person=world.classmate)
    response = admin_client.post(admin_url(role, "delete"), {"post": "yes"})
    assert response.status_code == 302
    (entry,) = AuditEntry.objects.filter(action="admin.changed")
    assert (entry.student_id, entry.data["change"]) == (world.classmate.pk, "deleted")
