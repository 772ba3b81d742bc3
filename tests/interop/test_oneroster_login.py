"""A teacher whose password came in the roster signs in through the API and sees exactly the
students of their classes."""

import pytest

from proficio.interop.oneroster.writer import import_oneroster
from tests.api.client import Api
from tests.interop.oneroster_support import PACKAGE_1_1, PACKAGE_1_2, TEACHER_1_1, TEACHER_1_2

pytestmark = pytest.mark.django_db

CLASS_STUDENTS = {
    "1.1": {  # Math 7 — Period 1 and Integrated Science — Period 3
        "mateo.alvarez",
        "liam.oconnor",
        "ava.nguyen",
        "kai.nakamura",
        "noah.patel",
        "chloe.dubois",
    },
    "1.2": {  # Algebra II — Block A and Biology Lab
        "alexander.lowe",
        "grace.lowe",
        "mia.reyes",
        "katherine.obrien",
        "jonah.fischer",
        "amani.carter",
    },
}


def sign_in(username: str, password: str):
    return Api().post("/auth/token", {"username": username, "password": password})


@pytest.mark.parametrize(
    ("package", "teacher", "version"),
    [(PACKAGE_1_1, TEACHER_1_1, "1.1"), (PACKAGE_1_2, TEACHER_1_2, "1.2")],
    ids=["1.1", "1.2"],
)
def test_the_teacher_signs_in_with_the_roster_password_and_sees_their_students(
    world, package, teacher, version
):
    import_oneroster(package)
    username, password = teacher

    response = sign_in(username, password)
    assert response.status_code == 200, response.content
    api = Api(response.json()["token"])

    students = api.get("/students", limit=500).json()
    assert {item["username"] for item in students["items"]} == CLASS_STUDENTS[version]
    assert students["count"] == len(CLASS_STUDENTS[version])
    assert api.get(f"/students/{world.student.uuid}/mastery").status_code == 404


def test_people_without_a_password_in_the_roster_cannot_sign_in_yet():
    import_oneroster(PACKAGE_1_1)

    for username in ("dkim", "mateo.alvarez", "malvarez"):
        for guess in ("", "password", username, TEACHER_1_1[1]):
            assert sign_in(username, guess).status_code in (400, 401)


def test_a_second_import_keeps_a_password_the_teacher_has_changed():
    import_oneroster(PACKAGE_1_1)
    username, password = TEACHER_1_1
    from proficio.people.models import Person

    teacher = Person.objects.get(username=username)
    teacher.set_password("a-new-passphrase-of-her-own")
    teacher.save()

    import_oneroster(PACKAGE_1_1)

    assert sign_in(username, "a-new-passphrase-of-her-own").status_code == 200
    assert sign_in(username, password).status_code == 401
