"""Who sees which students: one test per rule, deny by default."""

import pytest

from proficio.people.selectors import students_visible_to

pytestmark = pytest.mark.django_db


def visible(user) -> set[str]:
    return set(students_visible_to(user).values_list("username", flat=True))


def test_teacher_sees_only_the_students_of_sections_they_teach(world):
    assert visible(world.teacher) == {"student", "classmate"}


def test_student_sees_only_themself(world):
    assert visible(world.student) == {"student"}


def test_guardian_sees_only_their_own_children(world):
    assert visible(world.guardian) == {"student"}


def test_school_admin_sees_their_school(world):
    assert visible(world.school_admin) == {"student", "classmate", "otherstudent"}


def test_district_admin_sees_the_district_and_nothing_beyond(world):
    assert visible(world.district_admin) == {"student", "classmate", "otherstudent", "farstudent"}


def test_a_person_without_roles_sees_nobody(world):
    from proficio.people.services import person_create
    from tests.factories import PASSWORD

    nobody = person_create(
        district=world.district, username="nobody", first_name="N", last_name="B", password=PASSWORD
    )
    assert visible(nobody) == set()


def test_deactivated_role_grants_nothing(world):
    world.teacher.roles.update(active=False)
    assert visible(world.teacher) == set()
