"""Delta files update and deactivate by sourcedId; bulk files end imported memberships and
roles their rows no longer state. Nothing is ever deleted, and nothing made by hand ends."""

from pathlib import Path

import pytest

from proficio.interop.oneroster.writer import import_oneroster
from proficio.interop.report import ImportRefused
from proficio.people.models import (
    District,
    Enrollment,
    Person,
    Role,
    RoleAssignment,
    TeachingAssignment,
)
from proficio.people.services import role_assign, section_enroll
from tests.interop.oneroster_support import PACKAGE_1_1, copy_package, edit, replace, row_counts

pytestmark = pytest.mark.django_db

STAMP = "2026-01-12T07:30:00Z"
USERS_1_1 = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
)
ENROLLMENTS = (
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
    "primary,beginDate,endDate"
)


def delta(tmp_path: Path, **files: list[str]) -> Path:
    """A 1.1 delta package holding only `files` (name → header and rows)."""
    folder = tmp_path / "delta"
    folder.mkdir()
    manifest = ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.1"]
    manifest += [f"file.{name},delta" for name in files]
    (folder / "manifest.csv").write_text("\n".join(manifest) + "\n")
    for name, lines in files.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")
    return folder


def enrolled(username: str, section: str) -> bool:
    return Enrollment.objects.get(student__username=username, section__sourced_id=section).active


@pytest.fixture
def imported(db):
    return import_oneroster(PACKAGE_1_1)


def test_a_deleted_user_is_deactivated_with_their_roles_and_enrollments(imported, tmp_path):
    package = delta(tmp_path, users=[USERS_1_1, f"u-s-05,tobedeleted,{STAMP}" + "," * 15])
    before = row_counts()

    report = import_oneroster(package)

    noah = Person.objects.get(username="noah.patel")
    assert not noah.is_active
    assert not noah.roles.filter(active=True).exists()
    assert not enrolled("noah.patel", "cl-sci-p3") and not enrolled("noah.patel", "cl-ela-studio")
    assert row_counts() == before, "deactivated, never deleted"
    assert report.extra["deactivated"] == {"users": 1, "roles": 1, "enrollments": 2}
    assert report.created == {} and report.updated == {}


def test_active_delta_rows_update_and_may_refer_to_what_proficio_holds(imported, tmp_path):
    package = delta(
        tmp_path,
        users=[
            USERS_1_1,
            f"u-s-04,active,{STAMP},true,s-lake,student,ava.nguyen,,Ava,Nguyen-Tran,,100204,"
            "ava.nguyen@students.maplevalley.example.us,,,,07,",
        ],
        enrollments=[
            ENROLLMENTS,
            f"e-0102,tobedeleted,{STAMP},,,,,,,",
            f"e-0300,active,{STAMP},cl-ela-studio,s-lake,u-s-06,student,false,2026-01-12,",
        ],
    )

    report = import_oneroster(package)

    ava = Person.objects.get(username="ava.nguyen")
    assert (ava.last_name, ava.age_grade) == ("Nguyen-Tran", 7)
    assert not enrolled("liam.oconnor", "cl-math7-p1")
    assert enrolled("chloe.dubois", "cl-ela-studio")
    assert enrolled("liam.oconnor", "cl-ela-studio"), "a delta file ends only what it names"
    assert report.updated == {"users": 1}
    assert report.created == {"enrollments": 1}
    assert report.extra["deactivated"] == {"enrollments": 1}


def test_deleting_what_proficio_never_had_is_skipped(imported, tmp_path):
    package = delta(
        tmp_path,
        users=[USERS_1_1, f"u-gone,tobedeleted,{STAMP}" + "," * 15],
        enrollments=[ENROLLMENTS, f"e-gone,tobedeleted,{STAMP},,,,,,,"],
    )

    with pytest.raises(ImportRefused) as refused:
        import_oneroster(package)  # from the command line: nothing says whose records they are
    assert [str(problem) for problem in refused.value.problems] == [
        "orgs.csv: type: names no org of type district, and nothing else in the package is in "
        "Proficio yet: add the district to orgs.csv."
    ]

    report = import_oneroster(package, into=District.objects.get(sourced_id="d-mvusd"))

    assert report.skipped == {"users": 1, "enrollments": 1}
    assert report.extra["deactivated"] == {}


def test_a_delta_row_needs_its_status_and_date(imported, tmp_path):
    package = delta(
        tmp_path, enrollments=[ENROLLMENTS, "e-0102,,,cl-math7-p1,s-lake,u-s-03,student,,,"]
    )

    with pytest.raises(ImportRefused) as refused:
        import_oneroster(package)

    assert [(p.file, p.line, p.field) for p in refused.value.problems] == [
        ("enrollments.csv", 2, "status"),
        ("enrollments.csv", 2, "dateLastModified"),
    ]


def test_a_deleted_class_ends_its_memberships_and_keeps_the_section(imported, tmp_path):
    classes = (
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
    )
    package = delta(tmp_path, classes=[classes, f"cl-sci-p3,tobedeleted,{STAMP}" + "," * 11])

    report = import_oneroster(package)

    assert not Enrollment.objects.filter(section__sourced_id="cl-sci-p3", active=True).exists()
    assert not TeachingAssignment.objects.filter(
        section__sourced_id="cl-sci-p3", active=True
    ).exists()
    assert Enrollment.objects.filter(section__sourced_id="cl-sci-p3").count() == 3
    assert report.extra["deactivated"] == {"classes": 1, "enrollments": 4}


def test_a_bulk_file_ends_the_imported_memberships_it_no_longer_holds(imported, tmp_path, world):
    from proficio.people.models import Section

    science = Section.objects.get(sourced_id="cl-sci-p3")
    section_enroll(section=science, student=world.far_student)  # added by hand in Proficio
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(
        package,
        "enrollments.csv",
        replace("e-0106,,,cl-sci-p3,s-lake,u-s-05,student,false,2025-08-18,2025-12-19\n", ""),
    )

    report = import_oneroster(package)

    assert not enrolled("noah.patel", "cl-sci-p3")
    assert enrolled("noah.patel", "cl-ela-studio")
    assert Enrollment.objects.get(section=science, student=world.far_student).active
    assert report.extra["deactivated"] == {"enrollments": 1}


def test_a_student_who_moved_school_keeps_only_the_new_schools_role(imported, tmp_path, world):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(
        package,
        "users.csv",
        replace("u-s-08,,,true,s-cedar,student", "u-s-08,,,true,s-lake,student"),
    )
    zara = Person.objects.get(username="zara.ahmed")
    lakeview = world.district  # any district: a role made by hand is never ended by a roster
    role_assign(person=zara, role=Role.GUARDIAN, district=lakeview)

    report = import_oneroster(package)

    held = {
        (a.role, a.school.sourced_id if a.school else None)
        for a in RoleAssignment.objects.filter(person=zara, active=True)
    }
    assert held == {(Role.STUDENT, "s-lake"), (Role.GUARDIAN, None)}
    assert report.created == {"roles": 1}
    assert report.extra["deactivated"] == {"roles": 1}
