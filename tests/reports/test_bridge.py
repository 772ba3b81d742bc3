"""The age-grade bridge (issue 16, item 4): each student's standing against the stage typical
for their age-grade, worked out by hand; who opens a school's and a section's bridge; the
state export's columns and rows, the same students the page covers; and a constant number of
queries as a school grows."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from proficio.audit.models import AuditEntry
from proficio.engine.pace import StageGrade
from proficio.frameworks.models import Stage, Standard
from proficio.mastery.api import WorkingPlace, evidence_record
from proficio.people.models import Person, Role
from proficio.people.services import section_enroll
from proficio.reports.bridge import (
    COMPLETED,
    NO_AGE_GRADE,
    NO_TYPICAL_GRADES,
    NOT_PLACED,
    NOT_RATED,
    PLACED,
    STATE_COLUMNS,
    BridgeCompetency,
    grade_code,
    standing_of,
)
from tests.factories import make_competency, make_person
from tests.mastery.varied import policy

BRIDGE = reverse("reports:bridge")
HEADER = [
    "student_sourced_id",
    "state_student_id",
    "proficio_student_id",
    "school_sourced_id",
    "grade",
    "framework_code",
    "competency_code",
    "competency_case_identifier",
    "typical_stage",
    "working_stage",
    "status",
    "difference",
    "as_of_date",
]


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def section_url(section) -> str:
    return reverse("reports:bridge_section", args=[section.uuid])


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# ---- the standing, by hand ---------------------------------------------------------------------

# Five stages typical for grades 2, 4, 6, 8 and 10.
FIVE = BridgeCompetency(competency=None, stages=tuple(StageGrade(n, 2 * n) for n in range(1, 6)))


def placed(ordinal: int) -> WorkingPlace:
    return WorkingPlace(ordinal=ordinal, completed=False, established=True)


def test_a_student_two_stages_ahead_of_the_stage_typical_for_grade_four():
    standing = standing_of(FIVE, 4, placed(4))
    assert standing.typical_stage == 2
    assert standing.working_stage == 4
    assert (standing.status, standing.difference) == (PLACED, 2)
    assert standing.words == "2 stages ahead of typical for grade 4"
    assert standing.signed == "+2"


def test_at_and_below_the_typical_stage():
    at = standing_of(FIVE, 6, placed(3))
    assert (at.difference, at.words) == (0, "At the stage typical for grade 6")
    below = standing_of(
        FIVE, 7, placed(2)
    )  # grade 7: stage 4 (typical for 8) is the first at or above
    assert (below.typical_stage, below.difference) == (4, -2)
    assert below.words == "2 stages below typical for grade 7"
    assert below.signed == "\u22122"


def test_every_stage_mastered_counts_one_past_the_last():
    done = WorkingPlace(ordinal=None, completed=True, established=True)
    assert (standing_of(FIVE, 10, done).status, standing_of(FIVE, 10, done).difference) == (
        COMPLETED,
        1,
    )
    # Grade 11 lies past the trajectory: every stage is expected mastered.
    past = standing_of(FIVE, 11, done)
    assert (past.typical_stage, past.difference) == (None, 0)
    assert past.words == "Every stage mastered, as typical by grade 11"
    assert standing_of(FIVE, 11, placed(5)).difference == -1


def test_no_difference_without_an_age_grade_typical_grades_or_a_placed_stage():
    assert standing_of(FIVE, None, placed(2)).status == NO_AGE_GRADE
    assert standing_of(FIVE, 4, None).status == NOT_RATED
    unplaced = WorkingPlace(ordinal=1, completed=False, established=False)
    assert standing_of(FIVE, 4, unplaced).status == NOT_PLACED
    gaps = BridgeCompetency(competency=None, stages=(StageGrade(1, 2), StageGrade(2, None)))
    assert standing_of(gaps, 4, placed(1)).status == NO_TYPICAL_GRADES
    for status in (NO_AGE_GRADE, NOT_RATED, NOT_PLACED):
        assert standing_of(FIVE, 4 if status != NO_AGE_GRADE else None, None).difference is None


def test_grades_in_ceds_codes():
    assert [grade_code(g) for g in (None, -1, 0, 3, 12)] == ["", "PK", "KG", "03", "12"]


# ---- a school ----------------------------------------------------------------------------------


def rate(world, student, stage, level=3, assessor=None, days_ago=3):
    return evidence_record(
        assessor=assessor or world.teacher,
        student=student,
        competency=world.competency,
        stage=stage,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=days_ago),
        source="observation",
    )


@pytest.fixture
def graded(world):
    """W1's three stages are typical for grades 3, 4 and 5. The student (grade 3) has
    mastered stages 1 and 2 and works at stage 3; the classmate (grade 4) works at stage 1,
    rated there; the far student (grade 5, another school) has no rating."""
    policy(world, "latest", minimum_evidence=1)
    for ordinal, grade in ((1, 3), (2, 4), (3, 5)):
        Stage.objects.filter(competency=world.competency, ordinal=ordinal).update(
            typical_grade=grade
        )
    for person, grade, sourced in (
        (world.student, 3, "stu-1"),
        (world.classmate, 4, "stu-2"),
        (world.other_student, None, ""),
        (world.far_student, 5, "stu-9"),
    ):
        Person.objects.filter(pk=person.pk).update(age_grade=grade, sourced_id=sourced)
    world.school.sourced_id = "sch-north"
    world.school.save(update_fields=["sourced_id"])
    rate(world, world.student, 1)
    rate(world, world.student, 2)
    rate(world, world.classmate, 1, level=2)
    rate(world, world.other_student, 1, assessor=world.other_teacher)
    return world


def test_a_section_bridge_places_each_student_against_their_grade(graded):
    page = client_for(graded.teacher).get(section_url(graded.section))
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 stages ahead of typical for grade 3" in text  # stage 3, typical stage 1
    assert "1 stage below typical for grade 4" in text  # stage 1, typical stage 2
    assert "Otherstudent" not in text  # not in this section


def test_the_state_export_has_the_documented_columns_and_a_row_per_student_and_competency(graded):
    second = make_competency(graded.framework, "W2")
    Standard.objects.create(
        framework=graded.framework,
        identifier=(identifier := uuid4()),
        full_statement="Write arguments.",
        competency=graded.competency,
    )
    rows = csv_rows(client_for(graded.teacher).get(section_url(graded.section) + "?format=csv"))
    assert rows[0] == HEADER == [column.name for column in STATE_COLUMNS]
    today = timezone.localdate().isoformat()
    body = {(row[2], row[6]): row for row in rows[1:]}
    assert len(rows) - 1 == 2 * 2 == len(body)
    student = body[str(graded.student.uuid), "W1"]
    assert student == [
        "stu-1",
        "",
        str(graded.student.uuid),
        "sch-north",
        "03",
        "WR",
        "W1",
        str(identifier),
        "1",
        "3",
        PLACED,
        "2",
        today,
    ]
    assert body[str(graded.classmate.uuid), "W1"][8:12] == ["2", "1", PLACED, "-1"]
    # W2 has no typical grades, and no ratings.
    assert body[str(graded.student.uuid), second.code][7:12] == [
        "",
        "",
        "",
        NO_TYPICAL_GRADES,
        "",
    ]


def test_the_school_bridge_for_its_admins_with_every_student_of_the_school(graded):
    response = client_for(graded.school_admin).get(BRIDGE + "?format=csv")
    ids = {row[2] for row in csv_rows(response)[1:]}
    assert ids == {str(s.uuid) for s in (graded.student, graded.classmate, graded.other_student)}
    other = csv_rows(
        client_for(graded.district_admin).get(
            BRIDGE + f"?school={graded.other_school.uuid}&format=csv"
        )
    )
    assert [(row[2], row[4], row[10]) for row in other[1:]] == [
        (str(graded.far_student.uuid), "05", NOT_RATED)
    ]
    no_grade = next(
        row for row in csv_rows(response)[1:] if row[2] == str(graded.other_student.uuid)
    )
    assert (no_grade[4], no_grade[9], no_grade[10]) == ("", "2", NO_AGE_GRADE)


def test_the_export_and_the_page_cover_the_same_students_every_page_of_them(graded):
    from proficio.reports import bridge_views

    page_size = bridge_views.PAGE_SIZE
    bridge_views.PAGE_SIZE = 2
    try:
        client = client_for(graded.school_admin)
        shown = set()
        for number in (1, 2):
            page = client.get(BRIDGE + f"?page={number}").content.decode()
            shown |= {
                s.display_name
                for s in (graded.student, graded.classmate, graded.other_student)
                if s.display_name in page
            }
        assert len(shown) == 3
        exported = {row[2] for row in csv_rows(client.get(BRIDGE + "?page=2&format=csv"))[1:]}
        assert len(exported) == 3
    finally:
        bridge_views.PAGE_SIZE = page_size


def test_the_summary_counts_students_by_distance_and_downloads(graded):
    client = client_for(graded.school_admin)
    rows = csv_rows(client.get(BRIDGE + "?table=summary&format=csv"))
    assert rows[0][:3] == ["Competency", "Students", "2 or more below"]
    # Of three students: the student 2 ahead, the classmate 1 below, one without a grade.
    assert rows[1] == ["W1 Competency W1", "3", "0", "1", "0", "0", "1", "0", "1"]
    xlsx = client.get(BRIDGE + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in next(sheet.iter_rows())] == HEADER
    assert sheet.max_row == 1 + 3


def test_the_page_and_the_export_record_the_students_listed(graded):
    client = client_for(graded.teacher)
    client.get(section_url(graded.section))
    client.get(section_url(graded.section) + "?format=csv")
    listed = AuditEntry.objects.filter(action="students.listed", actor=graded.teacher)
    assert listed.count() == 4
    assert {entry.data.get("export") for entry in listed} == {None, "csv"}


# ---- who opens which ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 200),
        ("school_admin", 200),
        ("district_admin", 200),
        ("other_teacher", 404),
        ("other_district_teacher", 404),
        ("student", 404),
        ("guardian", 404),
    ],
)
def test_who_opens_a_sections_bridge_and_its_export(world, role, status):
    client = client_for(getattr(world, role))
    assert client.get(section_url(world.section)).status_code == status
    assert client.get(section_url(world.section) + "?format=csv").status_code == status
    assert client.get(section_url(world.section) + "?format=xlsx").status_code == status


@pytest.mark.parametrize(
    ("role", "status", "template"),
    [
        ("district_admin", 200, "reports/bridge.html"),
        ("school_admin", 200, "reports/bridge.html"),
        ("teacher", 200, "reports/bridge_sections.html"),
        ("other_district_teacher", 200, "reports/bridge_sections.html"),
        ("student", 404, None),
        ("guardian", 404, None),
    ],
)
def test_who_opens_the_bridge_page(world, role, status, template):
    response = client_for(getattr(world, role)).get(BRIDGE)
    assert response.status_code == status
    if template:
        assert template in [t.name for t in response.templates]


def test_a_teacher_finds_their_sections_and_no_school(world):
    client = client_for(world.teacher)
    page = client.get(BRIDGE).content.decode()
    assert section_url(world.section) in page and section_url(world.other_section) not in page
    assert client.get(BRIDGE + f"?school={world.school.uuid}").status_code == 404
    assert client.get(BRIDGE + f"?school={world.school.uuid}&format=csv").status_code == 404


def test_a_school_admin_reads_only_their_school(world):
    client = client_for(world.school_admin)
    assert client.get(BRIDGE + f"?school={world.other_school.uuid}").status_code == 404
    assert client.get(BRIDGE + f"?school={world.other_school.uuid}&format=csv").status_code == 404
    other_district = client_for(world.other_district_teacher)
    assert other_district.get(section_url(world.section) + "?format=csv").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in_and_posts_are_refused(world):
    for url in (BRIDGE, section_url(world.section)):
        response = Client().get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
        assert client_for(world.teacher).post(url).status_code == 405


# ---- constant queries as a school grows --------------------------------------------------------


def _grow(world, extra: int) -> None:
    for n in range(extra):
        student = make_person(world.district, f"extra{n}", Role.STUDENT, world.school)
        Person.objects.filter(pk=student.pk).update(age_grade=3 + n % 3)
        section_enroll(section=world.section, student=student)
        rate(world, student, 1 + n % 3)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["teacher", "school_admin"])
def test_the_queries_do_not_grow_with_the_school(graded, who):
    make_competency(graded.framework, "W2")
    client = client_for(getattr(graded, who))
    url = section_url(graded.section) if who == "teacher" else BRIDGE
    client.get(url)  # the session's first request reads more (the sign-in's bookkeeping)
    small = (_queries(client, url), _queries(client, url + "?format=csv"))
    _grow(graded, 12)
    large = (_queries(client, url), _queries(client, url + "?format=csv"))
    assert small == large
