"""demographics.csv, OneRoster 1.1 and 1.2: students' demographics kept for the equity reports,
checked like every other file, matched to people by sourcedId, updated by a re-import and
deleted (not kept stale) when the source no longer holds them."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from proficio.interop.importers import ROSTER
from proficio.interop.oneroster.writer import import_oneroster
from proficio.interop.report import ImportRefused
from proficio.people.api import StudentDemographics, demographics_of
from proficio.people.models import Demographics, Person
from tests.interop.demographics_support import (
    DEMOGRAPHICS_HEADER,
    Student,
    crafted_roster,
    student_id,
)
from tests.interop.oneroster_support import (
    PACKAGE_1_1,
    PACKAGE_1_2,
    copy_package,
    edit,
    line_of,
    replace,
    row_counts,
    zip_package,
)

pytestmark = pytest.mark.django_db

STAMP = "2026-01-12T07:30:00Z"


def held(username: str) -> StudentDemographics | None:
    person = Person.objects.get(username=username)
    return demographics_of([person.pk]).get(person.pk)


def problems_of(package: Path) -> list[tuple[str, int | None, str | None, str]]:
    before = row_counts()
    with pytest.raises(ImportRefused) as refused:
        import_oneroster(package)
    assert row_counts() == before, "a refused package writes nothing"
    return [(p.file, p.line, p.field, p.message) for p in refused.value.problems]


def with_demographics_1_2(tmp_path: Path, *rows: str) -> Path:
    """The 1.2 test package with a bulk demographics.csv of these rows."""
    package = copy_package(PACKAGE_1_2, tmp_path)
    edit(package, "manifest.csv", replace("file.demographics,absent", "file.demographics,bulk"))
    (package / "demographics.csv").write_text("\n".join([DEMOGRAPHICS_HEADER, *rows]) + "\n")
    return package


def test_a_1_1_package_keeps_its_students_demographics():
    report = import_oneroster(PACKAGE_1_1)

    assert report.created["demographics"] == 3
    assert held("mateo.alvarez") == StudentDemographics(
        birth_date=date(2012, 11, 3),
        sex="male",
        american_indian_or_alaska_native=False,
        asian=False,
        black_or_african_american=False,
        native_hawaiian_or_other_pacific_islander=False,
        white=True,
        two_or_more_races=False,
        hispanic_or_latino=True,
    )
    assert held("ava.nguyen").sex == "female" and held("ava.nguyen").asian is True
    assert held("liam.oconnor") is None, "no row for him: nothing is held"
    # Places of birth are read, never kept.
    assert {field.name for field in Demographics._meta.fields} >= {"birth_date", "white"}
    assert not {"city_of_birth", "country_of_birth_code"} & {
        field.name for field in Demographics._meta.fields
    }
    assert (
        "demographics.csv: cityOfBirth, countryOfBirthCode, stateOfBirthAbbreviation not kept; "
        "no report needs them."
    ) in report.fixed
    assert report.extra["files"]["demographics.csv"] == {"mode": "bulk", "rows": 3}


def test_a_1_2_package_keeps_1_2_values_and_blanks_as_not_reported(tmp_path):
    package = with_demographics_1_2(
        tmp_path,
        "hp-s-1,active,2026-08-01T06:00:00.000Z,2009-03-14,other,,,,,,,,,,,",
        "hp-s-2,,,,unspecified,false,false,true,false,false,false,false,,,,",
        "hp-s-3,,,2010-01-30,Female,TRUE,false,false,false,true,true,,US,WA,Seattle,",
    )

    report = import_oneroster(package)

    assert report.created["demographics"] == 3
    assert held("alexander.lowe") == StudentDemographics(birth_date=date(2009, 3, 14), sex="other")
    grace = held("grace.lowe")
    assert (grace.sex, grace.black_or_african_american, grace.birth_date) == (
        "unspecified",
        True,
        None,
    )
    mia = held("mia.reyes")
    assert (mia.sex, mia.american_indian_or_alaska_native, mia.two_or_more_races) == (
        "female",
        True,
        True,
    )
    assert mia.hispanic_or_latino is None, "blank: not reported"
    line = line_of(package, "demographics.csv", "hp-s-3")
    assert f"demographics.csv (line {line}): read sex 'Female' as 'female'." in report.fixed


def test_a_zip_imports_its_demographics_like_its_folder(tmp_path):
    archive = zip_package(copy_package(PACKAGE_1_1, tmp_path), tmp_path / "roster.zip")

    assert import_oneroster(archive).created["demographics"] == 3
    assert Demographics.objects.count() == 3


def test_a_roster_without_demographics_imports_as_before():
    report = import_oneroster(PACKAGE_1_2)

    assert "demographics" not in report.created and "demographics" not in report.skipped
    assert Demographics.objects.count() == 0
    summary = ROSTER.summary(report.as_dict(), done=False)
    assert "Students' demographics" not in [label for label, _numbers in summary.counts.rows]


def test_the_preview_counts_them(tmp_path):
    report = import_oneroster(PACKAGE_1_1, dry_run=True)

    assert Demographics.objects.count() == 0, "a preview writes nothing"
    summary = ROSTER.summary(report.as_dict(), done=False)
    assert ("Students' demographics", [3, 0, 0, 0]) in summary.counts.rows


def test_a_second_import_changes_nothing_and_a_changed_row_updates(tmp_path):
    import_oneroster(PACKAGE_1_1)
    before = row_counts()

    again = import_oneroster(PACKAGE_1_1)
    assert row_counts() == before
    assert again.unchanged["demographics"] == 3 and "demographics" not in again.updated

    package = copy_package(PACKAGE_1_1, tmp_path)
    # Mateo's sex and Hispanic or Latino ethnicity are now left blank: no longer reported.
    edit(
        package,
        "demographics.csv",
        replace(
            "u-s-01,,,2012-11-03,male,false,false,false,false,true,false,true,",
            "u-s-01,,,2012-11-04,,false,false,false,false,true,false,,",
        ),
    )
    changed = import_oneroster(package)

    assert changed.updated["demographics"] == 1 and changed.unchanged["demographics"] == 2
    mateo = held("mateo.alvarez")
    assert (mateo.birth_date, mateo.sex, mateo.hispanic_or_latino) == (
        date(2012, 11, 4),
        "",
        None,
    )
    assert mateo.white is True


def test_a_bulk_file_that_leaves_a_student_out_deletes_theirs(tmp_path):
    import_oneroster(PACKAGE_1_1)
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "demographics.csv", lambda text: "\n".join(text.splitlines()[:3]) + "\n")

    dry = import_oneroster(package, dry_run=True)
    assert dry.extra["removed"] == {"demographics": 1}
    assert held("oliver.chen") is not None, "a preview deletes nothing"
    summary = ROSTER.summary(dry.as_dict(), done=False)
    assert any("demographics deleted" in warning for warning in summary.warnings)

    report = import_oneroster(package)

    assert report.extra["removed"] == {"demographics": 1}
    assert held("oliver.chen") is None
    assert held("mateo.alvarez") is not None


def test_a_delta_row_tobedeleted_deletes_them_and_others_stay(tmp_path):
    import_oneroster(PACKAGE_1_1)
    folder = tmp_path / "delta"
    folder.mkdir()
    (folder / "manifest.csv").write_text(
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.demographics,delta\n"
    )
    (folder / "demographics.csv").write_text(
        f"{DEMOGRAPHICS_HEADER}\n"
        f"u-s-04,tobedeleted,{STAMP},,,,,,,,,,,,,\n"
        f"u-s-05,tobedeleted,{STAMP},,,,,,,,,,,,,\n"
        f"u-s-09,active,{STAMP},2020-06-30,female,,,,,,,,,,,\n"
    )

    report = import_oneroster(folder)

    assert held("ava.nguyen") is None
    assert held("oliver.chen").sex == "female" and held("oliver.chen").asian is None
    assert held("mateo.alvarez") is not None, "a delta file ends only what it names"
    assert report.extra["removed"] == {"demographics": 1}
    assert report.skipped["demographics"] == 1, "Noah had none to delete"


def test_staff_demographics_are_not_kept(tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "demographics.csv", lambda text: text + "u-t-01,,,1985-02-02,female,,,,,,,,,,,\n")

    report = import_oneroster(package)

    assert report.skipped["demographics"] == 1
    assert held("praman") is None
    line = line_of(package, "demographics.csv", "u-t-01")
    assert (
        f"demographics.csv (line {line}): not kept: Proficio keeps the demographics of students."
    ) in report.fixed


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        (
            "2014-02-17,female",
            "17/02/2014,female",
            "birthDate",
            "'17/02/2014' is not a date (YYYY-MM-DD).",
        ),
        ("2014-02-17,female", "2014-02-17,woman", "sex", "'woman' is not one of: female, male."),
        (
            "female,false,true",
            "female,false,yes",
            "asian",
            "'yes' is not true or false (or blank).",
        ),
        (
            "u-s-04,,,",
            "u-s-99,,,",
            "sourcedId",
            "'u-s-99' is not a user in the package or in Proficio.",
        ),
    ],
    ids=["date", "sex", "flag", "unknown"],
)
def test_a_bad_value_is_a_problem_at_its_file_line_and_column(tmp_path, old, new, column, message):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "demographics.csv", replace(old, new))

    assert problems_of(package) == [("demographics.csv", 3, column, message)]


def test_a_birth_date_in_the_future_and_a_repeated_student_are_refused(tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    tomorrow = date.today() + timedelta(days=2)
    edit(package, "demographics.csv", replace("2014-02-17", tomorrow.isoformat()))
    edit(package, "demographics.csv", lambda text: text + "u-s-09,,,2020-06-30,male,,,,,,,,,,,\n")

    assert problems_of(package) == [
        ("demographics.csv", 5, "sourcedId", "'u-s-09' is already used on line 4."),
        ("demographics.csv", 3, "birthDate", f"{tomorrow} is in the future."),
    ]


def test_1_1_may_use_the_1_2_sex_values_and_an_extension_reads_as_other(tmp_path):
    students = [Student(sex="unspecified"), Student(sex="ext:nonbinary"), Student(sex="MALE")]
    package = crafted_roster(tmp_path / "roster", students, version="1.1")

    report = import_oneroster(package)

    ids = dict(Person.objects.values_list("sourced_id", "pk"))
    sexes = {sid: demographics_of([ids[sid]])[ids[sid]].sex for sid in map(student_id, (1, 2, 3))}
    assert sexes == {"u-s-001": "unspecified", "u-s-002": "other", "u-s-003": "male"}
    assert (
        "demographics.csv (line 2): read sex 'unspecified' as OneRoster 1.2 does." in report.fixed
    )
    assert "demographics.csv (line 3): read sex 'ext:nonbinary' as 'other'." in report.fixed


def test_a_crafted_1_2_roster_gives_each_student_theirs(tmp_path):
    students = [Student(sex="female", races=("asian",), hispanic="true")] * 3 + [
        Student(listed=False)
    ]
    package = crafted_roster(tmp_path / "roster", students)

    report = import_oneroster(package)

    assert report.created["demographics"] == 3
    ids = [Person.objects.get(sourced_id=student_id(n)).pk for n in range(1, 5)]
    held_ = demographics_of(ids)
    assert set(held_) == set(ids[:3])
    assert all(d.asian and d.hispanic_or_latino and d.white is False for d in held_.values())


def test_the_command_line_shows_what_was_removed(cli, tmp_path):
    import_oneroster(PACKAGE_1_1)
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "demographics.csv", lambda text: "\n".join(text.splitlines()[:2]) + "\n")

    result = cli("import", "oneroster", str(package))

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[1].split() == [
        "created",
        "updated",
        "unchanged",
        "deactivated",
        "removed",
        "skipped",
    ]
    assert ["demographics", "0", "0", "1", "0", "2", "0"] in [line.split() for line in lines]
    assert cli("import", "oneroster", str(package), "--json").json()["removed"] == {}
