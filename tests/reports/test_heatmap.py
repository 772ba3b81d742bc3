"""The class heatmap: each cell is the stage worked at and how many stages that is from the
stage expected for the student's age-grade, coloured by that distance (with the school's
tolerance), for the section's teachers and admins only, with its export, in as many queries
for 25 students as for 5."""

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.engine.pace import StageGrade
from proficio.evidence.models import Evidence
from proficio.frameworks.data import StageSpec
from proficio.frameworks.models import CompetencyKind
from proficio.frameworks.services import competency_create
from proficio.mastery.api import WorkingPlace
from proficio.mastery.models import PaceExpectation
from proficio.mastery.services import evidence_record, recompute_run_begin, recompute_run_execute
from proficio.people.models import Enrollment, Person, Role, RoleAssignment
from proficio.reports.dashboard_heatmap import (
    AHEAD_1,
    AHEAD_2,
    BEHIND_1,
    BEHIND_2,
    NO_RATING,
    ON_PACE,
    UNKNOWN,
    heat_cell,
    section_heatmap,
)
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db

GRADES = [StageGrade(n, n + 2) for n in range(1, 6)]  # stage 1 typical for grade 3 … 5 for 7


def graded(world, code="G1", stages=5):
    """A competency whose stage n is typical for grade n + 2."""
    return competency_create(
        framework=world.framework,
        code=code,
        title=f"Graded {code}",
        kind=CompetencyKind.ACADEMIC,
        stages=[StageSpec(f"Stage {n}", typical_grade=n + 2) for n in range(1, stages + 1)],
    )


def rate(world, student, competency, stage, level, days_ago=1, assessor=None):
    evidence_record(
        assessor=assessor or world.teacher,
        student=student,
        competency=competency,
        stage=stage,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=days_ago),
        source="observation",
    )


def aged(person, grade):
    Person.objects.filter(pk=person.pk).update(age_grade=grade)
    person.refresh_from_db()
    return person


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def place(ordinal, *, established=True):
    return WorkingPlace(ordinal=ordinal, completed=ordinal is None, established=established)


# ---- a cell ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ordinal", "grade", "tolerance", "bucket", "offset"),
    [
        (3, 5, 0, ON_PACE, 0),  # stage 3 is typical for grade 5
        (4, 5, 0, AHEAD_1, 1),
        (5, 5, 0, AHEAD_2, 2),
        (2, 5, 0, BEHIND_1, -1),
        (1, 5, 0, BEHIND_2, -2),
        (2, 5, 1, ON_PACE, -1),  # one below counts as on pace at a school that says so
        (1, 5, 1, BEHIND_1, -2),
        (1, 7, 1, BEHIND_2, -4),
        (None, 7, 0, AHEAD_1, 1),  # every stage mastered: one past stage 5, expected at 7
        (5, 9, 0, BEHIND_1, -1),  # past the last stage's grade: every stage is expected
        (1, 1, 0, ON_PACE, 0),  # below the first stage's grade: the first stage
    ],
)
def test_a_cell_is_the_distance_in_stages_from_the_expected_stage(
    ordinal, grade, tolerance, bucket, offset
):
    cell = heat_cell(place=place(ordinal), grades=GRADES, age_grade=grade, tolerance=tolerance)
    assert (cell.bucket, cell.offset) == (bucket, offset)
    assert cell.stage == ("✓" if ordinal is None else f"S{ordinal}")


def test_a_cell_says_why_when_pace_is_not_known():
    no_grade = heat_cell(place=place(2), grades=GRADES, age_grade=None, tolerance=0)
    unplaced = heat_cell(place=place(1, established=False), grades=GRADES, age_grade=5, tolerance=0)
    untyped = heat_cell(
        place=place(2), grades=[StageGrade(1, 3), StageGrade(2, None)], age_grade=4, tolerance=0
    )
    nothing = heat_cell(place=None, grades=GRADES, age_grade=5, tolerance=0)
    assert [c.bucket for c in (no_grade, unplaced, untyped)] == [UNKNOWN] * 3
    assert "no age-grade" in no_grade.title
    assert "do not place" in unplaced.title
    assert "typical grade" in untyped.title
    assert (nothing.bucket, nothing.stage, nothing.offset) == (NO_RATING, "–", None)
    assert {c.offset_text for c in (no_grade, unplaced, untyped, nothing)} == {""}


def test_the_words_of_a_cell():
    cell = heat_cell(place=place(2), grades=GRADES, age_grade=6, tolerance=0, stalled=True)
    assert cell.title == (
        "Working at stage 2; stage 4 is expected at grade 6: 2 stages behind. "
        "Stalled: no new stage for weeks, recent work below mastery."
    )
    assert cell.offset_text == "−2" and cell.stalled


# ---- the section -------------------------------------------------------------------------------


@pytest.fixture
def rated(world):
    """Latest rating, one enough. The student (grade 5) works at stage 4, one ahead; the
    classmate (grade 6) at stage 2, two behind and stalled."""
    policy(world, "latest", minimum_evidence=1)
    competency = graded(world)
    aged(world.student, 5)
    aged(world.classmate, 6)
    for stage in (1, 2, 3):
        rate(world, world.student, competency, stage, 3, days_ago=10 - stage)
    rate(world, world.classmate, competency, 1, 3, days_ago=90)
    for days_ago in (70, 20, 10):
        rate(world, world.classmate, competency, 2, 2, days_ago=days_ago)
    return world, competency


def test_the_heatmap_of_a_section(rated):
    world, competency = rated
    heatmap = section_heatmap(user=world.teacher, section=world.section)
    assert [s.pk for s in heatmap.students] == [world.classmate.pk, world.student.pk]  # by name
    assert [c.code for c in heatmap.competencies] == ["W1", "G1"]
    mine = heatmap.cells[world.student.pk, competency.pk]
    theirs = heatmap.cells[world.classmate.pk, competency.pk]
    assert (mine.bucket, mine.stage, mine.offset, mine.stalled) == (AHEAD_1, "S4", 1, False)
    assert (theirs.bucket, theirs.stage, theirs.offset, theirs.stalled) == (
        BEHIND_2,
        "S2",
        -2,
        True,
    )
    # W1's stages have no typical grade and nobody is rated there.
    assert heatmap.cells[world.student.pk, world.competency.pk].bucket == NO_RATING
    assert heatmap.bucket_counts()[BEHIND_2] == 1


def test_the_school_tolerance_colours_a_cell_on_pace_and_keeps_its_number(rated):
    world, competency = rated
    PaceExpectation.objects.create(
        district=world.district, school=world.school, stages_below_on_pace=2
    )
    heatmap = section_heatmap(user=world.teacher, section=world.section)
    theirs = heatmap.cells[world.classmate.pk, competency.pk]
    assert (theirs.bucket, theirs.offset) == (ON_PACE, -2)
    assert "(on pace at this school)" in theirs.title
    assert [item.label for item in heatmap.legend][2] == (
        "At the expected stage, or up to 2 below (on pace at this school)"
    )


def test_the_page_shows_each_cell_with_its_words_and_a_legend(rated):
    world, _competency = rated
    page = signed_in(world.teacher).get(reverse("reports:heatmap", args=[world.section.uuid]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="heat heat--ahead-1"' in html and "S4" in html and "+1" in html
    assert 'class="heat heat--behind-2"' in html and "−2" in html and "‖" in html
    assert "2 or more stages ahead" in html and "No rating yet" in html
    assert reverse("mastery:gradebook", args=[world.section.uuid]) in html
    entry = AuditEntry.objects.filter(actor=world.teacher, action="students.listed").last()
    assert entry.data["page"] == "heatmap"


def test_the_gradebook_links_to_the_heatmap(rated):
    world, _competency = rated
    page = signed_in(world.teacher).get(reverse("mastery:gradebook", args=[world.section.uuid]))
    assert reverse("reports:heatmap", args=[world.section.uuid]) in page.content.decode()


def test_the_export_holds_the_rows_the_page_shows(rated):
    world, _competency = rated
    url = reverse("reports:heatmap", args=[world.section.uuid])
    response = signed_in(world.teacher).get(url, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Student",
        "Age-grade",
        "W1 stage",
        "W1 stages from expected",
        "W1 stalled",
        "G1 stage",
        "G1 stages from expected",
        "G1 stalled",
    ]
    assert rows[1:] == [
        [world.classmate.display_name, "6", "no rating yet", "", "", "2", "-2", "yes"],
        [world.student.display_name, "5", "no rating yet", "", "", "4", "1", ""],
    ]
    xlsx = signed_in(world.teacher).get(url, {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher", 200),
        ("school_admin", 200),
        ("district_admin", 200),
        ("other_teacher", 404),  # teaches another section of the school
        ("student", 404),
        ("guardian", 404),
        ("other_district_teacher", 404),
    ],
)
def test_who_opens_a_sections_heatmap_and_its_export(rated, who, status):
    world, _competency = rated
    client = signed_in(getattr(world, who))
    url = reverse("reports:heatmap", args=[world.section.uuid])
    assert client.get(url).status_code == status
    for format in ("csv", "xlsx"):
        assert client.get(url, {"format": format}).status_code == status


def test_signed_out_is_sent_to_sign_in(rated):
    world, _competency = rated
    response = Client().get(reverse("reports:heatmap", args=[world.section.uuid]))
    assert response.status_code == 302 and "login" in response["Location"]


def _grow(world, competency, count):
    """`count` more students in the section, rated on the competency, mastery recomputed."""
    start = Person.objects.count()
    people = Person.objects.bulk_create(
        Person(
            username=f"heat{start + n}",
            first_name="Heat",
            last_name=f"Student {start + n:04d}",
            password="!",
            district=world.district,
            age_grade=3 + n % 5,
            uuid=uuid.uuid4(),
        )
        for n in range(count)
    )
    people = list(Person.objects.filter(username__in=[p.username for p in people]))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(person=p, role=Role.STUDENT, district=world.district, school=world.school)
        for p in people
    )
    Enrollment.objects.bulk_create(Enrollment(section=world.section, student=p) for p in people)
    now = timezone.now()
    Evidence.objects.bulk_create(
        Evidence(
            student=person,
            competency=competency,
            stage=competency.stages.get(ordinal=1 + n % 3),
            level=Decimal(level),
            observed_at=now - timedelta(days=days_ago),
            source="observation",
            assessor=world.teacher,
        )
        for n, person in enumerate(people)
        for level, days_ago in ((2, 70), (2, 20), (1, 10))
    )
    recompute_run_execute(run=recompute_run_begin(district=world.district))


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_as_many_queries_for_25_students_as_for_5(rated):
    world, competency = rated
    _grow(world, competency, 3)
    client = signed_in(world.teacher)
    url = reverse("reports:heatmap", args=[world.section.uuid])
    five = _queries(client, url)
    _grow(world, competency, 20)
    twenty_five = _queries(client, url)
    assert Enrollment.objects.filter(section=world.section).count() == 25
    assert twenty_five == five, f"{five} queries for 5 students, {twenty_five} for 25"
    export = url + "?format=csv"
    assert _queries(client, export) <= five
