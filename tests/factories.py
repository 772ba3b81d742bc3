"""Factories that build the world through the services, so tests obey every rule."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from proficio.frameworks.data import LevelSpec, StageSpec
from proficio.frameworks.models import Competency, CompetencyKind, Framework, Scale, Stage, Standard
from proficio.frameworks.services import (
    competency_create,
    framework_create,
    scale_create,
)
from proficio.interop.case.writer import import_case
from proficio.people.models import District, Person, Role, School, Section
from proficio.people.services import (
    district_create,
    guardian_link,
    person_create,
    role_assign,
    school_create,
    section_create,
    section_enroll,
)

PASSWORD = "a-long-test-passphrase"

FOUR_LEVELS = [
    LevelSpec(Decimal(1), "Beginning", "#c62828"),
    LevelSpec(Decimal(2), "Developing", "#ef6c00"),
    LevelSpec(Decimal(3), "Proficient", "#2e7d32", is_mastery=True),
    LevelSpec(Decimal(4), "Advanced", "#1565c0", is_mastery=True),
]


def make_person(district: District, username: str, role: Role, school: School | None) -> Person:
    person = person_create(
        district=district,
        username=username,
        first_name=username.capitalize(),
        last_name="Tester",
        password=PASSWORD,
    )
    role_assign(person=person, role=role, district=district, school=school)
    return person


def make_competency(framework: Framework, code: str, stages: int = 3) -> Competency:
    return competency_create(
        framework=framework,
        code=code,
        title=f"Competency {code}",
        kind=CompetencyKind.ACADEMIC,
        stages=[
            StageSpec(label=f"Stage {n}", evidence_statements=[f"The student can do {n}."])
            for n in range(1, stages + 1)
        ],
    )


@dataclass
class World:
    """A district with one person per role and a boundary to stay inside of."""

    district: District
    school: School
    other_school: School
    scale: Scale
    framework: Framework
    competency: Competency
    district_admin: Person
    school_admin: Person
    teacher: Person
    other_teacher: Person
    student: Person
    classmate: Person
    other_student: Person
    far_student: Person
    guardian: Person
    section: Section
    other_section: Section
    other_district_student: Person
    other_district_teacher: Person


def build_world() -> World:
    district = district_create(name="Riverside")
    school = school_create(district=district, name="North")
    other_school = school_create(district=district, name="South")
    scale = scale_create(district=district, name="Four levels", levels=FOUR_LEVELS)
    framework = framework_create(district=district, code="WR", title="Writing", scale=scale)
    competency = make_competency(framework, "W1")
    teacher = make_person(district, "teacher", Role.TEACHER, school)
    other_teacher = make_person(district, "otherteacher", Role.TEACHER, school)
    student = make_person(district, "student", Role.STUDENT, school)
    classmate = make_person(district, "classmate", Role.STUDENT, school)
    other_student = make_person(district, "otherstudent", Role.STUDENT, school)
    far_student = make_person(district, "farstudent", Role.STUDENT, other_school)
    guardian = make_person(district, "guardian", Role.GUARDIAN, None)
    guardian_link(guardian=guardian, student=student)
    section = section_create(school=school, name="Studio A", teachers=[teacher])
    for member in (student, classmate):
        section_enroll(section=section, student=member)
    other_section = section_create(school=school, name="Studio B", teachers=[other_teacher])
    section_enroll(section=other_section, student=other_student)
    far_section = section_create(school=other_school, name="Studio C")
    section_enroll(section=far_section, student=far_student)

    elsewhere = district_create(name="Elsewhere")
    elsewhere_school = school_create(district=elsewhere, name="Elsewhere High")
    other_district_student = make_person(
        elsewhere, "elsewherestudent", Role.STUDENT, elsewhere_school
    )
    other_district_teacher = make_person(
        elsewhere, "elsewhereteacher", Role.TEACHER, elsewhere_school
    )
    return World(
        district=district,
        school=school,
        other_school=other_school,
        scale=scale,
        framework=framework,
        competency=competency,
        district_admin=make_person(district, "districtadmin", Role.DISTRICT_ADMIN, None),
        school_admin=make_person(district, "schooladmin", Role.SCHOOL_ADMIN, school),
        teacher=teacher,
        other_teacher=other_teacher,
        student=student,
        classmate=classmate,
        other_student=other_student,
        far_student=far_student,
        guardian=guardian,
        section=section,
        other_section=other_section,
        other_district_student=other_district_student,
        other_district_teacher=other_district_teacher,
    )


SAMPLE_STANDARD = "CCSS.Math.Content.6.RP.A.1"


def standard_as_competency(district: District, testdata: Path) -> Standard:
    """The OpenSALT sample's 6.RP.A.1 imported into `district` as `proficio import case
    --competency-type Standard` does: its `competency` mirrors the item, with a stage to be
    rated at."""
    path = testdata / "case" / "frameworks" / "opensalt-sample-framework.json"
    import_case(
        data=path.read_bytes(),
        source=path.name,
        actor=None,
        district=district,
        competency_types=["Standard"],
    )
    standard = Standard.objects.get(human_coding_scheme=SAMPLE_STANDARD)
    if not standard.competency.stages.exists():
        Stage.objects.create(competency=standard.competency, ordinal=1, label="Ratios")
    return standard
