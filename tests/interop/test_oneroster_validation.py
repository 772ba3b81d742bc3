"""Each rule a package must keep, each problem located by file, line and column; and the
untidiness of real exports that is repaired and said so."""

import codecs
from collections.abc import Callable
from pathlib import Path

import pytest

from proficio.interop.oneroster.writer import import_oneroster
from proficio.interop.report import ImportRefused
from proficio.people.models import District, Person
from proficio.people.services import district_create
from tests.interop.oneroster_support import (
    PACKAGE_1_1,
    PACKAGE_1_2,
    copy_package,
    edit,
    line_of,
    replace,
    row_counts,
)

pytestmark = pytest.mark.django_db


def problems_of(package: Path, **options) -> list[tuple[str, int | None, str | None, str]]:
    before = row_counts()
    with pytest.raises(ImportRefused) as refused:
        import_oneroster(package, **options)
    assert row_counts() == before
    return [(p.file, p.line, p.field, p.message) for p in refused.value.problems]


# (package, file, old, new, column, what the message says); the problem is on the changed line.
RULES = [
    (
        PACKAGE_1_1,
        "classes.csv",
        "scheduled,Room 204",
        "lecture,Room 204",
        "classType",
        "'lecture' is not one of: homeroom, scheduled.",
    ),
    (
        PACKAGE_1_1,
        "academicSessions.csv",
        "2025-10-17",
        "10/17/2025",
        "endDate",
        "'10/17/2025' is not a date (YYYY-MM-DD).",
    ),
    (
        PACKAGE_1_1,
        "academicSessions.csv",
        "Spring 2026,semester,2026-01-05",
        "Spring 2026,semester,2026-07-05",
        "endDate",
        "2026-06-12 is before the start date 2026-07-05.",
    ),
    (
        PACKAGE_1_1,
        "academicSessions.csv",
        "t-fall,2026",
        "t-fall,25-26",
        "schoolYear",
        "'25-26' is not a year (YYYY).",
    ),
    (
        PACKAGE_1_1,
        "users.csv",
        "u-t-02,,,true,s-lake,teacher",
        "u-t-02,,,true,d-mvusd,teacher",
        "orgSourcedIds",
        "a teacher belongs to a school; none is named.",
    ),
    (
        PACKAGE_1_1,
        "users.csv",
        "u-t-02,,,true,s-lake,teacher",
        "u-t-02,,,true,s-moon,teacher",
        "orgSourcedIds",
        "'s-moon' is not an org in the package or in Proficio.",
    ),
    (
        PACKAGE_1_1,
        "users.csv",
        "u-t-02,,,true,s-lake,teacher",
        "u-t-02,,,yes,s-lake,teacher",
        "enabledUser",
        "'yes' is not true or false.",
    ),
    (
        PACKAGE_1_1,
        "users.csv",
        "u-t-02,,,true,s-lake,teacher",
        "u-t-02,,,true,s-lake,janitor",
        "role",
        "'janitor' is not one of: administrator, aide, guardian, parent, proctor, relative, "
        "student, teacher.",
    ),
    (
        PACKAGE_1_1,
        "users.csv",
        "maplevalley.example.us,,,,06,",
        "maplevalley.example.us,,,,seventh,",
        "grades",
        "'seventh' is not a CEDS grade (KG, 01–13, …).",
    ),
    (
        PACKAGE_1_1,
        "users.csv",
        ",,,u-p-03,06,",
        ",,,u-p-99,06,",
        "agentSourcedIds",
        "'u-p-99' is not a user in the package or in Proficio.",
    ),
    (
        PACKAGE_1_1,
        "users.csv",
        ",dkim,",
        ",praman,",
        "username",
        "'praman' is already used on line 4.",
    ),
    (PACKAGE_1_1, "users.csv", "Daniel,Kim", ",Kim", "givenName", "is required."),
    (
        PACKAGE_1_1,
        "classes.csv",
        "s-lake,t-fall,Science",
        "s-lake,t-winter,Science",
        "termSourcedIds",
        "'t-winter' is not an academic session in the package or in Proficio.",
    ),
    (
        PACKAGE_1_1,
        "classes.csv",
        "Room 12,s-cedar",
        "Room 12,d-mvusd",
        "schoolSourcedId",
        "'d-mvusd' is not a school.",
    ),
    (
        PACKAGE_1_1,
        "enrollments.csv",
        "e-0113,,,cl-read-35,s-cedar",
        "e-0113,,,cl-read-35,s-lake",
        "schoolSourcedId",
        "'s-lake' is not the school of class 'cl-read-35' ('s-cedar').",
    ),
    (
        PACKAGE_1_1,
        "enrollments.csv",
        "cl-k-hr,s-cedar,u-t-03,teacher",
        "cl-k-hr,s-cedar,u-t-01,teacher",
        "userSourcedId",
        "'u-t-01' is enrolled as a teacher but holds no teacher role at 's-cedar'.",
    ),
    (
        PACKAGE_1_1,
        "enrollments.csv",
        "cl-k-hr,s-cedar,u-s-12,student",
        "cl-k-hr,s-cedar,u-p-01,student",
        "userSourcedId",
        "'u-p-01' is enrolled as a student but holds no student role.",
    ),
    (
        PACKAGE_1_1,
        "enrollments.csv",
        "u-s-12,student,false,2025-08-18",
        "u-s-12,student,sometimes,2025-08-18",
        "primary",
        "'sometimes' is not true or false.",
    ),
    (
        PACKAGE_1_1,
        "orgs.csv",
        "Cedar Ridge Elementary School,school",
        "Lakeview Middle School,school",
        "name",
        "'Lakeview Middle School' is already a school on line 3.",
    ),
    (
        PACKAGE_1_1,
        "orgs.csv",
        "Lakeview Science Department,department",
        "Lakeview Science Department,faculty",
        "type",
        "'faculty' is not one of: department, school, district, local, state, national.",
    ),
    (
        PACKAGE_1_2,
        "roles.csv",
        "hp-t-2,primary,teacher,2026-08-24,2027-06-11,s-north",
        "hp-t-2,primary,teacher,2026-08-24,2027-06-11,d-hpps",
        "orgSourcedId",
        "a teacher belongs to a school; 'd-hpps' is a district.",
    ),
    (
        PACKAGE_1_2,
        "roles.csv",
        "districtAdministrator,2021-07-01,,d-hpps",
        "districtAdministrator,2021-07-01,,s-bay",
        "orgSourcedId",
        "a districtAdministrator belongs to a district; 's-bay' is a school.",
    ),
    (
        PACKAGE_1_2,
        "roles.csv",
        "hp-s-9,primary,student",
        "hp-s-9,main,student",
        "roleType",
        "'main' is not one of: primary, secondary.",
    ),
    (
        PACKAGE_1_2,
        "roles.csv",
        "r-c-1,active,2026-08-01T06:00:00.000Z,hp-c-1",
        "r-c-1,active,2026-08-01T06:00:00.000Z,hp-c-99",
        "userSourcedId",
        "'hp-c-99' is not a user in the package or in Proficio.",
    ),
    (
        PACKAGE_1_2,
        "users.csv",
        "hp-s-5,active,2026-08-01T06:00:00.000Z",
        "hp-s-5,retired,2026-08-01T06:00:00.000Z",
        "status",
        "'retired' is not active or tobedeleted.",
    ),
    (
        PACKAGE_1_2,
        "users.csv",
        "hp-s-5,active,2026-08-01T06:00:00.000Z",
        "hp-s-5,active,yesterday",
        "dateLastModified",
        "'yesterday' is not an ISO 8601 date-time.",
    ),
]


@pytest.mark.parametrize(
    ("package", "file", "old", "new", "column", "message"),
    RULES,
    ids=[f"{rule[1]}:{rule[4]}:{rule[5][:30]}" for rule in RULES],
)
def test_a_broken_rule_is_refused_at_its_place(tmp_path, package, file, old, new, column, message):
    copy = copy_package(package, tmp_path)
    edit(copy, file, replace(old, new))

    assert problems_of(copy) == [(file, line_of(package, file, old), column, message)]


def test_a_username_held_in_another_district_is_refused(world, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "users.csv", replace(",dkim,", f",{world.other_district_teacher.username},"))

    assert problems_of(package) == [
        (
            "users.csv",
            line_of(package, "users.csv", "u-t-02"),
            "username",
            "'elsewhereteacher' belongs to another account.",
        )
    ]


def test_a_person_made_by_hand_in_the_district_is_matched_by_username(world, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "users.csv", replace(",dkim,", ",teacher,"))

    report = import_oneroster(package, into=world.district)

    world.teacher.refresh_from_db()
    assert (world.teacher.sourced_id, world.teacher.first_name) == ("u-t-02", "Daniel")
    assert world.teacher.has_usable_password(), "the password they chose stays"
    assert any("matched a person with the same username" in line for line in report.fixed)


def test_a_package_for_another_district_is_refused(world, tmp_path):
    elsewhere = District.objects.get(name="Elsewhere")
    elsewhere.sourced_id = "d-elsewhere"
    elsewhere.save()

    assert problems_of(PACKAGE_1_1, into=elsewhere) == [
        ("orgs.csv", 2, "sourcedId", "The roster belongs to another district.")
    ]


def test_a_package_may_hold_one_district_only(tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "orgs.csv", replace("Lakeview Science Department,department", "Second,district"))

    assert problems_of(package) == [
        ("orgs.csv", 5, "type", "a package holds one district; line 2 is one already.")
    ]


def test_a_package_without_a_district_needs_one_proficio_knows(tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(
        package,
        "orgs.csv",
        replace("d-mvusd,,,Maple Valley Unified School District,district,0612345,\n", ""),
    )

    problems = problems_of(package)

    assert problems[0] == (
        "orgs.csv",
        None,
        "type",
        "names no org of type district, and nothing else in the package is in Proficio yet: "
        "add the district to orgs.csv.",
    )


def test_a_package_without_a_district_lands_where_its_schools_are(tmp_path):
    import_oneroster(PACKAGE_1_1)
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(
        package,
        "orgs.csv",
        replace("d-mvusd,,,Maple Valley Unified School District,district,0612345,\n", ""),
    )
    edit(package, "users.csv", replace("u-admin-01,,,true,d-mvusd", "u-admin-01,,,true,s-lake"))

    report = import_oneroster(package)

    assert report.extra["district"]["sourced_id"] == "d-mvusd"
    assert report.created == {"roles": 1}, "Renee's district role became a school one"
    assert report.extra["deactivated"] == {"roles": 1}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda folder: (folder / "manifest.csv").unlink(),
            [
                (
                    "manifest.csv",
                    None,
                    None,
                    "is missing: a OneRoster package names its files in it.",
                )
            ],
        ),
        (
            lambda folder: edit(
                folder, "manifest.csv", replace("oneroster.version,1.1", "oneroster.version,1.0")
            ),
            [
                (
                    "manifest.csv",
                    3,
                    "value",
                    "OneRoster version '1.0' is not supported; Proficio reads 1.1 and 1.2.",
                )
            ],
        ),
        (
            lambda folder: (folder / "courses.csv").unlink(),
            [("manifest.csv", 8, "value", "names courses.csv as bulk, but the package lacks it.")],
        ),
        (
            lambda folder: edit(
                folder, "manifest.csv", replace("file.users,bulk", "file.users,full")
            ),
            [("manifest.csv", 16, "value", "'full' is not one of bulk, delta, absent.")],
        ),
        (
            lambda folder: edit(
                folder, "orgs.csv", replace("identifier,parentSourcedId", "identifier,name")
            ),
            [("orgs.csv", 1, "name", "appears twice in the header.")],
        ),
        (
            lambda folder: (folder / "users.csv").write_bytes(
                codecs.BOM_UTF16_LE + (folder / "users.csv").read_text().encode("utf-16-le")
            ),
            [("users.csv", 1, None, "is UTF-16; save it as UTF-8.")],
        ),
        (
            lambda folder: (folder / "users.csv").write_text(""),
            [("users.csv", None, None, "is empty: it needs at least a header line.")],
        ),
    ],
    ids=[
        "no manifest",
        "version 1.0",
        "file missing",
        "bad mode",
        "duplicate column",
        "utf-16",
        "empty",
    ],
)
def test_a_package_that_cannot_be_read(tmp_path, change: Callable[[Path], None], expected):
    package = copy_package(PACKAGE_1_1, tmp_path)
    change(package)

    assert problems_of(package) == expected


def test_untidy_values_are_repaired_and_reported(tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(
        package,
        "users.csv",
        replace(
            "ava.nguyen@students.maplevalley.example.us,,,,06,",
            "ava.nguyen@students.maplevalley.example.us,,,,6,",
        ),
    )
    edit(package, "users.csv", replace("s-lake,teacher,dkim", "s-lake,Teacher,dkim"))
    edit(package, "users.csv", replace("swhitfield@maplevalley.k12.example.us", "n/a"))
    edit(
        package,
        "orgs.csv",
        replace("identifier,parentSourcedId", "identifier,parentSourcedId,nces_locale"),
    )
    edit(
        package,
        "orgs.csv",
        lambda text: text.replace("\n", ",\n").replace("nces_locale,", "nces_locale"),
    )
    edit(package, "orgs.csv", lambda text: "\ufeff" + text)

    report = import_oneroster(package)

    assert Person.objects.get(username="ava.nguyen").age_grade == 6
    assert Person.objects.get(username="swhitfield").email == ""
    lines = {
        "users": line_of(package, "users.csv", "u-s-04"),
        "role": line_of(package, "users.csv", "dkim"),
        "email": line_of(package, "users.csv", "swhitfield"),
    }
    assert f"users.csv (line {lines['users']}): read grade '6' as 06." in report.fixed
    assert f"users.csv (line {lines['role']}): read role 'Teacher' as 'teacher'." in report.fixed
    assert (
        f"users.csv (line {lines['email']}): left an email that is not an address out."
        in report.fixed
    )
    assert "orgs.csv: ignored the column(s) nces_locale." in report.fixed
    assert "orgs.csv: removed the byte-order mark at its start." in report.fixed


def test_a_file_the_manifest_marks_absent_is_not_read(tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "manifest.csv", replace("file.demographics,bulk", "file.demographics,absent"))
    edit(package, "demographics.csv", lambda text: text + 'not,even,csv,"\n')

    report = import_oneroster(package)

    assert "demographics.csv: not read; the manifest marks it absent." in report.fixed
    assert "demographics" not in report.skipped


def test_a_district_with_its_own_sourced_id_is_not_claimed(world, tmp_path):
    other = district_create(name="Other")
    import_oneroster(PACKAGE_1_2, into=other)

    assert problems_of(PACKAGE_1_1, into=other) == [
        ("orgs.csv", 2, "sourcedId", "The roster belongs to another district.")
    ]
