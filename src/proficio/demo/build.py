"""Load the demo district through the services, so it obeys every rule a real district does."""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from itertools import cycle

from django.db import transaction
from django.utils import timezone

from proficio.evidence.api import (
    EvidenceDraft,
    EvidenceSource,
    evidence_append_many,
    evidence_in_district,
)
from proficio.frameworks.api import (
    Competency,
    Course,
    competency_create,
    course_create,
    course_sequence,
    district_competencies,
    district_evidence_statements,
    framework_create,
    scale_create,
)
from proficio.lib.errors import InvalidInput, ProficioError
from proficio.mastery.api import (
    evidence_record,
    mastery_refresh,
    recompute_run_begin,
    recompute_run_execute,
)
from proficio.people.api import (
    Person,
    PersonDraft,
    Role,
    School,
    Section,
    district_create,
    districts_for_operator,
    guardian_link,
    people_create_many,
    person_create,
    person_grant_district_admin_site,
    role_assign,
    school_create,
    section_create,
    section_enroll,
)

from . import content
from .agency import load_agency
from .calibration import load_calibration
from .names import ADULT_FIRST_NAMES, CHILD_FIRST_NAMES, LAST_NAMES
from .pathways import Pupil, load_pathways
from .progress import (
    Pace,
    during_school,
    rating_path,
    school_days,
    self_feedback,
    spread_over,
    teacher_feedback,
)
from .reports import load_reports
from .work import Learner, WorkLoaded, load_work

MINIMUM_STUDENTS = 12  # two in each writing studio, so every studio mixes ages


class DatabaseNotEmpty(ProficioError):
    """The demo loads only into a database that holds no district yet."""


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    name: str
    password: str = content.PASSWORD


DEMO_LOGINS = (
    DemoLogin("District admin (also the admin site, for their district)", "admin", "Priya Raman"),
    DemoLogin("School admin, Cedar Grove K-8", "schooladmin", "Marcus Bell"),
    DemoLogin(f"Teacher, {content.TEACHER_SECTION}", "teacher", "Elena Márquez"),
    DemoLogin("Student, age-grade 5", "student", "Amara Okafor"),
    DemoLogin("Guardian of Amara and Tobi", "guardian", "Grace Okafor"),
)


@dataclass(frozen=True)
class DemoSummary:
    district: str
    logins: tuple[DemoLogin, ...]
    students: int
    guardians: int
    teachers: int
    sections: int
    evidence: int
    tasks: int
    submissions: int


def database_has_district() -> bool:
    return districts_for_operator().exists()


def demo_is_loaded() -> bool:
    return districts_for_operator().filter(name=content.DISTRICT).exists()


def load_demo(*, students: int = 200, seed: int = 2026, today: date | None = None) -> DemoSummary:
    """Build the demo district with six months of evidence ending `today`, in one transaction."""
    if students < MINIMUM_STUDENTS:
        raise InvalidInput({"students": f"The demo needs at least {MINIMUM_STUDENTS} students."})
    if database_has_district():
        raise DatabaseNotEmpty(
            "The database already holds a district; the demo loads only into an empty one."
        )
    with transaction.atomic():
        return _Builder(random.Random(seed), today or timezone.localdate()).build(students)


@dataclass
class _Family:
    children: list[tuple[PersonDraft, Section, Pace, date]] = field(default_factory=list)
    guardians: list[tuple[PersonDraft, str]] = field(default_factory=list)


@dataclass
class _Student:
    person: Person
    section: Section
    pace: Pace
    math_section: Section | None = None


class _Builder:
    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.today = today
        self.days = school_days(today)
        self.usernames = {login.username for login in DEMO_LOGINS}

    def build(self, student_count: int) -> DemoSummary:
        self.district = district_create(name=content.DISTRICT)
        self.schools = {
            name: school_create(district=self.district, name=name) for name in content.SCHOOLS
        }
        self._frameworks()
        self._courses()
        self._staff()
        self._sections()
        self._students(student_count)
        # The district's default policy, saved before any evidence refers to it.
        mastery_refresh(student=self.fixed["student"], competency=self.competencies["W1"])
        self._evidence()
        # Every student's mastery at once, by the district recompute a real district runs.
        recompute_run_execute(run=recompute_run_begin(district=self.district))
        work = self._work()
        self._pathways(work)
        self._agency()
        self._calibration()
        load_reports(
            admin=self.fixed["admin"], competencies=self.competencies, login=self.fixed["student"]
        )
        return DemoSummary(
            district=self.district.name,
            logins=DEMO_LOGINS,
            students=len(self.students),
            guardians=self.guardian_count,
            teachers=len(self.teachers),
            sections=len(self.sections),
            evidence=evidence_in_district(self.district.pk).count(),
            tasks=work.tasks,
            submissions=work.submissions,
        )

    # Frameworks, courses and people

    def _frameworks(self) -> None:
        scale = scale_create(district=self.district, name=content.SCALE_NAME, levels=content.LEVELS)
        for spec in content.FRAMEWORKS:
            framework = framework_create(
                district=self.district,
                code=spec.code,
                title=spec.title,
                description=spec.description,
                scale=scale,
            )
            for competency in spec.competencies:
                competency_create(
                    framework=framework,
                    code=competency.code,
                    title=competency.title,
                    statement=competency.statement,
                    kind=competency.kind,
                    subject=competency.subject,
                    stages=competency.stages,
                )
        # Loaded once with the scale that validating a rating reads, so each rating costs
        # few queries (prefetched stages would be re-prefetched on every stage lookup).
        self.competencies = {
            competency.code: competency
            for competency in district_competencies(self.district.pk)
            .select_related("framework__scale")
            .prefetch_related("framework__scale__levels")
        }
        self.statements: dict[tuple[str, int], list[str]] = {}
        for statement in district_evidence_statements(self.district.pk).select_related(
            "stage__competency"
        ):
            key = (statement.stage.competency.code, statement.stage.ordinal)
            self.statements.setdefault(key, []).append(statement.text)
        self.top_stage = {
            code: max(ordinal for (owner, ordinal) in self.statements if owner == code)
            for code in self.competencies
        }

    def _courses(self) -> None:
        self.courses: dict[str, Course] = {}
        for spec in content.COURSES:
            self.courses[spec.code] = course_create(
                district=self.district,
                code=spec.code,
                title=spec.title,
                targets=[(self.competencies[code], stage) for code, stage in spec.targets],
            )
        for spec in content.COURSES:
            if spec.next_code:
                course_sequence(
                    course=self.courses[spec.code], next_course=self.courses[spec.next_code]
                )
        self.target_stage = {
            spec.code: max(stage for _, stage in spec.targets) for spec in content.COURSES
        }

    def _person(
        self,
        first: str,
        last: str,
        role: Role,
        school: School | None = None,
        *,
        username: str | None = None,
        age_grade: int | None = None,
    ) -> Person:
        login = username is not None
        person = person_create(
            district=self.district,
            username=username or self._username(first, last),
            first_name=first,
            last_name=last,
            # Only the fixed demo logins can sign in; hashing hundreds of passwords is slow.
            password=content.PASSWORD if login else None,
            age_grade=age_grade,
        )
        role_assign(person=person, role=role, district=self.district, school=school)
        return person

    def _username(self, first: str, last: str) -> str:
        ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore")
        base = "".join(c for c in ascii_name.decode().lower() if c.isalnum() or c == ".")
        username, suffix = base, 2
        while username in self.usernames:
            username, suffix = f"{base}{suffix}", suffix + 1
        self.usernames.add(username)
        return username

    def _staff(self) -> None:
        cedar_grove = self.schools[content.SCHOOLS[0]]
        admin = self._person("Priya", "Raman", Role.DISTRICT_ADMIN, username="admin")
        person_grant_district_admin_site(person=admin)
        school_admin = self._person(
            "Marcus", "Bell", Role.SCHOOL_ADMIN, cedar_grove, username="schooladmin"
        )
        self.fixed = {"admin": admin, "schooladmin": school_admin}

    def _sections(self) -> None:
        self.sections: dict[str, Section] = {}
        self.teachers: dict[str, Person] = {}
        for spec in content.SECTIONS:
            school = self.schools[spec.school]
            first, last = spec.teacher
            username = "teacher" if spec.name == content.TEACHER_SECTION else None
            teacher = self._person(first, last, Role.TEACHER, school, username=username)
            self.teachers[spec.name] = teacher
            self.sections[spec.name] = section_create(
                school=school, name=spec.name, course=self.courses[spec.course], teachers=[teacher]
            )
        self.fixed["teacher"] = self.teachers[content.TEACHER_SECTION]

    def _students(self, count: int) -> None:
        """Place students in mixed-age studios, in families that share guardians."""
        seats = self._seats(count)
        paces = self._paces(count - 2)  # Amara and Tobi have their own
        self.students: list[_Student] = []
        self.guardian_count = 0
        year_start = self._school_year_start()
        # Amara (`student`) and her younger brother Tobi take the first seat in their studios.
        amara_seat = seats.pop(
            next(i for i, seat in enumerate(seats) if seat[0].name == content.TEACHER_SECTION)
        )
        tobi_seat = seats.pop(
            next(i for i, seat in enumerate(seats) if seat[0].name == content.SECTIONS[0].name)
        )
        amara = self._person(
            "Amara", "Okafor", Role.STUDENT, amara_seat[0].school, username="student", age_grade=5
        )
        tobi = self._person("Tobi", "Okafor", Role.STUDENT, tobi_seat[0].school, age_grade=3)
        grace = self._person("Grace", "Okafor", Role.GUARDIAN, username="guardian")
        self.guardian_count += 1
        self.fixed.update(student=amara, guardian=grace)
        self.sibling = tobi
        for child, seat in ((amara, amara_seat), (tobi, tobi_seat)):
            guardian_link(guardian=grace, student=child, relationship="Mother")
            section_enroll(section=seat[0], student=child, enrolled_on=year_start)
            self.students.append(_Student(child, seat[0], Pace.STEADY))
        self.rng.shuffle(seats)
        families = []
        while seats:
            size = min(len(seats), self.rng.choices((1, 2, 3), weights=(50, 35, 15))[0])
            family, seats = seats[:size], seats[size:]
            families.append(self._family(family, paces, year_start))
        self._create_families(families)
        self._math_workshops(year_start)

    def _seats(self, count: int) -> list[tuple[Section, int]]:
        """(studio, age-grade) for every student; each studio cycles through its age band."""
        studios = [spec for spec in content.SECTIONS if spec.writing]
        seats = []
        for index, spec in enumerate(studios):
            size = count // len(studios) + (index < count % len(studios))
            band = list(spec.age_grades)
            fixed_age = {content.TEACHER_SECTION: 5, content.SECTIONS[0].name: 3}.get(spec.name)
            first = band.index(fixed_age) if fixed_age else self.rng.randrange(len(band))
            ages = cycle(band[first:] + band[:first])
            parts = -(-size // content.MAX_SECTION_SIZE)
            for part in range(parts):
                section = self.sections[spec.name] if part == 0 else self._another(spec, part + 1)
                seats += [
                    (section, next(ages)) for _ in range(size // parts + (part < size % parts))
                ]
        return seats

    def _another(self, spec: content.SectionContent, number: int) -> Section:
        """The `number`-th section of a studio too large for one, with a teacher of its own."""
        school = self.schools[spec.school]
        name = f"{spec.name} {number}"
        first, last = self.rng.choice(ADULT_FIRST_NAMES), self.rng.choice(LAST_NAMES)
        self.teachers[name] = self._person(first, last, Role.TEACHER, school)
        self.sections[name] = section_create(
            school=school,
            name=name,
            course=self.courses[spec.course],
            teachers=[self.teachers[name]],
        )
        return self.sections[name]

    def _paces(self, count: int) -> list[Pace]:
        """A shuffled bag of paces with at least one student of each kind."""
        share = {Pace.FAST: 0.15, Pace.SLOW: 0.15, Pace.STALLED: 0.08, Pace.SPARSE: 0.04}
        bag = [pace for pace, part in share.items() for _ in range(max(1, round(count * part)))]
        bag += [Pace.STEADY] * (count - len(bag))
        self.rng.shuffle(bag)
        return bag

    def _school_year_start(self) -> date:
        """The start of the school year the demo's evidence begins in: students have been
        enrolled since (work before a first enrolment is refused as a mistyped date)."""
        first = self.days[0]
        start = date(first.year, 8, 25)
        return start if start <= first else date(first.year - 1, 8, 25)

    def _family(
        self, seats: list[tuple[Section, int]], paces: list[Pace], year_start: date
    ) -> "_Family":
        """Who is in one family, drawn now; created with every other family at once."""
        last = self.rng.choice(LAST_NAMES)
        first_names = self.rng.sample(CHILD_FIRST_NAMES, len(seats))
        family = _Family()
        for (section, age_grade), first in zip(seats, first_names, strict=True):
            pace = paces.pop()
            # A recent arrival, rated only in their last ten school days (see `_days_for`).
            joined = self.days[-self.rng.randint(10, 15)] if pace is Pace.SPARSE else year_start
            draft = self._draft(first, last, Role.STUDENT, section.school, age_grade=age_grade)
            family.children.append((draft, section, pace, joined))
        guardian_count = 2 if self.rng.random() < 0.15 else 1
        for _ in range(guardian_count):
            surname = last if self.rng.random() < 0.8 else self.rng.choice(LAST_NAMES)
            draft = self._draft(self.rng.choice(ADULT_FIRST_NAMES), surname, Role.GUARDIAN)
            relationship = self.rng.choices(("Parent", "Grandparent", "Guardian"), (8, 1, 1))[0]
            family.guardians.append((draft, relationship))
        return family

    def _draft(
        self, first: str, last: str, role: Role, school: School | None = None, **extra
    ) -> PersonDraft:
        return PersonDraft(
            username=self._username(first, last),
            first_name=first,
            last_name=last,
            role=role,
            school=school,
            **extra,
        )

    def _create_families(self, families: list["_Family"]) -> None:
        """Every family's people in one bulk insert, then their enrolments and guardians."""
        drafts = [
            draft for family in families for draft, *_ in (*family.children, *family.guardians)
        ]
        people = iter(people_create_many(district=self.district, drafts=drafts))
        for family in families:
            children = []
            for _draft, section, pace, joined in family.children:
                child = next(people)
                section_enroll(section=section, student=child, enrolled_on=joined)
                self.students.append(_Student(child, section, pace))
                children.append(child)
            for _draft, relationship in family.guardians:
                guardian = next(people)
                for child in children:
                    guardian_link(guardian=guardian, student=child, relationship=relationship)
            self.guardian_count += len(family.guardians)

    def _math_workshops(self, year_start: date) -> None:
        """Each school's math workshop takes an even mix of its age band, Amara included,
        up to a section's size: in a large district most students have no workshop."""
        size = min(
            max(2, round(len(self.students) / len(content.SECTIONS))), content.MAX_SECTION_SIZE
        )
        for spec in content.SECTIONS:
            if spec.writing:
                continue
            section = self.sections[spec.name]
            by_age: dict[int, list[_Student]] = {age: [] for age in spec.age_grades}
            for student in self.students:
                age = student.person.age_grade
                if student.section.school_id == section.school_id and age in by_age:
                    by_age[age].append(student)
            chosen = []
            if amara := self._fixed_student_in(by_age):
                by_age[amara.person.age_grade].remove(amara)
                chosen.append(amara)
            queues = [self.rng.sample(group, len(group)) for group in by_age.values()]
            while len(chosen) < size and any(queues):
                for queue in queues:
                    if queue and len(chosen) < size:
                        chosen.append(queue.pop())
            for student in chosen:
                section_enroll(section=section, student=student.person, enrolled_on=year_start)
                student.math_section = section

    def _fixed_student_in(self, by_age: dict[int, list[_Student]]) -> _Student | None:
        return next(
            (s for group in by_age.values() for s in group if s.person == self.fixed["student"]),
            None,
        )

    # Evidence

    def _evidence(self) -> None:
        """Teachers' ratings appended in one bulk insert; then the few self-assessments,
        through the page's own service, which reads the teachers' ratings before them."""
        drafts: list[EvidenceDraft] = []
        self_assessments: list[dict] = []
        # Each student's stage now, by competency: their newest rating's (see `rating_path`).
        self.working: dict[int, dict[str, int]] = {}
        for student in self.students:
            for code, competency in self.competencies.items():
                assessor, start = self._placement(student, code)
                if assessor is None:
                    continue
                pace = self._pace_for(student, code)
                path = rating_path(self.rng, pace, start, self.top_stage[code])
                # A recent arrival has one writing piece rated, and maybe one more rating.
                if pace is Pace.SPARSE and code != "W1" and self.rng.random() < 0.7:
                    continue
                self.working.setdefault(student.person.pk, {})[code] = path[-1][0]
                days = self._days_for(student, pace, len(path))
                for day, (stage, level) in zip(days, path, strict=True):
                    present, following = teacher_feedback(
                        self.rng,
                        level,
                        self.statements[(code, stage)],
                        self.statements.get((code, stage + 1), []),
                    )
                    drafts.append(
                        EvidenceDraft(
                            assessor=assessor,
                            student=student.person,
                            competency=competency,
                            stage=stage,
                            level=level,
                            observed_at=during_school(self.rng, day),
                            source=self._source(code),
                            feedback_present=present,
                            feedback_next=following,
                        )
                    )
                if code.startswith("W") and self._self_assesses(student):
                    self_assessments.append(self._self_assessment(student, competency, path[-1][0]))
        evidence_append_many(actor=None, district_id=self.district.pk, drafts=drafts)
        for rating in self_assessments:
            evidence_record(**rating)

    def _placement(self, student: _Student, code: str) -> tuple[Person | None, int]:
        """Who rates this student on `code`, and the stage where they started the half-year."""
        if student.person == self.fixed["student"]:
            amara_start = {"W1": 2, "W2": 2, "W3": 3, "MP1": 2, "COL": 3}[code]
            section = student.math_section if code == "MP1" else student.section
            return self.teachers[section.name], amara_start
        jitter = self.rng.choices((-1, 0, 1), weights=(10, 60, 30))[0]
        if code == "MP1":
            if student.math_section is None:
                return None, 0
            section = student.math_section
            start = self.target_stage[section.course.code] - 1 + jitter
        elif code == "COL":
            section = student.section
            if student.math_section and self.rng.random() < 0.3:
                section = student.math_section
            start = student.person.age_grade - 3 + jitter
        else:
            section = student.section
            start = self.target_stage[section.course.code] - 1 + jitter
        return self.teachers[section.name], min(max(start, 1), self.top_stage[code])

    def _pace_for(self, student: _Student, code: str) -> Pace:
        if student.person == self.fixed["student"]:
            return {"W1": Pace.FAST, "W3": Pace.SLOW}.get(code, Pace.STEADY)
        if student.pace is Pace.STALLED:
            return Pace.STALLED if code in ("W1", "W2") else Pace.SLOW
        if student.pace in (Pace.SPARSE, Pace.SLOW) or self.rng.random() < 0.7:
            return student.pace
        return self.rng.choice((Pace.FAST, Pace.STEADY, Pace.SLOW))

    def _days_for(self, student: _Student, pace: Pace, count: int) -> list[date]:
        if pace is Pace.SPARSE:
            return sorted(self.rng.sample(self.days[-10:], count))
        days = spread_over(self.rng, self.days, count)
        if student.person == self.fixed["student"]:
            days[-1] = self.days[-1]  # her newest feedback is from the last school day
        return days

    def _source(self, code: str) -> EvidenceSource:
        if code == "COL":
            choices, weights = (EvidenceSource.OBSERVATION, EvidenceSource.CONFERENCE), (8, 2)
        else:
            choices = (EvidenceSource.TASK, EvidenceSource.OBSERVATION, EvidenceSource.CONFERENCE)
            weights = (6, 3, 1) if code == "MP1" else (7, 1, 2)
        return self.rng.choices(choices, weights)[0]

    def _self_assesses(self, student: _Student) -> bool:
        if student.person == self.fixed["student"]:
            return True
        return student.pace is not Pace.SPARSE and self.rng.random() < 0.04

    def _self_assessment(self, student: _Student, competency: Competency, stage: int) -> dict:
        """The student's rating of their own work, for the service a student's page uses."""
        level = self.rng.choice((2, 3))
        present, following = self_feedback(
            self.rng, level, self.statements[(competency.code, stage)]
        )
        day = self.days[-self.rng.randint(1, 10)]
        return {
            "assessor": student.person,
            "student": student.person,
            "competency": competency,
            "stage": stage,
            "level": level,
            "observed_at": during_school(self.rng, day),
            "source": EvidenceSource.SELF,
            "feedback_present": present,
            "feedback_next": following,
        }

    # Coursework

    def _work(self) -> WorkLoaded:
        """Performance tasks and students' work on them, on top of the evidence: rated
        work moves mastery as a teacher's review does."""
        learners = [
            Learner(
                person=student.person,
                sections=frozenset(
                    section.name for section in (student.section, student.math_section) if section
                ),
                pace=student.pace,
                working=self.working.get(student.person.pk, {}),
            )
            for student in self.students
        ]
        return load_work(
            rng=self.rng,
            days=self.days,
            today=self.today,
            teachers=self.teachers,
            sections=self.sections,
            competencies=self.competencies,
            learners=learners,
            login=self.fixed["student"],
        )

    # Agency

    def _agency(self) -> None:
        """Mentors, goals and check-ins, for the login teacher's mentees."""
        load_agency(
            rng=self.rng,
            days=self.days,
            admin=self.fixed["admin"],
            teachers=self.teachers,
            competencies=self.competencies,
            pupils=[
                Pupil(student.person, student.section, student.math_section, student.pace)
                for student in self.students
            ],
            login=self.fixed["student"],
            guardian=self.fixed["guardian"],
        )

    # Calibration

    def _calibration(self) -> None:
        """Exemplars of each writing competency, and the teachers' calibration sessions."""
        load_calibration(
            rng=self.rng,
            days=self.days,
            admin=self.fixed["admin"],
            schools=self.schools,
            teachers=self.teachers,
            competencies=self.competencies,
            pupils=[
                Pupil(student.person, student.section, student.math_section, student.pace)
                for student in self.students
            ],
            working=self.working,
            login=self.fixed["student"],
        )

    # Pathways

    def _pathways(self, work: WorkLoaded) -> None:
        """Playlists, progress on them, supports, flexible groups and advancement, on top of
        the coursework."""
        load_pathways(
            rng=self.rng,
            days=self.days,
            admin=self.fixed["admin"],
            teachers=self.teachers,
            sections=self.sections,
            competencies=self.competencies,
            tasks=work.by_code,
            pupils=[
                Pupil(student.person, student.section, student.math_section, student.pace)
                for student in self.students
            ],
            login=self.fixed["student"],
            sibling=self.sibling,
        )
