"""Who opens which agency page about a student, role by role: the student, their guardian,
their teacher, their mentor and their school's admin do; a classmate, a guardian of another
child, a mentor of another student and another district's teacher do not (404)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.agency.conferences import conference_draft, conference_share
from proficio.agency.services import check_in_record, goal_write, piece_add
from proficio.people.models import Role
from proficio.people.services import guardian_link, mentorship_begin
from tests.factories import make_person

pytestmark = pytest.mark.django_db

READERS = ("student", "guardian", "teacher", "mentor", "school_admin")
STRANGERS = ("classmate", "other_guardian", "other_mentor", "other_district_teacher")


@pytest.fixture
def people(world):
    other_guardian = make_person(world.district, "otherguardian", Role.GUARDIAN, None)
    guardian_link(guardian=other_guardian, student=world.classmate)
    other_mentor = make_person(world.district, "othermentor", Role.TEACHER, world.school)
    mentorship_begin(actor=world.school_admin, mentor=other_mentor, student=world.classmate)
    mentorship_begin(actor=world.school_admin, mentor=world.other_teacher, student=world.student)
    goal = goal_write(actor=world.student, student=world.student, title="Argumentar", steps=["A"])
    check_in_record(
        mentor=world.other_teacher,
        student=world.student,
        happened_on=timezone.localdate() - timedelta(days=1),
        notes="Bien.",
    )
    piece = piece_add(
        student=world.student,
        title="Cartel",
        upload=SimpleUploadedFile("cartel.pdf", b"%PDF-1.7\n%cartel\n"),
        shared_with_family=True,
    )
    conference = conference_draft(student=world.student)
    conference_share(student=world.student, conference=conference)
    people = {
        "student": world.student,
        "guardian": world.guardian,
        "teacher": world.teacher,
        "mentor": world.other_teacher,
        "school_admin": world.school_admin,
        "classmate": world.classmate,
        "other_guardian": other_guardian,
        "other_mentor": other_mentor,
        "other_district_teacher": world.other_district_teacher,
    }
    student = world.student.uuid
    pages = [
        reverse("agency:student_goals", args=[student]),
        reverse("agency:goal", args=[goal.uuid]),
        reverse("agency:student_portfolio", args=[student]),
        reverse("agency:piece", args=[piece.uuid]),
        reverse("agency:piece_file", args=[piece.uuid]),
        reverse("agency:portfolio_download", args=[student]),
        reverse("agency:portfolio_pdf", args=[student]),
        reverse("agency:student_conferences", args=[student]),
        reverse("agency:conference", args=[conference.uuid]),
        reverse("agency:conference_present", args=[conference.uuid]),
        reverse("agency:conference_pdf", args=[conference.uuid]),
    ]
    return people, pages


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_each_role_opens_the_students_agency_pages_or_finds_nothing(people, who):
    everyone, pages = people
    client = Client()
    client.force_login(everyone[who])
    for url in pages:
        status = client.get(url).status_code
        assert status == (200 if who in READERS else 404), (who, url, status)


def test_only_the_mentor_records_a_check_in_and_only_the_student_reflects(people, world):
    everyone, _ = people
    url = reverse("agency:check_in_new", args=[world.student.uuid])
    form = {"happened_on": timezone.localdate().isoformat(), "notes": "Hola."}
    for who in ("teacher", "other_mentor", "guardian", "student", "school_admin"):
        client = Client()
        client.force_login(everyone[who])
        assert client.post(url, form).status_code == 404, who
    mentor = Client()
    mentor.force_login(everyone["mentor"])
    assert mentor.post(url, form).status_code == 302


def test_reading_a_piece_file_and_listing_mentees_leave_an_audit_entry(people, world):
    from proficio.agency.models import PortfolioPiece
    from proficio.audit.models import AuditEntry

    everyone, _ = people
    piece = PortfolioPiece.objects.get(student=world.student)
    guardian = Client()
    guardian.force_login(everyone["guardian"])
    guardian.get(reverse("agency:piece_file", args=[piece.uuid]))
    assert AuditEntry.objects.filter(
        action="student.viewed", actor=world.guardian, data__via="portfolio file"
    ).exists()
    mentor = Client()
    mentor.force_login(everyone["mentor"])
    mentor.get(reverse("agency:mentoring"))
    assert AuditEntry.objects.filter(
        action="students.listed", actor=world.other_teacher, student=world.student
    ).exists()
