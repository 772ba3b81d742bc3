"""The OneRoster results export (issue 17, item 4): a package the test reader imports back, every
result tied to its competency's CASE identifier as the CASE export gives it; who may download
it; the audit trail; and queries that do not grow with a section."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Competency
from proficio.interop.case.export import case_package
from proficio.interop.oneroster.results import ResultsScope, results_package
from proficio.mastery.models import WorkingStage
from proficio.mastery.services import evidence_record
from proficio.people.models import AcademicSession, Person, Role, Section
from proficio.people.selectors import section_students_for_operator, sections_for_operator
from proficio.people.services import section_create, section_enroll
from tests.factories import make_competency, make_person, standard_as_competency
from tests.interop.oneroster_gradebook_reader import (
    Gradebook,
    Invalid,
    check_references,
    read_gradebook,
)

pytestmark = pytest.mark.django_db
URL = reverse("interop:oneroster_results_file")
PAGE = reverse("interop:oneroster_results")


def rate(world, student, competency, stage, level=4, times=2, assessor=None):
    for day in range(times):
        evidence_record(
            assessor=assessor or world.teacher,
            student=student,
            competency=competency,
            stage=stage,
            level=Decimal(level),
            observed_at=timezone.now() - timedelta(days=3 + day),
            source="observation",
        )


@pytest.fixture
def rated(world) -> Competency:
    """The student has mastered W1's first stage and every stage of W2; the classmate is
    rated once in W1, below mastery; the far student (South) is rated in W1."""
    second = make_competency(world.framework, "W2", stages=4)
    rate(world, world.student, world.competency, 1)
    for stage in range(1, 5):
        rate(world, world.student, second, stage)
    rate(world, world.classmate, world.competency, 1, level=2, times=1)
    rate(world, world.far_student, world.competency, 1, 2, 1, world.district_admin)
    return second


def download(world, who: str, **query) -> tuple[int, bytes]:
    client = Client()
    client.force_login(getattr(world, who) if isinstance(who, str) else who)
    response = client.get(URL, query)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response.status_code, body


def roster_ids(world) -> dict[str, set[str]]:
    sections = Section.objects.filter(school__district=world.district)
    students = Person.objects.filter(district=world.district)
    return {
        "classes": {s.sourced_id or str(s.uuid) for s in sections},
        "students": {p.sourced_id or str(p.uuid) for p in students},
        "sessions": set(
            AcademicSession.objects.filter(district=world.district).values_list(
                "sourced_id", flat=True
            )
        ),
    }


def case_identifiers(world) -> dict[str, str]:
    """Competency code → the identifier of its CFItem in the framework's CASE export."""
    items = case_package(world.framework)["CFItems"]
    return {
        i["humanCodingScheme"]: i["identifier"] for i in items if i["CFItemType"] == "Competency"
    }


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_the_package_reads_back_with_every_result_tied_to_its_case_identifier(
    world, rated, version
):
    status, body = download(world, "district_admin", version=version)

    assert status == 200
    book = read_gradebook(body)
    check_references(book, **roster_ids(world))
    assert book.version == version
    expected = case_identifiers(world)
    items = book.by_id("lineItems")
    objectives = book.result_objectives()
    students = {str(p.uuid): p for p in Person.objects.filter(district=world.district)}
    seen = set()
    for result in book.rows("results"):
        item = items[result["lineItemSourcedId"]]
        code = item["title"].split()[0]
        assert objectives[result["sourcedId"]] == expected[code]
        student = students[result["studentSourcedId"]]
        seen.add((student.username, code, result["score"], item["resultValueMax"]))
    assert seen == {
        ("student", "W1", "1", "3"),
        ("student", "W2", "4", "4"),
        ("classmate", "W1", "0", "3"),
        ("farstudent", "W1", "0", "3"),
    }
    # Studio A reports W1 and W2, Studio C W1; Studio B (no ratings, no course) nothing.
    assert len(items) == 3
    assert [c["title"] for c in book.rows("categories")] == ["Writing"]


def test_a_result_says_the_stage_and_is_dated_by_the_latest_rating(world, rated):
    book = read_gradebook(download(world, "district_admin", version="1.2")[1])
    mine = [r for r in book.rows("results") if r["studentSourcedId"] == str(world.student.uuid)]
    words = {r["textScore"] for r in mine}
    assert words == {"Working at stage 2 of 3: Stage 2", "Every stage mastered (4 of 4)"}
    latest = WorkingStage.objects.get(student=world.student, competency=world.competency)
    w1 = next(r for r in mine if r["textScore"].startswith("Working"))
    assert w1["scoreDate"] == timezone.localdate(latest.latest_observed_at).isoformat()
    assert w1["scoreStatus"] == "fully graded"


def test_exporting_again_gives_the_same_identifiers(world, rated):
    first = read_gradebook(download(world, "district_admin", version="1.2")[1])
    rate(world, world.classmate, world.competency, 1)
    again = read_gradebook(download(world, "district_admin", version="1.2")[1])

    for name in ("lineItems", "results", "categories", "lineItemLearningObjectiveIds"):
        assert set(first.by_id(name)) == set(again.by_id(name)), name
    classmate = str(world.classmate.uuid)
    before = {r["sourcedId"]: r["score"] for r in first.rows("results")}
    after = {r["sourcedId"]: r["score"] for r in again.rows("results")}
    changed = {k for k in before if before[k] != after[k]}
    assert len(changed) == 1
    assert again.by_id("results")[changed.pop()]["studentSourcedId"] == classmate


def test_the_rosters_sourced_ids_and_term_are_used(world, rated):
    term = AcademicSession.objects.create(
        district=world.district,
        sourced_id="term-2025",
        title="Fall",
        kind="term",
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=60),
    )
    Section.objects.filter(pk=world.section.pk).update(sourced_id="class-A")
    Person.objects.filter(pk=world.student.pk).update(sourced_id="user-17")
    world.section.terms.add(term)

    book = read_gradebook(download(world, "district_admin", version="1.1")[1])

    check_references(book, **roster_ids(world))
    studio_a = [i for i in book.rows("lineItems") if i["classSourcedId"] == "class-A"]
    assert {i["gradingPeriodSourcedId"] for i in studio_a} == {"term-2025"}
    assert {i["assignDate"] for i in studio_a} == {term.starts_on.isoformat()}
    assert "user-17" in {r["studentSourcedId"] for r in book.rows("results")}
    # Studio C has no term: the school year, which the package names in academicSessions.
    (year,) = book.rows("academicSessions")
    assert book.manifest["file.academicSessions"] == "delta"
    assert year["type"] == "schoolYear"


def test_a_course_sections_line_items_are_its_targets(world, rated):
    """A section with a course reports its targets, rated or not, and nothing else."""
    from proficio.frameworks.services import course_create

    third = make_competency(world.framework, "W3")
    course = course_create(
        district=world.district, code="ENG9", title="English 9", targets=[(third, 1)]
    )
    coursed = section_create(school=world.school, name="English 9", teachers=[world.teacher])
    Section.objects.filter(pk=coursed.pk).update(course=course)
    section_enroll(section=coursed, student=world.student)

    book = read_gradebook(download(world, "district_admin", version="1.2")[1])

    mine = [i for i in book.rows("lineItems") if i["classSourcedId"] == str(coursed.uuid)]
    assert [i["title"] for i in mine] == ["W3 Competency W3"]
    assert not [r for r in book.rows("results") if r["lineItemSourcedId"] == mine[0]["sourcedId"]]


def test_a_competency_made_from_a_case_item_is_tied_to_that_item(world, testdata):
    standard = standard_as_competency(world.district, testdata)
    competency = standard.competency
    rate(world, world.student, competency, 1)

    book = read_gradebook(download(world, "district_admin", version="1.2")[1])

    exported = {i["identifier"] for i in case_package(competency.framework)["CFItems"]}
    tied = set(book.result_objectives().values())
    assert str(standard.identifier) in tied
    assert str(standard.identifier) in exported
    assert str(competency.uuid) not in tied


# ---- who may download it ---------------------------------------------------------------------


def test_a_school_admin_gets_their_schools_sections_only(world, rated):
    status, body = download(world, "school_admin", version="1.2")

    assert status == 200
    book = read_gradebook(body)
    classes = {i["classSourcedId"] for i in book.rows("lineItems")}
    assert classes == {str(world.section.uuid)}
    students = {r["studentSourcedId"] for r in book.rows("results")}
    assert str(world.far_student.uuid) not in students


def test_a_school_admin_cannot_ask_for_another_school(world, rated):
    assert download(world, "school_admin", school=str(world.other_school.uuid))[0] == 404
    assert download(world, "school_admin", school=str(world.school.uuid))[0] == 200


def test_a_district_admin_may_choose_one_school(world, rated):
    status, body = download(world, "district_admin", school=str(world.other_school.uuid))
    assert status == 200
    book = read_gradebook(body)
    assert {r["studentSourcedId"] for r in book.rows("results")} == {str(world.far_student.uuid)}


@pytest.mark.parametrize("who", ["teacher", "student", "guardian", "other_district_teacher"])
def test_nobody_else_finds_the_export(world, rated, who):
    client = Client()
    client.force_login(getattr(world, who))
    assert client.get(PAGE).status_code == 404
    assert client.get(URL).status_code == 404


def test_another_districts_admin_cannot_reach_this_districts_schools(world, rated):
    from proficio.people.models import District

    elsewhere = District.objects.get(name="Elsewhere")
    admin = make_person(elsewhere, "elsewhereadmin", Role.DISTRICT_ADMIN, None)
    assert download(world, admin, school=str(world.school.uuid))[0] == 404
    status, body = download(world, admin)
    assert status == 200
    assert read_gradebook(body).rows("results") == []


def test_an_unknown_version_is_not_found(world):
    assert download(world, "district_admin", version="2.0")[0] == 404


def test_the_page_reads_for_admins(world):
    client = Client()
    client.force_login(world.school_admin)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "OneRoster 1.2" in response.content.decode()


# ---- the audit trail, the command line, and queries ----------------------------------------


def test_every_student_exported_is_in_the_audit_trail(world, rated):
    download(world, "district_admin", version="1.1")

    entries = AuditEntry.objects.filter(action="students.listed", actor=world.district_admin)
    exported = {e.student_id: e.data for e in entries if e.data.get("export")}
    assert set(exported) == {world.student.pk, world.classmate.pk, world.far_student.pk}
    assert exported[world.student.pk]["version"] == "1.1"
    assert exported[world.student.pk]["section"] == str(world.section.uuid)


def test_the_command_writes_the_same_package(world, rated, cli, tmp_path):
    path = tmp_path / "results.zip"
    result = cli(
        "export",
        "oneroster-results",
        "-o",
        str(path),
        "--version",
        "1.1",
        "--district",
        str(world.district.uuid),
    )

    assert result.code == 0, result.err
    assert "4 results of 3 students" in result.out
    book = read_gradebook(path.read_bytes())
    check_references(book, **roster_ids(world))
    page = read_gradebook(download(world, "district_admin", version="1.1")[1])
    assert set(book.by_id("results")) == set(page.by_id("results"))


def _export_queries(world, section: Section) -> int:
    scope = ResultsScope(
        district=world.district,
        sections=sections_for_operator(district=world.district).filter(pk=section.pk),
        students_of=section_students_for_operator,
        competencies=Competency.objects.filter(framework__district=world.district),
        actor=None,
        via="test",
    )
    with CaptureQueriesContext(connection) as queries:
        counts = results_package(scope=scope, version="1.2", out=io.BytesIO())
    assert counts.results == len(section_students_for_operator(section))
    return len(queries)


def test_queries_do_not_grow_with_the_section(world):
    section = section_create(school=world.school, name="Big", teachers=[world.teacher])

    def grow(n: int) -> None:
        start = Person.objects.filter(username__startswith="big").count()
        for i in range(start, start + n):
            student = make_person(world.district, f"big{i}", Role.STUDENT, world.school)
            section_enroll(section=section, student=student)
            rate(world, student, world.competency, 1, times=1)

    grow(3)
    small = _export_queries(world, section)
    grow(12)
    large = _export_queries(world, section)
    assert large == small


def test_the_reader_refuses_a_broken_package(world, rated):
    """The reader is a real check: a result whose line item is missing is refused."""
    import zipfile

    body = download(world, "district_admin", version="1.2")[1]
    source = zipfile.ZipFile(io.BytesIO(body))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for name in source.namelist():
            data = source.read(name)
            if name == "lineItems.csv":
                data = b"\r\n".join(data.split(b"\r\n")[:2]) + b"\r\n"
            broken.writestr(name, data)
    with pytest.raises(Invalid):
        book: Gradebook = read_gradebook(out.getvalue())
        check_references(book, **roster_ids(world))
