"""The implementation dashboard (issue 16, item 3): who opens it; ratings per teacher per week
and by kind, counted by hand; calibration agreement over time; the plan's pilot and its
coverage; every table downloads with exactly the rows that reader sees; a constant number
of queries as a school's ratings grow."""

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from proficio.calibration.api import (
    ConsentBasis,
    PieceSpec,
    RatingSpec,
    exemplar_confirm,
    exemplar_propose,
    ratings_submit,
    session_open,
    session_reveal,
)
from proficio.mastery.api import evidence_record
from proficio.people.models import Role
from proficio.people.services import section_enroll
from proficio.reports import design
from proficio.reports.implementation_dashboard import (
    TABLES,
    dashboard_of,
    dashboard_viewer,
    period_of,
    table_of,
)
from proficio.reports.implementation_dashboard_charts import charts_of, nice_top
from tests.factories import make_competency, make_person

DASHBOARD = reverse("reports:implementation_dashboard")


@pytest.fixture(autouse=True)
def _no_pilot_kept_from_another_test():
    """The plan's pilot is kept in the cache per district; each test starts without it."""
    cache.clear()
    yield
    cache.clear()


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def this_monday():
    """The Monday of the last whole week: every rating of the tests is in the past."""
    today = timezone.localdate()
    return today - timedelta(days=today.weekday(), weeks=1)


def until() -> str:
    return (this_monday() + timedelta(days=6)).isoformat()


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def rate(world, assessor, student, day, source="observation", competency=None, stage=1):
    return evidence_record(
        assessor=assessor,
        student=student,
        competency=competency or world.competency,
        stage=stage,
        level=Decimal(3),
        observed_at=at(day),
        source=source,
    )


@pytest.fixture
def rated(world):
    """Over the last four weeks (this one included): the teacher rates twice this week (a task
    and an observation) and once three weeks ago (a conference); the other teacher once last
    week (an observation, later corrected as a task: one rating, as first given). Left out:
    the student's own self-assessment, work from five weeks ago, and the far student (another
    school) rated by the district admin."""
    monday = this_monday()
    rate(world, world.teacher, world.student, monday, "task")
    rate(world, world.teacher, world.classmate, monday, "observation")
    rate(world, world.teacher, world.student, monday - timedelta(weeks=3), "conference")
    first = rate(world, world.other_teacher, world.other_student, monday - timedelta(weeks=1))
    evidence_record(
        assessor=world.other_teacher,
        student=world.other_student,
        competency=world.competency,
        stage=1,
        level=Decimal(4),
        observed_at=first.observed_at,
        source="task",
        supersedes=first,
        reason="Read the rubric again.",
    )
    rate(world, world.student, world.student, monday, "self")
    rate(world, world.teacher, world.student, monday - timedelta(weeks=5))
    rate(world, world.district_admin, world.far_student, monday, "standardized")
    return world


def four_weeks(world, person, school=None, *, upto=None):
    """The dashboard of the four weeks up to last Sunday (`upto`: another day)."""
    viewer = dashboard_viewer(person, str(school.uuid) if school else None)
    upto = upto or this_monday() + timedelta(days=6)
    return dashboard_of(viewer, period_of(until=upto, weeks=4))


def test_ratings_per_teacher_per_week_and_by_kind_by_hand(rated):
    dashboard = four_weeks(rated, rated.school_admin)
    assert dashboard.period.weeks[-1] == this_monday() and len(dashboard.period.weeks) == 4
    rows = {row.name: row for row in dashboard.teachers}
    teacher, other = rows["Teacher Tester"], rows["Otherteacher Tester"]
    assert teacher.weeks == [1, 0, 0, 2]
    assert teacher.kinds == {"tasks": 1, "quick": 2, "other": 0}
    assert other.weeks == [0, 0, 1, 0]  # the rating as given; its correction is not another
    assert other.kinds == {"tasks": 0, "quick": 1, "other": 0}
    assert [w.total for w in dashboard.by_week] == [1, 0, 1, 2]
    assert dashboard.total == 4 and dashboard.task_share == 25
    assert (dashboard.teachers_rating, dashboard.teacher_count) == (2, 2)
    # The far student is of the other school: the district admin's standardized result.
    district = four_weeks(rated, rated.district_admin)
    assert district.total == 5
    assert district.kinds["other"] == 1
    assert district.teachers[-1].key == "others"


def test_a_teacher_without_ratings_still_has_a_row(rated):
    make_person(rated.district, "quiet", Role.TEACHER, rated.school)
    rows = {row.name: row for row in four_weeks(rated, rated.school_admin).teachers}
    assert rows["Quiet Tester"].weeks == [0, 0, 0, 0]
    assert "Quiet Tester" not in {
        row.name for row in four_weeks(rated, rated.district_admin, rated.other_school).teachers
    }


def test_the_page_draws_the_charts_with_their_numbers(rated):
    response = client_for(rated.school_admin).get(DASHBOARD + f"?weeks=4&until={until()}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Evidence per teacher per week" in text
    assert text.count('class="impl-multiple"') == 2
    assert "impl-bar--tasks" in text and "<svg" in text
    charts = charts_of(four_weeks(rated, rated.school_admin))
    assert len(charts.weeks.bars) == 4  # this week: a task and a quick rating; 1 each in two others
    assert nice_top(3) == 5 and nice_top(0) == 1 and nice_top(40) == 50


@pytest.mark.parametrize("table", sorted(TABLES))
@pytest.mark.parametrize("who", ["school_admin", "district_admin"])
def test_every_table_downloads_with_exactly_the_rows_that_reader_sees(rated, table, who):
    person = getattr(rated, who)
    dashboard = four_weeks(rated, person)
    _name, headers, rows = table_of(dashboard, table)
    client = client_for(person)
    exported = csv_rows(
        client.get(DASHBOARD + f"?weeks=4&until={until()}&table={table}&format=csv")
    )
    assert exported[0] == headers
    assert exported[1:] == [["" if cell is None else str(cell) for cell in row] for row in rows]
    xlsx = client.get(DASHBOARD + f"?weeks=4&until={until()}&table={table}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 1 + len(rows)


def test_the_district_admin_reads_a_school_and_the_school_admin_only_theirs(rated):
    school = csv_rows(
        client_for(rated.district_admin).get(
            DASHBOARD
            + f"?school={rated.school.uuid}&weeks=4&until={until()}&table=teachers&format=csv"
        )
    )
    assert {row[0] for row in school[1:]} == {"Teacher Tester", "Otherteacher Tester"}
    client = client_for(rated.school_admin)
    assert client.get(DASHBOARD + f"?school={rated.other_school.uuid}").status_code == 404
    assert (
        client.get(DASHBOARD + f"?school={rated.other_school.uuid}&table=weeks&format=csv")
    ).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("district_admin", 200),
        ("school_admin", 200),
        ("teacher", 404),
        ("other_district_teacher", 404),
        ("student", 404),
        ("guardian", 404),
    ],
)
def test_who_opens_the_dashboard_and_its_downloads(world, role, status):
    client = client_for(getattr(world, role))
    assert client.get(DASHBOARD).status_code == status
    for table in TABLES:
        assert client.get(DASHBOARD + f"?table={table}&format=csv").status_code == status
        assert client.get(DASHBOARD + f"?table={table}&format=xlsx").status_code == status


def test_signed_out_visitors_are_sent_to_sign_in_and_posts_are_refused(world):
    response = Client().get(DASHBOARD)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client_for(world.district_admin).post(DASHBOARD).status_code == 405


# ---- calibration and the pilot -----------------------------------------------------------------


def _session(world, title, school, level_of_other):
    exemplars = []
    for stage, level in ((1, 2), (2, 3), (3, 4)):
        exemplar = exemplar_propose(
            actor=world.teacher,
            competency=world.competency,
            stage=stage,
            level=Decimal(level),
            title=f"{title} {stage}",
            text=f"Work at stage {stage}.",
            annotation="It shows the stage.",
            consent=ConsentBasis.POLICY,
            student=world.student,
        )
        exemplars.append(
            exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)
        )
    session = session_open(
        actor=world.teacher,
        title=title,
        school=school,
        pieces=[
            PieceSpec(competency=world.competency, stage=e.stage.ordinal, exemplar=e)
            for e in exemplars
        ],
        raters=[world.teacher, world.other_teacher],
    )
    pieces = list(session.pieces.order_by("position"))
    for rater, levels in ((world.teacher, (1, 2, 4)), (world.other_teacher, level_of_other)):
        ratings_submit(
            actor=rater,
            session=session,
            ratings={
                piece: RatingSpec(level=Decimal(level), rationale="Read.")
                for piece, level in zip(pieces, levels, strict=True)
            },
        )
    session_reveal(actor=world.teacher, session=session)
    return session


def test_calibration_agreement_of_the_sessions_revealed_in_the_period(world):
    _session(world, "Alike", world.school, (1, 2, 4))
    _session(world, "Apart", world.school, (4, 1, 2))
    today = timezone.localdate()
    points = four_weeks(world, world.school_admin, upto=today).sessions
    assert [p.title for p in points] == ["Alike", "Apart"]
    assert points[0].exact == 1.0 and points[0].raters == 2 and points[0].pieces == 3
    assert points[1].exact == 0.0
    assert points[0].alpha > points[1].alpha
    text = client_for(world.school_admin).get(DASHBOARD).content.decode()
    assert "impl-point--alpha" in text and "Alike" in text
    # A session of the other school is not the school's.
    assert four_weeks(world, world.district_admin, world.other_school, upto=today).sessions == []
    assert len(four_weeks(world, world.district_admin, upto=today).sessions) == 2


def test_the_pilot_is_the_plans_and_its_coverage_is_of_the_period(rated):
    second = make_competency(rated.framework, "W2")
    rate(rated, rated.teacher, rated.student, this_monday(), competency=second, stage=2)
    named = design.plan(design.viewer_of(rated.district_admin), decided=[]).pilot
    dashboard = four_weeks(rated, rated.school_admin)
    assert [p.code for p in dashboard.pilot] == [p.code for p in named] == ["W1", "W2"]
    w1, w2 = dashboard.pilot
    # W1 in the period, of the school's three students: the student (2), the classmate and the
    # other student (the rating as first given).
    assert (w1.ratings, w1.task_ratings, w1.students_rated, w1.students) == (4, 1, 3, 3)
    assert (w1.teachers_rating, w1.stages_rated, w1.stages, w1.student_share) == (2, 1, 3, 100)
    assert (w2.ratings, w2.students_rated, w2.stages_rated, w2.stage_share) == (1, 1, 1, 33)


# ---- constant queries --------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["school_admin", "district_admin"])
def test_the_queries_do_not_grow_with_students_teachers_or_ratings(rated, who):
    client = client_for(getattr(rated, who))
    client.get(DASHBOARD)  # the session's first request reads more (the sign-in's bookkeeping)
    small = (
        _queries(client, DASHBOARD),
        _queries(client, DASHBOARD + "?table=teachers&format=csv"),
    )
    for n in range(8):
        teacher = make_person(rated.district, f"more{n}", Role.TEACHER, rated.school)
        student = make_person(rated.district, f"pupil{n}", Role.STUDENT, rated.school)
        section_enroll(section=rated.section, student=student)
        for weeks in range(3):
            rate(rated, rated.school_admin, student, this_monday() - timedelta(weeks=weeks), "task")
        assert teacher
    large = (
        _queries(client, DASHBOARD),
        _queries(client, DASHBOARD + "?table=teachers&format=csv"),
    )
    assert small == large
