"""Whose record an admin answers for, to export or erase it: the students their school or
district serves now, and former students whose last school or district it was. A student
who moved on is no longer the old school's or district's."""

import io

import pytest

from proficio.lib.errors import NotVisible
from proficio.people.models import Person, Role, RoleAssignment
from proficio.people.permissions import keeps_records_of
from proficio.people.selectors import student_record_kept_get
from proficio.people.services import district_create, role_assign, school_create
from proficio.privacy.services import student_erase, student_export
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def move(student: Person, *, to_school) -> None:
    """A transfer: the old student roles end, the new school's begins."""
    RoleAssignment.objects.filter(person=student, role=Role.STUDENT).update(active=False)
    role_assign(person=student, role=Role.STUDENT, district=to_school.district, school=to_school)


def keepers(world, *people) -> set[str]:
    return {person.username for person in people if keeps_records_of(person, world.student)}


@pytest.fixture
def south_admin(world):
    return make_person(world.district, "southadmin", Role.SCHOOL_ADMIN, world.other_school)


@pytest.fixture
def elsewhere(world):
    district = district_create(name="Lakeside")
    school = school_create(district=district, name="Lakeside High")
    admin = make_person(district, "lakesideadmin", Role.DISTRICT_ADMIN, None)
    return school, admin


def test_a_current_student_is_their_schools_and_districts(world, south_admin):
    assert keepers(world, world.school_admin, world.district_admin, south_admin) == {
        "schooladmin",
        "districtadmin",
    }


def test_after_a_transfer_the_old_school_no_longer_answers_for_the_student(world, south_admin):
    move(world.student, to_school=world.other_school)

    assert keepers(world, world.school_admin, world.district_admin, south_admin) == {
        "districtadmin",
        "southadmin",
    }
    with pytest.raises(NotVisible):
        student_erase(actor=world.school_admin, student=world.student, via="page")
    with pytest.raises(NotVisible):
        student_export(
            actor=world.school_admin, student=world.student, destination=io.BytesIO(), via="page"
        )
    with pytest.raises(NotVisible):
        student_record_kept_get(user=world.school_admin, student_id=world.student.uuid)
    assert Person.objects.get(pk=world.student.pk).username == "student"


def test_after_a_move_to_another_district_the_old_district_no_longer_answers(world, elsewhere):
    school, lakeside_admin = elsewhere
    move(world.student, to_school=school)

    assert keepers(world, world.school_admin, world.district_admin, lakeside_admin) == {
        "lakesideadmin"
    }
    with pytest.raises(NotVisible):
        student_erase(actor=world.district_admin, student=world.student, via="page")
    student_export(
        actor=lakeside_admin, student=world.student, destination=io.BytesIO(), via="page"
    )


def test_a_student_at_two_schools_now_is_both_schools(world, south_admin):
    role_assign(
        person=world.student, role=Role.STUDENT, district=world.district, school=world.other_school
    )
    assert keepers(world, world.school_admin, south_admin) == {"schooladmin", "southadmin"}


def test_a_former_student_is_their_last_schools_and_districts(world, south_admin, elsewhere):
    school, lakeside_admin = elsewhere
    move(world.student, to_school=world.other_school)
    RoleAssignment.objects.filter(person=world.student).update(active=False)
    assert keepers(
        world, world.school_admin, world.district_admin, south_admin, lakeside_admin
    ) == {"districtadmin", "southadmin"}

    move(world.student, to_school=school)
    RoleAssignment.objects.filter(person=world.student).update(active=False)
    assert keepers(
        world, world.school_admin, world.district_admin, south_admin, lakeside_admin
    ) == {"lakesideadmin"}
