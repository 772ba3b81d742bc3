"""Importing the OneRoster 1.1 and 1.2 test packages: who, what roles, which classes."""

from datetime import date

import pytest
from django.contrib.auth.hashers import check_password

from proficio.interop.oneroster.writer import import_oneroster
from proficio.people.models import (
    AcademicSession,
    District,
    Enrollment,
    GuardianLink,
    Person,
    Role,
    RoleAssignment,
    School,
    Section,
    TeachingAssignment,
)
from tests.interop.oneroster_support import (
    PACKAGE_1_1,
    PACKAGE_1_2,
    TEACHER_1_1,
    copy_package,
    row_counts,
    zip_package,
)

pytestmark = pytest.mark.django_db


def roles_of(username: str) -> set[tuple[str, str | None]]:
    return {
        (assignment.role, assignment.school.name if assignment.school else None)
        for assignment in RoleAssignment.objects.filter(person__username=username, active=True)
    }


def children_of(username: str) -> dict[str, str]:
    return {
        link.student.username: link.relationship
        for link in GuardianLink.objects.filter(guardian__username=username)
    }


def members(section: Section) -> tuple[set[str], dict[str, bool]]:
    students = {e.student.username for e in Enrollment.objects.filter(section=section, active=True)}
    teachers = {
        t.teacher.username: t.primary
        for t in TeachingAssignment.objects.filter(section=section, active=True)
    }
    return students, teachers


def test_a_1_1_package_gives_the_district_its_schools_people_and_roles():
    report = import_oneroster(PACKAGE_1_1)

    district = District.objects.get(sourced_id="d-mvusd")
    assert district.name == "Maple Valley Unified School District"
    assert set(School.objects.filter(district=district).values_list("name", "sourced_id")) == {
        ("Lakeview Middle School", "s-lake"),
        ("Cedar Ridge Elementary School", "s-cedar"),
    }
    assert Person.objects.filter(district=district).count() == 25
    assert roles_of("rokafor") == {(Role.DISTRICT_ADMIN, None)}
    assert roles_of("therrera") == {(Role.SCHOOL_ADMIN, "Lakeview Middle School")}
    assert roles_of("praman") == {(Role.TEACHER, "Lakeview Middle School")}
    assert roles_of("lortega") == {
        (Role.TEACHER, "Lakeview Middle School"),
        (Role.TEACHER, "Cedar Ridge Elementary School"),
    }
    assert roles_of("oliver.chen") == {(Role.STUDENT, "Cedar Ridge Elementary School")}
    assert roles_of("hzhang") == {(Role.GUARDIAN, None)}
    assert roles_of("swhitfield") == set(), "an aide gets no role, so no access"
    assert report.created == {
        "orgs": 3,
        "users": 25,
        "roles": 25,
        "guardian_links": 5,
        "classes": 5,
        "enrollments": 25,
        "academic_sessions": 4,
        "demographics": 3,
    }
    assert report.skipped == {"orgs": 1, "roles": 1, "enrollments": 1}


def test_1_1_people_keep_their_names_grades_and_sign_in_state():
    import_oneroster(PACKAGE_1_1)

    tomas = Person.objects.get(username="therrera")
    assert (tomas.first_name, tomas.last_name, tomas.email) == (
        "Tomás",
        "Herrera",
        "therrera@maplevalley.k12.example.us",
    )
    assert Person.objects.get(username="liam.oconnor").last_name == "O'Connor"
    grades = dict(
        Person.objects.filter(sourced_id__startswith="u-s-").values_list("username", "age_grade")
    )
    assert grades["oliver.chen"] == 0
    assert grades["ava.nguyen"] == 6
    assert grades["mateo.alvarez"] == 7
    assert not Person.objects.get(username="kai.nakamura").is_active, "enabledUser false"
    assert not Person.objects.get(username="mateo.alvarez").has_usable_password()


def test_agents_become_guardian_links_from_either_side():
    import_oneroster(PACKAGE_1_1)

    # Maria lists both children and both children list her: one link each.
    assert children_of("malvarez") == {"mateo.alvarez": "parent", "sofia.alvarez": "parent"}
    assert children_of("joconnor") == {"liam.oconnor": "guardian"}
    assert children_of("hzhang") == {"ethan.brooks": "relative"}
    assert children_of("rnguyen") == {"ava.nguyen": "parent"}


def test_classes_become_sections_with_course_terms_and_mixed_grades():
    import_oneroster(PACKAGE_1_1)

    math = Section.objects.get(sourced_id="cl-math7-p1")
    assert math.name == "Math 7 — Period 1"
    assert math.school.name == "Lakeview Middle School"
    assert (math.course_title, math.course_code, math.course_sourced_id) == (
        "Mathematics 7",
        "MATH7",
        "c-math7",
    )
    assert math.course is None, "the district has no course MATH7"
    assert {term.title for term in math.terms.all()} == {"Fall 2025", "Spring 2026"}
    students, teachers = members(math)
    assert students == {"mateo.alvarez", "liam.oconnor", "ava.nguyen", "kai.nakamura"}
    assert teachers == {"praman": True}
    ages = set(Person.objects.filter(username__in=students).values_list("age_grade", flat=True))
    assert ages == {6, 7}, "a sixth grader sits in Math 7: placed by readiness"

    ela_students, ela_teachers = members(Section.objects.get(sourced_id="cl-ela-studio"))
    assert ela_teachers == {"dkim": True, "lortega": False}
    assert len(ela_students) == 4
    late = Enrollment.objects.get(sourced_id="e-0103")
    assert (late.enrolled_on, late.ends_on) == (date(2025, 8, 25), date(2026, 6, 12))


def test_academic_sessions_keep_their_dates_and_hierarchy():
    import_oneroster(PACKAGE_1_1)

    quarter = AcademicSession.objects.get(sourced_id="gp-q1")
    assert (quarter.kind, quarter.starts_on, quarter.ends_on, quarter.school_year) == (
        "gradingPeriod",
        date(2025, 8, 18),
        date(2025, 10, 17),
        2026,
    )
    assert quarter.parent.title == "Fall 2025"
    assert quarter.parent.parent.title == "2025–2026"


def test_a_password_from_the_package_is_stored_hashed_only():
    import_oneroster(PACKAGE_1_1)

    username, password = TEACHER_1_1
    teacher = Person.objects.get(username=username)
    assert teacher.password != password and password not in teacher.password
    assert check_password(password, teacher.password)


def test_a_1_2_package_reads_roles_from_roles_csv():
    report = import_oneroster(PACKAGE_1_2)

    assert District.objects.get(sourced_id="d-hpps").name == "Harbor Point Public Schools"
    assert roles_of("abrennan") == {(Role.DISTRICT_ADMIN, None)}
    assert roles_of("mwebb") == {(Role.SCHOOL_ADMIN, "North Harbor High School")}
    assert roles_of("ytanaka") == {(Role.SCHOOL_ADMIN, "Bayside Academy")}
    assert roles_of("jcarter") == {
        (Role.TEACHER, "North Harbor High School"),
        (Role.GUARDIAN, None),
    }
    assert roles_of("ogallagher") == {
        (Role.TEACHER, "Bayside Academy"),
        (Role.TEACHER, "North Harbor High School"),
    }
    assert roles_of("ncosta") == set(), "a counsellor gets no role"
    assert RoleAssignment.objects.get(person__username="mwebb").sourced_id == "r-admin-2"
    assert report.created["roles"] == 24
    assert report.skipped == {"roles": 1}


def test_1_2_guardians_list_their_children_and_a_teacher_can_be_a_parent():
    import_oneroster(PACKAGE_1_2)

    assert children_of("plowe") == {"alexander.lowe": "guardian", "grace.lowe": "guardian"}
    assert children_of("dreyes") == {"mia.reyes": "parent", "sara.reyes": "parent"}
    assert children_of("jcarter") == {"amani.carter": "parent"}
    assert children_of("mellis") == {"leo.ellis": "relative"}


def test_1_2_people_keep_preferred_names_and_the_package_is_tidied():
    report = import_oneroster(PACKAGE_1_2)

    xander = Person.objects.get(username="alexander.lowe")
    assert (xander.first_name, xander.preferred_name, xander.display_name) == (
        "Alexander",
        "Xander",
        "Xander Lowe",
    )
    assert Person.objects.get(username="ogallagher").email == "ogallagher@harborpoint.example.org"
    assert Section.objects.get(sourced_id="cl-bio-lab").name == "Biology Lab"
    assert "orgs.csv: removed the byte-order mark at its start." in report.fixed
    assert any(line.startswith("users.csv: trimmed spaces") for line in report.fixed)


@pytest.mark.parametrize("package", [PACKAGE_1_1, PACKAGE_1_2], ids=["1.1", "1.2"])
def test_a_second_import_creates_nothing_and_changes_nothing(package):
    first = import_oneroster(package)
    before = row_counts()

    second = import_oneroster(package)

    assert row_counts() == before
    assert second.created == {} and second.updated == {}
    assert second.unchanged == first.created
    assert second.extra["deactivated"] == {}


@pytest.mark.parametrize("package", [PACKAGE_1_1, PACKAGE_1_2], ids=["1.1", "1.2"])
def test_a_dry_run_counts_the_same_and_writes_nothing(package):
    before = row_counts()

    dry = import_oneroster(package, dry_run=True)

    assert row_counts() == before
    assert dry.dry_run and dry.extra["district"]["id"] is None
    assert dry.created == import_oneroster(package).created


def test_a_zip_imports_like_its_folder_even_with_the_files_in_a_subfolder(tmp_path):
    folder = copy_package(PACKAGE_1_1, tmp_path)
    nested = zip_package(folder, tmp_path / "export.zip", inside="MVUSD_OneRoster_2025/")

    report = import_oneroster(nested)

    assert report.created["users"] == 25
    assert any("inside it" in line for line in report.fixed)
    assert import_oneroster(zip_package(folder)).created == {}


def test_a_section_is_linked_to_a_proficio_course_with_the_same_code(world):
    from proficio.frameworks.services import course_create

    course = course_create(
        district=world.district,
        code="MATH7",
        title="Grade 7 mathematics",
        targets=[(world.competency, 2)],
    )
    import_oneroster(PACKAGE_1_1, into=world.district)

    assert Section.objects.get(sourced_id="cl-math7-p1").course == course
    assert Section.objects.get(sourced_id="cl-ela-studio").course is None


def test_a_district_made_by_hand_is_claimed_keeps_its_name_and_its_people_stay(world):
    name = world.district.name
    report = import_oneroster(PACKAGE_1_1, into=world.district)

    world.district.refresh_from_db()
    assert world.district.sourced_id == "d-mvusd"
    assert world.district.name == name
    assert report.extra["roster_district_name"] == "Maple Valley Unified School District"
    assert report.created["orgs"] == 2 and report.updated["orgs"] == 1
    assert Person.objects.filter(district=world.district, sourced_id="").count() == 9
    assert roles_of("teacher") == {(Role.TEACHER, "North")}


def test_renaming_the_district_after_the_roster_is_a_choice(world):
    import_oneroster(PACKAGE_1_1, into=world.district, rename_district=True)

    world.district.refresh_from_db()
    assert world.district.name == "Maple Valley Unified School District"
