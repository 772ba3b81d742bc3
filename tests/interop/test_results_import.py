"""Standardized results into evidence (issue 12, item 6): a file with a bad row is refused whole
with file, line and field; a good one becomes "standardized" evidence that mastery counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence, EvidenceSource
from proficio.frameworks.models import Stage
from proficio.frameworks.services import framework_create, scale_create
from proficio.interop.models import ResultMapping
from proficio.interop.report import ImportRefused
from proficio.interop.results import checking, reader
from proficio.interop.results.mapping import result_mapping_add
from proficio.interop.results.writer import import_results
from proficio.lib.errors import InvalidInput
from proficio.mastery.models import MasteryRecord, WorkingStage
from proficio.people.models import Person
from tests.factories import FOUR_LEVELS, make_competency
from tests.interop.conftest import row_counts
from tests.interop.results_support import days_ago, mapped, write_results

pytestmark = pytest.mark.django_db

__all__ = ["mapped"]  # the fixture


def run(path, mapped, **kwargs):
    world = mapped.world
    return import_results(
        path=path,
        source=path.name,
        district=world.district,
        actor=kwargs.pop("actor", world.district_admin),
        **kwargs,
    )


def refusal(path, mapped) -> list:
    before = row_counts()
    with pytest.raises(ImportRefused) as refused:
        run(path, mapped)
    assert row_counts() == before
    return refused.value.problems


def test_a_good_file_becomes_standardized_evidence_that_mastery_counts(tmp_path, mapped):
    world = mapped.world
    path = write_results(
        tmp_path,
        f"S-1,State Reading,{days_ago(30)},231,Proficient",  # by sourcedId: two ratings
        f"classmate,state reading,{days_ago(20)},,  below ",  # by username; any case
    )

    report = run(path, mapped)

    assert report.created["ratings"] == 3 and report.unchanged["ratings"] == 0
    assert report.extra["results"] == 2 and report.extra["students"] == 2
    ratings = Evidence.objects.filter(source=EvidenceSource.STANDARDIZED)
    assert ratings.count() == 3
    writing = ratings.get(student=world.student, competency=world.competency)
    assert (writing.stage.ordinal, writing.level) == (1, Decimal(3))
    assert writing.assessor == world.district_admin
    assert timezone.localdate(writing.observed_at) == timezone.localdate() - timedelta(days=30)
    assert writing.feedback_present == f"State Reading, {days_ago(30)}: Proficient (score 231)"
    reading = ratings.get(student=world.student, competency=mapped.reading)
    assert (reading.stage.ordinal, reading.level) == (2, Decimal(3))
    assert ratings.get(student=world.classmate).level == Decimal(2)

    # Mastery moved in the same transaction: the stored records count the new ratings.
    record = MasteryRecord.objects.get(
        student=world.student, competency=world.competency, stage__ordinal=1
    )
    assert record.evidence_count == 1 and record.value == Decimal(3)
    working = WorkingStage.objects.get(student=world.student, competency=world.competency)
    assert working.latest_level == Decimal(3)
    assert WorkingStage.objects.filter(student=world.classmate).exists()


def test_a_file_with_one_bad_row_is_refused_whole_with_file_line_and_field(tmp_path, mapped):
    path = write_results(
        tmp_path,
        f"S-1,State Reading,{days_ago(30)},231,Proficient",
        f"classmate,State Reading,{days_ago(20)},abc,Below",
        name="spring.csv",
    )
    evidence_before = Evidence.objects.count()

    problems = refusal(path, mapped)

    assert [(p.file, p.line, p.field) for p in problems] == [("spring.csv", 3, "score")]
    assert "“abc” is not a number" in problems[0].message
    assert str(problems[0]).startswith("spring.csv:3: score: ")
    assert Evidence.objects.count() == evidence_before
    assert not AuditEntry.objects.filter(action="results.imported").exists()


def test_every_problem_is_told_at_once(tmp_path, mapped):
    world = mapped.world
    path = write_results(
        tmp_path,
        f"nobody,State Reading,{days_ago(3)},200,Below",
        f"S-1,State Math,{days_ago(3)},200,Below",
        f"S-1,State Reading,{days_ago(3)},200,Exceeding",
        "S-1,State Reading,3/4/2025,200,Below",
        f"S-1,State Reading,{days_ago(-3)},200,Below",
        f"S-1,State Reading,{days_ago(4000)},200,Below",
        f"{world.other_district_student.username},State Reading,{days_ago(3)},1,Below",
        f",,{days_ago(3)},1,",
        f"classmate,State Reading,{days_ago(5)},1,Below",
        f"classmate,State Reading,{days_ago(5)},2,Proficient",
        f"classmate,State Reading,{days_ago(6)},2,Proficient,extra",
    )

    problems = refusal(path, mapped)

    found = {(p.line, p.field): p.message for p in problems}
    assert "No student of Riverside has the sourcedId or username “nobody”" in found[2, "student"]
    assert "no assessment “State Math”" in found[3, "assessment"]
    assert "“State Reading”" in found[3, "assessment"]  # what is mapped
    assert "no band “Exceeding” for State Reading" in found[4, "band"]
    assert "“Advanced”, “Below”, “Proficient”" in found[4, "band"]
    assert "“3/4/2025” is not a date" in found[5, "date"]
    assert "in the future" in found[6, "date"]
    assert "more than ten years ago" in found[7, "date"]
    assert "elsewherestudent" in found[8, "student"]  # another district's student is nobody
    assert (9, "student") in found and (9, "assessment") in found
    assert "Line 10 already gives this student's State Reading result" in found[11, "date"]
    assert "more values than the header" in found[12, None]
    assert len(problems) == 11


def test_a_file_without_the_columns_is_refused_at_its_header(tmp_path, mapped):
    path = write_results(tmp_path, "S-1,State Reading,2025-01-01", header="student,test,when")

    problems = refusal(path, mapped)

    assert {(p.line, p.field) for p in problems} == {(1, "date"), (1, "score"), (1, "band")}
    assert all(
        "The columns are student, assessment, date, score and band" in p.message for p in problems
    )


def test_other_names_of_the_columns_are_read_and_other_columns_read_past(tmp_path, mapped):
    path = write_results(
        tmp_path,
        f"S-1;State Reading;{days_ago(2)};Grade 5;Advanced;",
        header="SourcedId;Test name;Test date;Grade;Performance level;Scale score",
    )

    report = run(path, mapped)

    assert report.created["ratings"] == 1
    assert report.fixed == ["Read past the columns “Grade”: they are not needed."]


def test_a_problem_names_the_column_as_the_file_names_it(tmp_path, mapped):
    path = write_results(
        tmp_path, "S-1,State Reading,soon,1,Below", header="Username,Test,Test Date,Score,Band"
    )

    [problem] = refusal(path, mapped)

    assert (problem.line, problem.field) == (2, "Test Date")


def test_importing_the_same_results_again_adds_nothing(tmp_path, mapped):
    path = write_results(
        tmp_path,
        f"S-1,State Reading,{days_ago(30)},231,Proficient",
        f"classmate,State Reading,{days_ago(20)},,Below",
    )
    run(path, mapped)
    before = row_counts()

    again = run(path, mapped)

    assert again.created["ratings"] == 0 and again.unchanged["ratings"] == 3
    assert row_counts() == before
    more = write_results(
        tmp_path,
        f"S-1,State Reading,{days_ago(30)},231,Proficient",
        f"S-1,State Reading,{days_ago(10)},240,Advanced",
        name="more.csv",
    )
    report = run(more, mapped)
    assert (report.created["ratings"], report.unchanged["ratings"]) == (1, 2)


def test_a_dry_run_checks_and_counts_but_writes_nothing(tmp_path, mapped):
    path = write_results(tmp_path, f"S-1,State Reading,{days_ago(3)},1,Proficient")
    before = row_counts()

    report = run(path, mapped, dry_run=True)

    assert report.dry_run and report.created["ratings"] == 2
    assert report.extra["assessments"] == [
        {
            "name": "State Reading",
            "results": 1,
            "ratings": 2,
            "already_recorded": 0,
            "bands": {"Proficient": 1},
        }
    ]
    assert row_counts() == before


def test_one_identifier_naming_two_students_is_refused_not_guessed(tmp_path, mapped):
    world = mapped.world
    Person.objects.filter(pk=world.classmate.pk).update(sourced_id="student")
    path = write_results(tmp_path, f"student,State Reading,{days_ago(3)},1,Below")

    [problem] = refusal(path, mapped)

    assert problem.field == "student"
    assert "sourcedId of one student and the username of another" in problem.message


def test_a_result_before_the_students_first_enrolment_is_refused(tmp_path, mapped):
    world = mapped.world
    world.student.enrollment_set.update(enrolled_on=timezone.localdate() - timedelta(days=10))
    path = write_results(tmp_path, f"S-1,State Reading,{days_ago(30)},1,Below")

    [problem] = refusal(path, mapped)

    assert problem.field == "date" and "first enrolment" in problem.message


def test_a_rule_to_a_stage_retired_since_refuses_the_rows_that_use_it(tmp_path, mapped):
    world = mapped.world
    Stage.objects.filter(competency=world.competency, ordinal=2).update(retired=True)
    path = write_results(
        tmp_path,
        f"S-1,State Reading,{days_ago(3)},1,Below",
        f"classmate,State Reading,{days_ago(3)},1,Advanced",
    )

    [problem] = refusal(path, mapped)

    assert (problem.line, problem.field) == (3, "band")
    assert "Stage 2 of W1 is retired" in problem.message and "Change the mapping" in problem.message


def test_without_a_mapping_nothing_can_be_imported(tmp_path, world):
    path = write_results(tmp_path, f"student,State Reading,{days_ago(3)},1,Below")

    with pytest.raises(ImportRefused) as refused:
        import_results(path=path, source="r.csv", district=world.district, actor=None)

    assert "has no mapping of standardized results yet" in refused.value.problems[0].message


@pytest.mark.parametrize(
    ("content", "words", "line"),
    [
        (b"", "The file is empty", None),
        (b"PK\x03\x04rest of a workbook", "This is an Excel workbook", None),
        (b"student,assessment,date,score,band\n", "no results under it", None),
        (
            b"student,assessment,date,score,band\nS-1,Caf\xe9 test,2025-01-01,1,Below\n",
            "not UTF-8 text: byte 0xE9",
            2,
        ),
        (  # a quote never closed takes in the rest of the file
            b'student,assessment,date,score,band\nS-1,"open,2025-01-01,1,Below\n' + b"x\n" * 70_000,
            "not valid CSV: field larger than field limit",
            2,
        ),
    ],
)
def test_a_file_that_is_no_results_csv_is_refused_with_why(tmp_path, mapped, content, words, line):
    path = tmp_path / "r.csv"
    path.write_bytes(content)

    [problem] = refusal(path, mapped)

    assert words in problem.message and problem.line == line and problem.file == "r.csv"


def test_past_a_hundred_problems_the_rest_are_counted(tmp_path, mapped):
    rows = [f"nobody{n},State Reading,{days_ago(3)},1,Below" for n in range(130)]
    path = write_results(tmp_path, *rows)

    problems = refusal(path, mapped)

    assert len(problems) == reader.MAX_SHOWN + 1
    assert problems[-1].message.startswith("… and 30 more problems like these")


def test_results_are_checked_in_batches_and_a_repeat_is_found_across_them(
    tmp_path, mapped, monkeypatch
):
    monkeypatch.setattr(checking, "BATCH", 2)
    rows = [
        f"S-1,State Reading,{days_ago(9)},1,Below",
        f"classmate,State Reading,{days_ago(9)},1,Below",
        f"otherstudent,State Reading,{days_ago(9)},1,Proficient",
        f"farstudent,State Reading,{days_ago(9)},1,Advanced",
        f"S-1,State Reading,{days_ago(8)},1,Advanced",
    ]
    report = run(write_results(tmp_path, *rows), mapped)
    assert (report.created["ratings"], report.extra["students"]) == (6, 4)

    repeated = write_results(tmp_path, *rows, rows[0], name="again.csv")
    [problem] = refusal(repeated, mapped)
    assert problem.line == 7 and "Line 2 already gives" in problem.message


def test_the_import_is_audited_once_and_for_each_student(tmp_path, mapped):
    world = mapped.world
    path = write_results(
        tmp_path,
        f"S-1,State Reading,{days_ago(30)},231,Proficient",
        f"classmate,State Reading,{days_ago(20)},,Below",
        f"S-1,State Reading,{days_ago(10)},240,Advanced",
        name="spring.csv",
    )

    run(path, mapped)

    entries = AuditEntry.objects.filter(action="results.imported")
    about = entries.exclude(student=None)
    assert sorted(entry.student.username for entry in about) == ["classmate", "student"]
    assert all(entry.data == {"file": "spring.csv"} for entry in about)
    assert all(entry.actor == world.district_admin for entry in entries)
    [total] = entries.filter(student=None)
    assert total.district == world.district
    assert total.data == {
        "file": "spring.csv",
        "results": 3,
        "ratings": 4,
        "already_recorded": 0,
        "students": 2,
        "assessments": ["State Reading"],
    }


def test_the_operator_imports_with_no_assessor(tmp_path, mapped):
    path = write_results(tmp_path, f"S-1,State Reading,{days_ago(3)},1,Below")

    run(path, mapped, actor=None)

    assert Evidence.objects.get(source=EvidenceSource.STANDARDIZED).assessor is None


def test_a_rule_is_only_to_a_competency_of_the_district_and_a_stage_that_takes_ratings(mapped):
    world = mapped.world
    elsewhere = make_competency(
        framework_create(
            district=world.other_district_student.district,
            code="EW",
            title="Elsewhere writing",
            scale=scale_create(
                district=world.other_district_student.district,
                name="Elsewhere levels",
                levels=FOUR_LEVELS,
            ),
        ),
        "E1",
    )
    Stage.objects.filter(competency=world.competency, ordinal=3).update(retired=True)

    def add(**changes):
        rule = {
            "assessment": "State Math",
            "band": "Level 3",
            "competency": world.competency,
            "stage": 1,
            "level": "3",
        }
        with pytest.raises(InvalidInput) as refused:
            result_mapping_add(actor=None, district=world.district, **(rule | changes))
        return refused.value.errors

    assert add(competency=elsewhere) == {"competency": "Choose a competency of the district."}
    assert add(stage=3) == {"stage": "Stage 3 of W1 is retired: it takes no new ratings."}
    assert add(level="x", stage=None) == {
        "level": "Give the level as a number on the competency's scale.",
        "stage": "Give the stage's number: 1 is the first.",
    }
    assert ResultMapping.objects.count() == 4
