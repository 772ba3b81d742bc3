"""A student's demographics (from the roster's demographics.csv) are theirs: the export holds
them, and erasure deletes them, since a birth date with sex, race and ethnicity all but
names the pseudonym."""

import io
import json
import zipfile
from datetime import date

import pytest

from proficio.audit.models import AuditEntry
from proficio.people.api import demographics_of
from proficio.people.models import Demographics
from proficio.privacy.services import student_erase, student_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def described(world):
    Demographics.objects.create(
        person=world.student,
        birth_date=date(2013, 4, 9),
        sex="female",
        asian=True,
        white=False,
        hispanic_or_latino=False,
    )
    Demographics.objects.create(person=world.classmate, birth_date=date(2013, 1, 2), sex="male")
    return world


def test_the_export_holds_the_students_demographics_and_no_one_elses(described):
    buffer = io.BytesIO()
    summary = student_export(
        actor=described.district_admin, student=described.student, destination=buffer, via="page"
    )

    archive = zipfile.ZipFile(buffer)
    table = json.loads(archive.read("tables/people_demographics.json"))
    assert table["about_the_student_through"] == ["person_id"]
    [row] = table["rows"]
    assert (row["birth_date"], row["sex"], row["asian"]) == ("2013-04-09", "female", True)
    assert summary.rows_by_table["people_demographics"] == 1
    assert any(name.startswith("readable/people/demographics") for name in archive.namelist())


def test_erasure_deletes_the_students_demographics_and_says_so(described):
    student = described.student

    erasure = student_erase(actor=described.district_admin, student=student, via="page")

    assert erasure.demographics_removed == 1
    assert demographics_of([student.pk, described.classmate.pk]).keys() == {
        described.classmate.pk
    }, "the classmate's stay"
    entry = AuditEntry.objects.get(action="student.erased")
    assert entry.data["demographics_removed"] == 1


def test_erasing_a_student_without_demographics_removes_none(world):
    erasure = student_erase(actor=world.district_admin, student=world.student, via="page")
    assert erasure.demographics_removed == 0
