"""Who may correct (supersede) a rating: its own assessor, an admin of the student's school or
district, or a student their own self-assessment. Nobody replaces another person's judgement.

The security test found a student replacing their teacher's rating with a self-assessment
(201, the stage fell from mastered to not mastered, and the teacher could no longer correct it).
"""

import pytest

from proficio.evidence.models import Evidence
from proficio.mastery.permissions import can_correct, correctable_evidence_q
from proficio.people.services import section_create, section_enroll
from tests.api.client import Api, rating, token_for

pytestmark = pytest.mark.django_db


def as_(person) -> Api:
    return Api(token_for(person.username))


@pytest.fixture
def teachers_rating(world) -> dict:
    response = as_(world.teacher).post("/evidence", rating(world, level=4))
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def co_teacher(world):
    """Another teacher of the same student, in a second section."""
    section = section_create(school=world.school, name="Studio D", teachers=[world.other_teacher])
    section_enroll(section=section, student=world.student)
    return world.other_teacher


def test_a_student_cannot_replace_their_teachers_rating_with_a_self_assessment(
    world, teachers_rating
):
    attempt = as_(world.student).post(
        "/evidence", rating(world, source="self", level=1, supersedes=teachers_rating["id"])
    )
    assert attempt.status_code == 400
    assert set(attempt.json()["errors"]) == {"supersedes"}
    assert Evidence.objects.count() == 1
    # The teacher can still correct their own rating.
    fixed = as_(world.teacher).post(
        "/evidence", rating(world, level=3, supersedes=teachers_rating["id"])
    )
    assert fixed.status_code == 201


def test_a_student_corrects_their_own_self_assessment(world):
    own = as_(world.student).post("/evidence", rating(world, source="self", level=2)).json()
    fixed = as_(world.student).post(
        "/evidence", rating(world, source="self", level=3, supersedes=own["id"])
    )
    assert fixed.status_code == 201


def test_a_teacher_cannot_replace_a_students_self_assessment(world):
    own = as_(world.student).post("/evidence", rating(world, source="self", level=2)).json()
    attempt = as_(world.teacher).post("/evidence", rating(world, level=4, supersedes=own["id"]))
    assert attempt.status_code == 400
    assert set(attempt.json()["errors"]) == {"supersedes"}


def test_one_teacher_cannot_replace_another_teachers_rating(world, teachers_rating, co_teacher):
    attempt = as_(co_teacher).post(
        "/evidence", rating(world, level=1, supersedes=teachers_rating["id"])
    )
    assert attempt.status_code == 400
    # Rating the student afresh is still theirs to do.
    assert as_(co_teacher).post("/evidence", rating(world, level=1)).status_code == 201


@pytest.mark.parametrize("admin", ["school_admin", "district_admin"])
def test_an_admin_of_the_students_school_corrects_any_rating(world, teachers_rating, admin):
    fixed = as_(getattr(world, admin)).post(
        "/evidence", rating(world, level=2, supersedes=teachers_rating["id"])
    )
    assert fixed.status_code == 201


def test_a_teacher_who_no_longer_serves_the_student_cannot_correct(world, teachers_rating):
    world.section.teachingassignment_set.update(active=False)
    attempt = as_(world.teacher).post(
        "/evidence", rating(world, level=2, supersedes=teachers_rating["id"])
    )
    assert attempt.status_code == 404  # the student is out of the teacher's reach altogether


def test_the_check_and_the_filter_agree(world, teachers_rating, co_teacher):
    evidence = Evidence.objects.get(uuid=teachers_rating["id"])
    people = [
        world.teacher,
        co_teacher,
        world.student,
        world.classmate,
        world.guardian,
        world.school_admin,
        world.district_admin,
        world.other_district_teacher,
    ]
    for person in people:
        listed = Evidence.objects.filter(correctable_evidence_q(person), pk=evidence.pk).exists()
        assert can_correct(person, evidence) is listed, person.username
    allowed = {p.username for p in people if can_correct(p, evidence)}
    assert allowed == {"teacher", "schooladmin", "districtadmin"}
