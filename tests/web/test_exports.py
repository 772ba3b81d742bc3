"""Every table a person sees downloads as CSV and XLSX with exactly the rows that person may
see: per export and per role, the rows equal what the page shows them (or, where the page
shows a page of them, every page: the link says so), everyone else gets 404, a cell that
starts like a formula is written as text, and a download that names students is audited as
the page is."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from proficio.agency.services import check_in_record
from proficio.audit.models import AuditEntry
from proficio.calibration.services import PieceSpec, session_open
from proficio.mastery.services import evidence_record
from proficio.people.api import Role, mentorship_begin, person_create, role_assign
from proficio.people.services import section_enroll
from proficio.reports.transcripts import credit_add
from proficio.work.data import Alignment
from proficio.work.services import revision_save, task_assign, task_create
from tests.calibration.conftest import agree, rate
from tests.factories import PASSWORD, make_person
from tests.mastery.test_pace import build_pace_world
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db

FORMULA = "=HYPERLINK(1)"


@pytest.fixture(autouse=True)
def own_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_of(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def both(client, url, **query) -> tuple[list[list[str]], list[list]]:
    """The table as CSV and as XLSX; the two hold the same rows."""
    as_csv = csv_rows(client.get(url, {**query, "format": "csv"}))
    as_xlsx = xlsx_rows(client.get(url, {**query, "format": "xlsx"}))
    assert len(as_csv) == len(as_xlsx)
    assert as_csv[0] == [str(header) for header in as_xlsx[0]]
    assert [row[0] for row in as_csv] == [
        "" if v is None else str(v) for v in (r[0] for r in as_xlsx)
    ]
    return as_csv, as_xlsx


def refused(client, url, **query) -> bool:
    return client.get(url, {**query, "format": "csv"}).status_code == 404


def formula_student(world):
    """A student whose first name a spreadsheet would run as a formula."""
    person = person_create(
        district=world.district,
        username="formula",
        first_name=FORMULA,
        last_name="Tester",
        password=PASSWORD,
    )
    role_assign(person=person, role=Role.STUDENT, district=world.district, school=world.school)
    section_enroll(section=world.section, student=person)
    return person


def export_links_of(page: str) -> list[str]:
    return re.findall(r'href="([^"]*format=(?:csv|xlsx)[^"]*)"', page)


# ---- the gradebook ---------------------------------------------------------------------------


def test_the_gradebook_downloads_the_whole_section_its_teacher_sees(world, settings):
    settings.PROFICIO_GRADEBOOK_PAGE_SIZE = 1  # the page shows one student; the export all
    policy(world, "latest", minimum_evidence=1)
    formula_student(world)
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now() - timedelta(days=2),
        source="observation",
    )
    url = reverse("mastery:gradebook", args=[world.section.uuid])
    teacher = client_of(world.teacher)
    page = teacher.get(url).content.decode()
    assert "the whole section: 3 students, all columns" in page
    assert f"{url}?format=csv" in page.replace("&amp;", "&")

    as_csv, as_xlsx = both(teacher, url, page="2")

    assert as_csv[0][:6] == [
        "Student",
        "Username",
        "W1 stage",
        "W1 where it stands",
        "W1 latest rating",
        "W1 pace",
    ]
    assert [row[1] for row in as_csv[1:]] == ["classmate", "student", "formula"] or sorted(
        row[1] for row in as_csv[1:]
    ) == ["classmate", "formula", "student"]
    by_username = {row[1]: row for row in as_csv[1:]}
    assert by_username["student"][2:5] == ["2", "", "3 (S1)"] or by_username["student"][
        4
    ].startswith("3")
    assert by_username["formula"][0] == f"'{FORMULA} Tester"
    assert [row[0] for row in as_xlsx[1:]].count(f"'{FORMULA} Tester") == 1
    assert (
        AuditEntry.objects.filter(
            action="students.listed", actor=world.teacher, data__export="csv"
        ).count()
        == 3
    )

    # the school's admin sees the section too; its other teacher, a guardian, a student do not
    school_admin_rows, _ = both(client_of(world.school_admin), url)
    assert len(school_admin_rows) == 4
    for person in (
        world.other_teacher,
        world.guardian,
        world.student,
        world.other_district_teacher,
    ):
        assert refused(client_of(person), url)


def test_the_gradebook_export_keeps_the_filters(world):
    url = reverse("mastery:gradebook", args=[world.section.uuid])
    rows = csv_rows(client_of(world.teacher).get(url, {"q": "classmate", "format": "csv"}))
    assert [row[1] for row in rows[1:]] == ["classmate"]
    page = client_of(world.teacher).get(url, {"q": "classmate"}).content.decode()
    assert "every page: the 1 student that matches, all columns" in page
    assert any("q=classmate" in link for link in export_links_of(page))


# ---- the review queue ------------------------------------------------------------------------


@pytest.fixture
def submitted(world):
    task = task_create(
        author=world.teacher,
        title="=Reading aloud",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    for student in (world.student, world.classmate):
        revision_save(student=student, task=task, text="Mine.", submit=True)
    other = task_create(
        author=world.other_teacher,
        title="Elsewhere",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.other_teacher, task=other, section=world.other_section)
    revision_save(student=world.other_student, task=other, text="Mine.", submit=True)
    return task


def test_the_review_queue_downloads_what_waits_for_each_teacher(world, submitted):
    url = reverse("work:review_queue")
    teacher = client_of(world.teacher)
    page = teacher.get(url).content.decode()
    assert export_links_of(page)
    as_csv, _ = both(teacher, url)
    assert as_csv[0] == ["Student", "Task", "Section", "Revision", "Submitted"]
    assert sorted(row[0] for row in as_csv[1:]) == sorted(
        [world.student.display_name, world.classmate.display_name]
    )
    assert {row[1] for row in as_csv[1:]} == {"'=Reading aloud"}
    assert {row[2] for row in as_csv[1:]} == {"Studio A"}

    other_rows = csv_rows(client_of(world.other_teacher).get(url, {"format": "csv"}))
    assert [row[0] for row in other_rows[1:]] == [world.other_student.display_name]
    narrowed = csv_rows(
        teacher.get(url, {"section": str(world.other_section.uuid), "format": "csv"})
    )
    assert narrowed[1:] == []
    for person in (world.student, world.guardian):
        assert refused(client_of(person), url)


# ---- Today and the stalled list ----------------------------------------------------------------


def test_today_downloads_every_stalled_student_of_the_teachers_sections(world):
    paced = build_pace_world(world)
    url = reverse("pathways:today")
    page = client_of(world.teacher).get(url).content.decode()
    assert any("table=stalled" in link for link in export_links_of(page))
    home = client_of(world.teacher).get(reverse("home")).content.decode()
    assert any("table=stalled" in link for link in export_links_of(home))

    as_csv, _ = both(client_of(world.teacher), url, table="stalled")
    assert as_csv[0] == ["Section", "Student", "Competency", "Why", "Supports"]
    assert [(row[0], row[1]) for row in as_csv[1:]] == [("Studio A", paced.stuck.display_name)]
    assert as_csv[1][3].startswith("Needs support: no new stage since")

    other = csv_rows(client_of(world.other_teacher).get(url, {"table": "stalled", "format": "csv"}))
    assert [row[1] for row in other[1:]] == [paced.far_stuck.display_name]
    advance = csv_rows(client_of(world.teacher).get(url, {"format": "csv"}))
    assert advance[0][:2] == ["Student", "Course"]
    for person in (world.student, world.guardian):
        assert refused(client_of(person), url, table="stalled")


# ---- mentoring -------------------------------------------------------------------------------


def test_mentoring_downloads_the_mentors_check_ins_due(world):
    mentorship_begin(actor=world.district_admin, mentor=world.teacher, student=world.student)
    mentorship_begin(
        actor=world.district_admin, mentor=world.other_teacher, student=world.classmate
    )
    check_in_record(
        mentor=world.teacher,
        student=world.student,
        notes="Talked.",
        happened_on=timezone.localdate(),
    )
    url = reverse("agency:mentoring")
    assert export_links_of(client_of(world.teacher).get(url).content.decode())
    as_csv, _ = both(client_of(world.teacher), url)
    assert as_csv[0] == ["Student", "Last check-in", "Next due", "Goals worked on"]
    assert [row[0] for row in as_csv[1:]] == [world.student.display_name]
    assert as_csv[1][1] == timezone.localdate().isoformat()
    other = csv_rows(client_of(world.other_teacher).get(url, {"format": "csv"}))
    assert [row[0] for row in other[1:]] == [world.classmate.display_name]
    for person in (world.student, world.guardian, world.school_admin):
        assert refused(client_of(person), url)


# ---- calibration drift -----------------------------------------------------------------------


def test_drift_downloads_for_the_teacher_and_for_the_admins(world):
    third = make_person(world.district, "thirdteacher", Role.TEACHER, world.school)
    task = task_create(
        author=world.teacher,
        title="An argument",
        alignments=[Alignment(competency=world.competency, stage=2)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    work = [
        revision_save(student=s, task=task, text=f"Argument {n}.", submit=True)
        for n, s in enumerate((world.student, world.classmate, formula_student(world)), start=1)
    ]
    session = session_open(
        actor=world.teacher,
        title="Argument writing",
        school=world.school,
        pieces=[PieceSpec(competency=world.competency, stage=2, revision=r) for r in work],
        raters=[world.teacher, world.other_teacher, third],
    )
    rate(session, world.teacher, [3, 2, 1])
    rate(session, world.other_teacher, [3, 3, 1])
    rate(session, third, [4, 3, 2])
    agree(session, world.teacher, [3, 2, 1])

    mine_url = reverse("calibration:drift")
    assert export_links_of(client_of(third).get(mine_url).content.decode())
    mine, _ = both(client_of(third), mine_url)
    assert mine[0] == [
        "Competency",
        "Ratings",
        "Mean difference",
        "Direction",
        "Exact (%)",
        "Within one (%)",
    ]
    assert mine[1][:3] == ["All competencies", "3", "1.0"]
    assert mine[2][0] == "W1 · Competency W1" and mine[2][3] == "more lenient than the group"

    everyone_url = reverse("calibration:everyone_drift")
    everyone, _ = both(client_of(world.school_admin), everyone_url)
    assert sorted(row[0] for row in everyone[1:]) == sorted(
        p.display_name for p in (world.teacher, world.other_teacher, third)
    )
    assert everyone[0][-1] == "W1 mean difference"
    for person in (world.teacher, world.student):
        assert refused(client_of(person), everyone_url)
    assert refused(client_of(world.student), mine_url)


# ---- student data requests and the audit log -------------------------------------------------


def test_student_data_requests_download_every_page_of_the_admins_students(world, settings):
    formula_student(world)
    url = reverse("privacy:requests")
    as_csv, _ = both(client_of(world.school_admin), url)
    assert as_csv[0] == ["Student", "Username", "Id", "Status"]
    assert sorted(row[1] for row in as_csv[1:]) == [
        "classmate",
        "formula",
        "otherstudent",
        "student",
    ]
    assert f"'{FORMULA} Tester" in [row[0] for row in as_csv[1:]]
    district = csv_rows(client_of(world.district_admin).get(url, {"format": "csv"}))
    assert "farstudent" in [row[1] for row in district[1:]]
    searched = csv_rows(client_of(world.school_admin).get(url, {"q": "classmate", "format": "csv"}))
    assert [row[1] for row in searched[1:]] == ["classmate"]
    for person in (world.teacher, world.student, world.guardian):
        assert refused(client_of(person), url)


def test_the_audit_log_downloads_as_csv_and_xlsx_for_district_admins(world):
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now() - timedelta(days=1),
        source="observation",
    )
    admin = client_of(world.district_admin)
    page = admin.get(reverse("audit")).content.decode()
    assert "format=xlsx" in page
    url = reverse("audit_export")
    as_csv = csv_rows(admin.get(url, {"action": "evidence.recorded"}))
    as_xlsx = xlsx_rows(admin.get(url, {"action": "evidence.recorded", "format": "xlsx"}))
    assert as_csv[0] == [str(v) for v in as_xlsx[0]] and len(as_csv) == len(as_xlsx) == 2
    assert as_xlsx[1][2] == "evidence.recorded" and as_xlsx[1][4] == world.student.display_name
    for person in (world.teacher, world.school_admin, world.other_district_teacher):
        assert client_of(person).get(url, {"format": "xlsx"}).status_code == 404


# ---- the progress report, the transcript, the credits ------------------------------------------


@pytest.fixture
def reported(world):
    policy(world, "latest", minimum_evidence=1)
    for days, stage, level in ((20, 1, 3), (10, 2, 2), (5, 2, 3)):
        evidence_record(
            assessor=world.teacher,
            student=world.student,
            competency=world.competency,
            stage=stage,
            level=Decimal(level),
            observed_at=timezone.now() - timedelta(days=days),
            source="observation",
        )
    return world


def test_the_progress_reports_tables_download_for_whoever_sees_the_report(reported):
    world = reported
    url = reverse("reports:progress", args=[world.student.uuid])
    page = client_of(world.guardian).get(url).content.decode()
    links = export_links_of(page)
    assert any("table=ratings" in link for link in links) and len(links) == 4
    for person in (world.guardian, world.student, world.teacher):
        stages, _ = both(client_of(person), url)
        assert stages[0] == ["Competency", "Day", "Stage reached", "Working at"]
        assert {row[0] for row in stages[1:]} == {"W1"}
        ratings, _ = both(client_of(person), url, table="ratings")
        assert [row[2:] for row in ratings[1:]] == [["2", "3"], ["2", "2"], ["1", "3"]] or sorted(
            row[2:] for row in ratings[1:]
        ) == sorted([["1", "3"], ["2", "2"], ["2", "3"]])
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    limited = csv_rows(client_of(world.teacher).get(url, {"since": since, "format": "csv"}))
    assert limited[1:]  # the period is kept
    for person in (world.other_teacher, world.classmate, world.other_district_teacher):
        assert refused(client_of(person), url)


def test_the_progress_report_links_read_in_spanish(reported):
    client = client_of(reported.guardian)
    page = client.get(
        reverse("reports:progress", args=[reported.student.uuid]),
        headers={"Accept-Language": "es"},
    ).content.decode()
    assert "Descargar" in page and "Download" not in page


def test_the_transcript_and_the_credits_download(reported):
    world = reported
    credit_add(
        actor=world.district_admin,
        district=world.district,
        stage=world.competency.stages.get(ordinal=1),
        title="=Writing: stage 1",
    )
    url = reverse("reports:transcript", args=[world.student.uuid])
    assert export_links_of(client_of(world.guardian).get(url).content.decode())
    rows, _ = both(client_of(world.guardian), url)
    assert rows[0][:4] == ["Area", "Competency", "Title", "Stage reached"]
    assert [row[1] for row in rows[1:]] == ["W1"]
    for person in (world.other_teacher, world.classmate):
        assert refused(client_of(person), url)

    credits_url = reverse("reports:credits")
    credits, _ = both(client_of(world.district_admin), credits_url)
    assert credits[1][0] == "'=Writing: stage 1"
    for person in (world.teacher, world.school_admin):
        assert refused(client_of(person), credits_url)
