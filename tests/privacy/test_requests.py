"""The student data requests page: an admin finds a student they answer for, current or
former, by name, username or id, and opens their data page."""

import pytest
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.people.models import Role, RoleAssignment
from proficio.people.services import role_assign
from proficio.privacy.services import student_erase
from tests.factories import make_person

pytestmark = pytest.mark.django_db

URL = reverse("privacy:requests")


def listed(client, who, **query) -> list[str]:
    client.force_login(who)
    page = client.get(URL, query)
    assert page.status_code == 200
    return [student.username for student in page.context["page"].object_list]


def test_the_district_admin_finds_current_and_former_students_of_their_district(client, world):
    RoleAssignment.objects.filter(person=world.far_student).update(active=False)
    assert listed(client, world.district_admin) == [
        "classmate",
        "farstudent",
        "otherstudent",
        "student",
    ]
    page = client.get(URL)
    assert reverse("privacy:student", args=[world.far_student.uuid]) in page.content.decode()
    assert "Former" in page.content.decode()


def test_a_school_admin_finds_their_schools_students_only(client, world):
    assert listed(client, world.school_admin) == ["classmate", "otherstudent", "student"]
    # A student who moved to the other school is no longer theirs.
    RoleAssignment.objects.filter(person=world.student).update(active=False)
    role_assign(
        person=world.student, role=Role.STUDENT, district=world.district, school=world.other_school
    )
    assert listed(client, world.school_admin) == ["classmate", "otherstudent"]


def test_search_by_name_username_or_id(client, world):
    assert listed(client, world.district_admin, q="far") == ["farstudent"]
    assert listed(client, world.district_admin, q="classmate TESTER") == ["classmate"]
    assert listed(client, world.district_admin, q=str(world.far_student.pk)) == ["farstudent"]
    assert listed(client, world.district_admin, q=str(world.far_student.uuid)) == ["farstudent"]
    assert listed(client, world.district_admin, q="elsewherestudent") == []


def test_an_erased_student_is_found_by_their_pseudonym(client, world):
    erasure = student_erase(actor=world.district_admin, student=world.student, via="page")
    assert listed(client, world.district_admin, q=erasure.pseudonym) == [erasure.pseudonym]


def test_twenty_students_a_page(client, world):
    for number in range(20):
        make_person(world.district, f"pupil{number:02}", Role.STUDENT, world.school)
    assert len(listed(client, world.district_admin)) == 20
    assert len(listed(client, world.district_admin, page=2)) == 4


def test_the_students_shown_are_recorded_as_listed(client, world):
    shown = listed(client, world.school_admin, q="mate")
    entries = AuditEntry.objects.filter(action="students.listed", actor=world.school_admin)
    assert [entry.student.username for entry in entries] == shown == ["classmate"]
    assert entries.get().data == {"page": "student data requests"}


@pytest.mark.parametrize(
    ("who", "linked"), [("district_admin", True), ("school_admin", True), ("teacher", False)]
)
def test_the_admins_homes_link_to_it(client, world, who, linked):
    client.force_login(getattr(world, who))
    assert (URL in client.get(reverse("home")).content.decode()) is linked
