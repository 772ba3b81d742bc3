"""The school dashboard: where students work against their age-grade, pace counts, stalled
students with and without a support, and stages mastered month by month — counted by hand
for a small school, for a school's admins and a district's only, each table with its export,
and in as many queries for 25 students as for 5."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.mastery.models import PaceExpectation
from proficio.pathways.api import support_record
from proficio.people.api import school_year_start
from proficio.reports.dashboard import COMPLETED, UNPLACED, dashboard, dashboard_scope
from tests.mastery.varied import policy
from tests.reports.test_heatmap import _grow, aged, graded, rate, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _counted_afresh():
    """Each test counts its own world: nothing kept from another (ADR 0041)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(world):
    """Latest rating, one enough; a competency of four stages typical for grades 3 to 6.
    In North: the student (grade 4) works at stage 3, one ahead; the classmate (grade 5) at
    stage 2, one behind and stalled; the other student (grade 3) at stage 1, on pace and
    stalled, with a support on the competency. In South, the far student has no rating and
    no age-grade."""
    policy(world, "latest", minimum_evidence=1)
    competency = graded(world, "G1", stages=4)
    admin = world.school_admin
    aged(world.student, 4)
    aged(world.classmate, 5)
    aged(world.other_student, 3)
    now = timezone.now()
    world.mastered_at = [now - timedelta(hours=3), now - timedelta(hours=2)]
    rate(world, world.student, competency, 1, 3, days_ago=0.125, assessor=admin)
    rate(world, world.student, competency, 2, 3, days_ago=2 / 24, assessor=admin)
    rate(world, world.classmate, competency, 1, 3, days_ago=90, assessor=admin)
    for student, stage in ((world.classmate, 2), (world.other_student, 1)):
        for days_ago in (70, 20, 10):
            rate(world, student, competency, stage, 2, days_ago=days_ago, assessor=admin)
    support_record(
        actor=admin,
        student=world.other_student,
        kind="small_group",
        description="Tuesday group",
        starts_on=timezone.localdate() - timedelta(days=3),
        competency=competency,
    )
    return world, competency


def _board(world, user, school=None, **options):
    return dashboard(dashboard_scope(user, str(school.uuid) if school else None), **options)


def test_the_distribution_of_a_school_by_hand(school):
    world, competency = school
    board = _board(world, world.school_admin, competency_id=str(competency.uuid))
    assert board.scope.school == world.school and board.students == 3
    distribution = board.distribution
    assert [c.key for c in distribution.columns] == [UNPLACED, 1, 2, 3, 4, COMPLETED]
    grid = {row.grade: row.counts for row in distribution.rows}
    assert grid == {
        3: [0, 1, 0, 0, 0, 0],
        4: [0, 0, 0, 1, 0, 0],
        5: [0, 0, 1, 0, 0, 0],
    }
    assert {row.grade: row.expected for row in distribution.rows} == {3: 1, 4: 2, 5: 3}


def test_pace_counts_by_hand(school):
    world, _competency = school
    board = _board(world, world.school_admin)
    rows = {row.competency.code: row for row in board.pace}
    assert rows["G1"].counts == {"ahead": 1, "on_pace": 1, "behind": 1, "unknown": 0}
    assert rows["G1"].stalled == 2
    # W1's stages have no typical grade and nobody is rated on it.
    assert rows["W1"].counts == {"ahead": 0, "on_pace": 0, "behind": 0, "unknown": 3}


def test_the_districts_dashboard_counts_every_school(school):
    world, competency = school
    board = _board(world, world.district_admin, competency_id=str(competency.uuid))
    assert board.scope.school is None and board.students == 4
    rows = {row.competency.code: row for row in board.pace}
    assert rows["G1"].counts == {"ahead": 1, "on_pace": 1, "behind": 1, "unknown": 1}
    assert {row.grade: row.counts[0] for row in board.distribution.rows}[None] == 1
    south = _board(world, world.district_admin, school=world.other_school)
    assert south.students == 1 and south.stalled.students == 0


def test_a_schools_tolerance_counts_one_below_as_on_pace(school):
    world, _competency = school
    PaceExpectation.objects.create(
        district=world.district, school=world.school, stages_below_on_pace=1
    )
    rows = {row.competency.code: row for row in _board(world, world.school_admin).pace}
    assert rows["G1"].counts == {"ahead": 1, "on_pace": 2, "behind": 0, "unknown": 0}
    # The district's view reads each school's own expectations.
    district = {row.competency.code: row for row in _board(world, world.district_admin).pace}
    assert district["G1"].counts == {"ahead": 1, "on_pace": 2, "behind": 0, "unknown": 1}


def test_stalled_students_with_and_without_a_support(school):
    world, competency = school
    stalled = _board(world, world.school_admin).stalled
    assert (stalled.students, stalled.supported, stalled.unsupported) == (2, 1, 1)
    assert [row.student for row in stalled.shown] == [world.classmate, world.other_student]
    assert [row.supported for row in stalled.shown] == [False, True]
    assert [s.description for s in stalled.shown[1].supports] == ["Tuesday group"]
    assert stalled.shown[0].competencies == [competency]


def test_a_support_on_every_competency_covers_a_stall(school):
    world, _competency = school
    support_record(
        actor=world.school_admin,
        student=world.classmate,
        kind="tutoring",
        description="Daily reading",
        starts_on=timezone.localdate(),
    )
    stalled = _board(world, world.school_admin).stalled
    assert (stalled.supported, stalled.unsupported) == (2, 0)


def test_stages_mastered_month_by_month(school):
    world, _competency = school
    board = _board(world, world.school_admin)
    today = timezone.localdate()
    months = {(m.start.year, m.start.month): m for m in board.months}
    assert board.months[0].start.date() == school_year_start(
        district_id=world.district.pk, on=today
    ).replace(day=1)
    assert board.months[-1].start.date() == today.replace(day=1)
    this_month = timezone.localtime(world.mastered_at[-1])
    counted = {
        (timezone.localtime(moment).year, timezone.localtime(moment).month)
        for moment in world.mastered_at
    }
    earlier = timezone.localtime(timezone.now() - timedelta(days=90))
    expected_total = 2 + (1 if earlier.date() >= board.months[0].start.date() else 0)
    assert sum(m.stages for m in board.months) == board.mastered_this_year == expected_total
    if counted == {(this_month.year, this_month.month)}:  # not straddling midnight of the 1st
        assert months[this_month.year, this_month.month].stages >= 2


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_each_table_exports_what_the_page_shows(school):
    world, competency = school
    client = signed_in(world.school_admin)
    url = reverse("reports:dashboard")
    page = client.get(url, {"competency": str(competency.uuid)}).content.decode()
    assert "Where students work by age-grade: G1" in page
    for table in ("distribution", "pace", "stalled", "months"):
        assert f"table={table}" in page
    pace = _csv(client.get(url, {"format": "csv", "table": "pace"}))
    assert pace[0] == [
        "Competency",
        "Ahead",
        "On pace",
        "Behind",
        "Not known yet",
        "Stalled",
        "Students",
    ]
    assert ["G1 · Graded G1", "1", "1", "1", "0", "2", "3"] in pace
    distribution = _csv(
        client.get(url, {"format": "csv", "table": "distribution", "competency": competency.uuid})
    )
    assert distribution[0][1] == "Not placed yet" and distribution[0][-2] == "Every stage mastered"
    assert distribution[1:] == [
        ["Grade 3", "0", "1", "0", "0", "0", "0", "1"],
        ["Grade 4", "0", "0", "0", "1", "0", "0", "1"],
        ["Grade 5", "0", "0", "1", "0", "0", "0", "1"],
    ]
    stalled = _csv(client.get(url, {"format": "csv", "table": "stalled"}))
    assert stalled[1:] == [
        [world.classmate.display_name, "5", "G1", "no", ""],
        [world.other_student.display_name, "3", "G1", "yes", "Small-group instruction (G1)"],
    ]
    months = _csv(client.get(url, {"format": "csv", "table": "months"}))
    assert months[0] == ["Month", "Stages first shown at mastery", "Total so far this year"]
    assert len(months) - 1 == len(_board(world, world.school_admin).months)
    xlsx = client.get(url, {"format": "xlsx", "table": "pace"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_stalled_export_is_every_page_and_the_page_one_page(school, settings, monkeypatch):
    world, _competency = school
    monkeypatch.setattr("proficio.reports.dashboard_views.STALLED_PAGE_SIZE", 1)
    monkeypatch.setattr("proficio.reports.dashboard.STALLED_PAGE_SIZE", 1)
    client = signed_in(world.school_admin)
    url = reverse("reports:dashboard")
    first = client.get(url).content.decode()
    assert world.classmate.display_name in first and world.other_student.display_name not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert world.other_student.display_name in second
    assert len(_csv(client.get(url, {"format": "csv", "table": "stalled", "page": 2}))) == 3


def test_the_page_records_the_students_it_lists(school):
    world, _competency = school
    signed_in(world.school_admin).get(reverse("reports:dashboard"))
    listed = AuditEntry.objects.filter(actor=world.school_admin, action="students.listed")
    assert {entry.student_id for entry in listed} == {world.classmate.pk, world.other_student.pk}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("school_admin", 200),
        ("district_admin", 200),
        ("teacher", 404),
        ("student", 404),
        ("guardian", 404),
        ("other_district_teacher", 404),
    ],
)
@pytest.mark.parametrize("name", ["reports:dashboard", "reports:dashboard_equity"])
def test_who_opens_the_dashboard_and_its_exports(school, who, status, name):
    world, _competency = school
    client = signed_in(getattr(world, who))
    url = reverse(name)
    assert client.get(url).status_code == status
    tables = ("distribution", "pace", "stalled", "months") if name == "reports:dashboard" else ("",)
    for table in tables:
        for format in ("csv", "xlsx"):
            assert client.get(url, {"format": format, "table": table}).status_code == status


@pytest.mark.parametrize("name", ["reports:dashboard", "reports:dashboard_equity"])
def test_a_school_admin_cannot_open_another_school_and_a_district_admin_can(school, name):
    world, _competency = school
    other = {"school": str(world.other_school.uuid)}
    assert signed_in(world.school_admin).get(reverse(name), other).status_code == 404
    assert (
        signed_in(world.school_admin).get(reverse(name), {**other, "format": "csv"}).status_code
        == 404
    )
    assert signed_in(world.district_admin).get(reverse(name), other).status_code == 200
    assert Client().get(reverse(name)).status_code == 302


def test_a_school_admin_sees_only_their_schools_students(school):
    world, _competency = school
    csv_rows = _csv(
        signed_in(world.school_admin).get(
            reverse("reports:dashboard"), {"format": "csv", "table": "pace"}
        )
    )
    assert {row[-1] for row in csv_rows[1:]} == {"3"}  # not the far student of South


def _queries(client, url, *, kept: bool) -> int:
    """One request's queries: with the scope's counts kept from a request before, or
    counted afresh."""
    client.get(url)
    if not kept:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_as_many_queries_for_25_students_as_for_5(world):
    policy(world, "latest", minimum_evidence=1)
    competency = graded(world, "G1", stages=4)
    _grow(world, competency, 2)  # with the world's three of North
    client = signed_in(world.school_admin)
    pages = [reverse("reports:dashboard"), reverse("reports:dashboard_equity") + "?by=race"]
    five = [_queries(client, url, kept=kept) for url in pages for kept in (False, True)]
    _grow(world, competency, 20)
    twenty_five = [_queries(client, url, kept=kept) for url in pages for kept in (False, True)]
    assert twenty_five == five
    counted, kept = five[0], five[1]
    assert kept < counted


def test_the_counts_are_kept_a_few_minutes_and_say_when(school):
    world, _competency = school
    client = signed_in(world.school_admin)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Counted at" in page and "counted again after 5 minutes" in page
    aged(world.classmate, 6)
    kept = _board(world, world.school_admin)
    assert {row.grade for row in kept.distribution.rows} == {3, 4, 5}  # as counted
    cache.clear()
    afresh = _board(world, world.school_admin)
    assert {row.grade for row in afresh.distribution.rows} == {3, 4, 6}


def test_charts_draw_with_a_decimal_point_whatever_the_readers_language(school):
    """Spanish writes 57,2; an SVG coordinate so written is no number, and the chart falls
    apart. The charts' numbers stay as SVG reads them in every language."""
    world, _competency = school
    page = signed_in(world.school_admin).get(
        reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="es"
    )
    svg = " ".join(re.findall(r"<svg\b.*?</svg>", page.content.decode(), flags=re.S))
    assert 'lang="es"' in page.content.decode() and svg
    coordinates = re.findall(r'\s(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height)="([^"]*)"', svg)
    assert coordinates
    assert [c for c in coordinates if not re.fullmatch(r"-?\d+(\.\d+)?%?", c)] == []
