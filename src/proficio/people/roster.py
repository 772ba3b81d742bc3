"""Bringing a district in line with a roster from its student information system.

A roster states what the source system holds, keyed by its identifiers (`sourced_id`):
schools, academic sessions, people with their roles, guardian links, sections and their
memberships. `RosterSync` compares it with the database and writes only the difference, in
bulk, so a second run of the same roster changes nothing. What the source deleted is
deactivated, never deleted, and what was made by hand (no `sourced_id`) is never ended by a
roster.

Format readers (OneRoster CSV, …) validate their input against `roster_index` and build a
`Roster`; the service `people.services.roster_sync` runs the sync in one transaction.
"""

import itertools
import os
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db.models import Model, QuerySet

from proficio.lib.errors import InvalidInput
from proficio.lib.progress import Progress
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

# Rows per INSERT or UPDATE statement: well inside SQLite's and PostgreSQL's parameter limits.
BATCH = 500

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class SchoolSpec:
    sourced_id: str
    name: str


@dataclass(frozen=True)
class SessionSpec:
    sourced_id: str
    title: str
    kind: str
    starts_on: date
    ends_on: date
    parent: str | None = None  # the parent session's sourced id
    school_year: int | None = None


@dataclass(frozen=True)
class PersonSpec:
    """One person. Optional facts left as None keep what Proficio already holds."""

    sourced_id: str
    username: str
    first_name: str
    last_name: str
    is_active: bool = True
    email: str | None = None
    preferred_name: str | None = None
    age_grade: int | None = None
    # Raw; hashed with Django's hasher, and set only on a person who has no password yet.
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RoleSpec:
    person: str  # sourced id
    role: Role
    school: str | None  # sourced id; None for district-wide roles (district admin, guardian)
    sourced_id: str  # the roster row that grants it


@dataclass(frozen=True)
class GuardianSpec:
    guardian: str  # sourced ids
    student: str
    relationship: str = ""


@dataclass(frozen=True)
class SectionSpec:
    sourced_id: str
    school: str  # sourced id
    name: str
    course_sourced_id: str = ""
    course_code: str = ""
    course_title: str = ""
    terms: tuple[str, ...] = ()  # academic session sourced ids
    course: int | None = None  # a frameworks course with the same code; None keeps the link


@dataclass(frozen=True)
class MembershipSpec:
    """A student's enrollment in a section, or a teacher's assignment to it."""

    sourced_id: str
    section: str  # sourced ids
    person: str
    starts_on: date | None = None  # None keeps what is held
    ends_on: date | None = None
    primary: bool = True  # teaching only


def _removals() -> dict[str, set[str]]:
    return defaultdict(set)


@dataclass
class Roster:
    district_sourced_id: str
    district_name: str | None  # None: the district exists and keeps its name
    schools: list[SchoolSpec] = field(default_factory=list)
    sessions: list[SessionSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    roles: list[RoleSpec] = field(default_factory=list)
    guardian_links: list[GuardianSpec] = field(default_factory=list)
    sections: list[SectionSpec] = field(default_factory=list)
    enrollments: list[MembershipSpec] = field(default_factory=list)
    teaching: list[MembershipSpec] = field(default_factory=list)
    # People whose whole imported role set is in `roles`: their other imported roles end.
    complete_roles_of: set[str] = field(default_factory=set)
    # Sections whose whole imported membership is given: their other imported memberships end.
    complete_sections: set[str] = field(default_factory=set)
    # Sourced ids the source deleted, by kind: "people", "roles", "sections", "memberships",
    # "sessions". They are deactivated, never deleted.
    removed: dict[str, set[str]] = field(default_factory=_removals)


@dataclass
class RosterChanges:
    """Per kind: how many were created, updated, unchanged, deactivated; `skipped` counts
    removals of records Proficio never had. `district`: where the roster landed (unsaved
    after a dry run that would create it)."""

    district: District | None = None
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deactivated: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class KnownPerson:
    username: str
    roles: frozenset[tuple[str, str | None]]  # (role, school sourced id) of each active role


@dataclass(frozen=True)
class RosterIndex:
    """What a district already holds, by sourced id, to validate a roster against."""

    district: District | None
    schools: dict[str, str]  # sourced id → name
    school_names: dict[str, str]  # name → sourced id ("" for a school made by hand)
    people: dict[str, KnownPerson]
    sections: dict[str, str]  # sourced id → its school's sourced id
    courses: dict[str, tuple[str, str]]  # course sourced id → (code, title), as sections hold it
    sessions: frozenset[str]
    # Of the usernames asked about, who holds each: (district id, sourced id).
    usernames: dict[str, tuple[int | None, str]]


def roster_district(*, sourced_id: str, into: District | None = None) -> District | None:
    """The district a roster with this district sourced id lands in; None for a new one.

    With `into`, the roster must land there: `into` either carries that sourced id or has none
    yet (and no other district has it), and then the roster claims it.
    """
    found = District.objects.filter(sourced_id=sourced_id).first() if sourced_id else None
    if into is None:
        return found
    # As stored now (the caller's copy may be stale), and a copy a dry run may change freely.
    current = District.objects.get(pk=into.pk)
    if found == current or (found is None and not current.sourced_id):
        return current
    raise InvalidInput({"district": "The roster belongs to another district."})


def districts_holding(sourced_ids: dict[str, Collection[str]]) -> list[District]:
    """The districts that hold any of these records, given as kind → sourced ids, the kinds
    being "schools", "people", "sections", "memberships" and "sessions"."""
    lookups = (
        ("schools", School, "district_id"),
        ("people", Person, "district_id"),
        ("sections", Section, "school__district_id"),
        ("memberships", Enrollment, "section__school__district_id"),
        ("memberships", TeachingAssignment, "section__school__district_id"),
        ("sessions", AcademicSession, "district_id"),
    )
    found: set[int] = set()
    for kind, model, district in lookups:
        wanted = [sid for sid in sourced_ids.get(kind, ()) if sid]
        if wanted:
            found.update(
                model.objects.filter(sourced_id__in=wanted).values_list(district, flat=True)
            )
    return list(District.objects.filter(pk__in=found))


def build_index(*, district: District | None, usernames: Collection[str]) -> RosterIndex:
    """What `district` holds by sourced id (nothing, for a district still to be created), and
    who already holds each of `usernames`, anywhere."""
    taken = {
        username: (district_id, sourced_id)
        for username, district_id, sourced_id in Person.objects.filter(
            username__in=list(usernames)
        ).values_list("username", "district_id", "sourced_id")
    }
    if district is None:
        return RosterIndex(None, {}, {}, {}, {}, {}, frozenset(), taken)
    school_rows = list(
        School.objects.filter(district=district).values_list("pk", "sourced_id", "name")
    )
    school_sid = {pk: sid for pk, sid, _name in school_rows}
    roles: dict[int, set[tuple[str, str | None]]] = defaultdict(set)
    for person_id, role, school_id in RoleAssignment.objects.filter(
        district=district, active=True
    ).values_list("person_id", "role", "school_id"):
        roles[person_id].add((role, school_sid.get(school_id) if school_id else None))
    sections = Section.objects.filter(school__district=district).exclude(sourced_id="")
    return RosterIndex(
        district=district,
        schools={sid: name for _pk, sid, name in school_rows if sid},
        school_names={name: sid for _pk, sid, name in school_rows},
        people={
            sid: KnownPerson(username, frozenset(roles[pk]))
            for pk, sid, username in Person.objects.filter(district=district)
            .exclude(sourced_id="")
            .values_list("pk", "sourced_id", "username")
        },
        sections=dict(sections.values_list("sourced_id", "school__sourced_id")),
        courses={
            course: (code, title)
            for course, code, title in sections.exclude(course_sourced_id="").values_list(
                "course_sourced_id", "course_code", "course_title"
            )
        },
        sessions=frozenset(
            AcademicSession.objects.filter(district=district).values_list("sourced_id", flat=True)
        ),
        usernames=taken,
    )


def _taken(kind: str, sourced_id: str, field_name: str, message: str) -> InvalidInput:
    return InvalidInput({f"{kind}:{sourced_id}:{field_name}": message})


def _ref(known: dict[str, M], kind: str, sourced_id: str) -> M:
    """The record a roster refers to, which it holds or the district already has."""
    try:
        return known[sourced_id]
    except KeyError:
        raise InvalidInput({f"{kind}:{sourced_id}": "Unknown sourced id."}) from None


class RosterSync:
    """One run of a roster against the database. A dry run computes the same changes and
    writes nothing: rows it would create get stand-in keys so later kinds can refer to them."""

    def __init__(
        self, roster: Roster, *, into: District | None, dry_run: bool, progress: Progress | None
    ):
        self.roster = roster
        self.into = into
        self.dry_run = dry_run
        self.progress = progress
        self.changes = RosterChanges()
        self.district_is_new = False
        self._stand_in_keys = itertools.count(-1, -1)

    def run(self) -> RosterChanges:
        district = self.changes.district = self._district()
        schools = self._schools(district)
        sessions = self._sessions(district)
        people = self._people(district)
        self._roles(district, people, schools)
        self._guardian_links(people)
        sections = self._sections(district, schools, sessions)
        ending_for = (
            {people[sid].pk for sid in self.roster.removed["people"] if sid in people},
            {sections[sid].pk for sid in self.roster.removed["sections"] if sid in sections},
        )
        held = self._memberships(
            district,
            Enrollment,
            "enrollments",
            self.roster.enrollments,
            (sections, people),
            ending_for,
        )
        held |= self._memberships(
            district,
            TeachingAssignment,
            "teaching_assignments",
            self.roster.teaching,
            (sections, people),
            ending_for,
        )
        self.changes.skipped["enrollments"] += len(self.roster.removed["memberships"] - held)
        return self.changes

    # ---- shared steps -------------------------------------------------------------------

    def _existing(self, queryset: QuerySet[M]) -> list[M]:
        """What the district already holds (filter by `district_id`: a new one has no key yet)."""
        return [] if self.district_is_new else list(queryset)

    def _count(self, kind: str, created: int, updated: int, unchanged: int) -> None:
        for counter, n in (
            (self.changes.created, created),
            (self.changes.updated, updated),
            (self.changes.unchanged, unchanged),
        ):
            if n:
                counter[kind] += n

    def _create(self, step: str, model: type[M], rows: Sequence[M]) -> None:
        """Insert in batches; both databases hand back the new keys (a dry run invents them)."""
        if self.dry_run:
            for row in rows:
                row.pk = next(self._stand_in_keys)
            return
        for start in range(0, len(rows), BATCH):
            model.objects.bulk_create(rows[start : start + BATCH])
            if self.progress:
                self.progress(step, min(start + BATCH, len(rows)), len(rows))

    def _update(self, model: type[M], rows: Iterable[M], fields: Sequence[str]) -> None:
        rows = list({row.pk: row for row in rows}.values())
        if rows and not self.dry_run:
            model.objects.bulk_update(rows, fields, batch_size=BATCH)

    def _deactivate(self, kind: str, rows: Iterable[M], flag: str = "active") -> list[M]:
        """Turn `flag` off on the rows that have it on; returns them, still to be saved."""
        ended = []
        for row in {row.pk: row for row in rows}.values():
            if getattr(row, flag):
                setattr(row, flag, False)
                ended.append(row)
        if ended:
            self.changes.deactivated[kind] += len(ended)
        return ended

    @staticmethod
    def _assign(row: Model, values: dict) -> bool:
        """Set every value that is not None; whether anything changed."""
        changed = False
        for name, value in values.items():
            if value is not None and getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        return changed

    # ---- each kind ----------------------------------------------------------------------

    def _district(self) -> District:
        roster = self.roster
        district = roster_district(sourced_id=roster.district_sourced_id, into=self.into)
        if district is None:
            if roster.district_name is None:
                raise _taken("districts", roster.district_sourced_id, "name", "Unknown district.")
            district = District(sourced_id=roster.district_sourced_id, name=roster.district_name)
            self.district_is_new = True
            if not self.dry_run:
                district.save()
            self.changes.created["districts"] += 1
            return district
        changed = self._assign(
            district,
            {"sourced_id": roster.district_sourced_id or None, "name": roster.district_name},
        )
        if changed and not self.dry_run:
            district.save(update_fields=["sourced_id", "name"])
        self._count("districts", 0, changed, not changed)
        return district

    def _schools(self, district: District) -> dict[str, School]:
        existing = self._existing(School.objects.filter(district_id=district.pk))
        by_sid = {school.sourced_id: school for school in existing if school.sourced_id}
        by_name = {school.name: school for school in existing}
        new, changed, same = [], [], 0
        for spec in self.roster.schools:
            school = by_sid.get(spec.sourced_id)
            named = by_name.get(spec.name)
            if named is not None and named is not school:
                if school is not None or named.sourced_id:
                    raise _taken("schools", spec.sourced_id, "name", f"{spec.name!r} is taken.")
                school = named  # made by hand in this district: the roster adopts it
            if school is None:
                school = School(district=district, sourced_id=spec.sourced_id, name=spec.name)
                new.append(school)
            elif self._assign(school, {"sourced_id": spec.sourced_id, "name": spec.name}):
                changed.append(school)
            else:
                same += 1
            by_sid[spec.sourced_id] = school
        self._create("schools", School, new)
        self._update(School, changed, ["sourced_id", "name"])
        self._count("schools", len(new), len(changed), same)
        return by_sid

    def _sessions(self, district: District) -> dict[str, AcademicSession]:
        existing = self._existing(AcademicSession.objects.filter(district_id=district.pk))
        by_sid = {session.sourced_id: session for session in existing}
        sid_by_pk = {session.pk: session.sourced_id for session in existing}
        new, changed, same = [], [], 0
        for spec in self.roster.sessions:
            values = {
                "title": spec.title,
                "kind": spec.kind,
                "starts_on": spec.starts_on,
                "ends_on": spec.ends_on,
                "school_year": spec.school_year,
                "active": True,
            }
            session = by_sid.get(spec.sourced_id)
            if session is None:
                session = AcademicSession(district=district, sourced_id=spec.sourced_id, **values)
                new.append(session)
            else:
                dirty = self._assign(session, values)
                if dirty or sid_by_pk.get(session.parent_id) != spec.parent:
                    changed.append(session)
                else:
                    same += 1
            by_sid[spec.sourced_id] = session
        self._count("academic_sessions", len(new), len(changed), same)
        self._create("academic sessions", AcademicSession, new)
        for spec in self.roster.sessions:  # parents last: a parent may be new in this roster
            session = by_sid[spec.sourced_id]
            parent_id = _ref(by_sid, "academic_sessions", spec.parent).pk if spec.parent else None
            if session.parent_id != parent_id:
                session.parent_id = parent_id
                changed.append(session)
        removed = self.roster.removed["sessions"]
        ended = self._deactivate(
            "academic_sessions", [by_sid[sid] for sid in removed if sid in by_sid]
        )
        self.changes.skipped["academic_sessions"] += len(removed - by_sid.keys())
        self._update(
            AcademicSession,
            changed + ended,
            ["title", "kind", "starts_on", "ends_on", "school_year", "active", "parent"],
        )
        return by_sid

    def _people(self, district: District) -> dict[str, Person]:
        roster = self.roster
        by_sid = {
            person.sourced_id: person
            for person in self._existing(
                Person.objects.filter(district_id=district.pk).exclude(sourced_id="")
            )
        }
        holders = {
            person.username: person
            for person in Person.objects.filter(
                username__in=[spec.username for spec in roster.people]
            )
        }
        new: list[Person] = []
        changed: list[Person] = []
        raw: list[tuple[Person, str]] = []
        for spec in roster.people:
            person = by_sid.get(spec.sourced_id)
            holder = holders.get(spec.username)
            adopted = False
            if holder is not None and (person is None or holder.pk != person.pk):
                if not (
                    person is None
                    and district.pk is not None
                    and holder.district_id == district.pk
                    and not holder.sourced_id
                ):
                    raise _taken(
                        "people", spec.sourced_id, "username", f"{spec.username!r} is taken."
                    )
                person, adopted = holder, True  # made by hand in this district: adopted
                person.sourced_id = spec.sourced_id
            values = {
                "username": spec.username,
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "is_active": spec.is_active,
                "email": spec.email,
                "preferred_name": spec.preferred_name,
                "age_grade": spec.age_grade,
            }
            if person is None:
                person = Person(district=district, sourced_id=spec.sourced_id)
                self._assign(person, values)
                new.append(person)
                if spec.password:
                    raw.append((person, spec.password))
                else:
                    person.set_unusable_password()
            else:
                dirty = self._assign(person, values) or adopted
                if spec.password and not person.has_usable_password():
                    raw.append((person, spec.password))
                    dirty = True
                if dirty:
                    changed.append(person)
            by_sid[spec.sourced_id] = person
        self._count("people", len(new), len(changed), len(roster.people) - len(new) - len(changed))
        self._hash(raw)
        removed = roster.removed["people"]
        ended = self._deactivate(
            "people", [by_sid[sid] for sid in removed if sid in by_sid], flag="is_active"
        )
        self.changes.skipped["people"] += len(removed - by_sid.keys())
        self._create("people", Person, new)
        self._update(
            Person,
            changed + ended,
            [
                "sourced_id",
                "username",
                "first_name",
                "last_name",
                "is_active",
                "email",
                "preferred_name",
                "age_grade",
                "password",
            ],
        )
        return by_sid

    def _hash(self, raw: list[tuple[Person, str]]) -> None:
        """Hash each password with the configured hasher, on every core: PBKDF2 runs in C
        without the GIL, and one hash is slow on purpose."""
        if self.dry_run or not raw:
            return
        if self.progress:
            self.progress("passwords", 0, len(raw))
        workers = min(len(raw), os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            digests = pool.map(make_password, [password for _person, password in raw])
            for done, ((person, _password), digest) in enumerate(zip(raw, digests, strict=True)):
                person.password = digest
                if self.progress:
                    self.progress("passwords", done + 1, len(raw))

    def _roles(
        self, district: District, people: dict[str, Person], schools: dict[str, School]
    ) -> None:
        roster = self.roster
        existing = self._existing(RoleAssignment.objects.filter(district_id=district.pk))
        by_key = {(ra.person_id, ra.role, ra.school_id): ra for ra in existing}
        new, changed, same = [], [], 0
        wanted: set[tuple] = set()
        for spec in roster.roles:
            key = (
                _ref(people, "people", spec.person).pk,
                Role(spec.role).value,
                _ref(schools, "schools", spec.school).pk if spec.school else None,
            )
            if key in wanted:
                continue  # two roster rows that mean the same role: the first one stands
            wanted.add(key)
            assignment = by_key.get(key)
            if assignment is None:
                new.append(
                    RoleAssignment(
                        person_id=key[0],
                        role=key[1],
                        district=district,
                        school_id=key[2],
                        sourced_id=spec.sourced_id,
                    )
                )
            elif self._assign(assignment, {"active": True, "sourced_id": spec.sourced_id}):
                changed.append(assignment)
            else:
                same += 1
        self._count("roles", len(new), len(changed), same)
        complete = {people[sid].pk for sid in roster.complete_roles_of if sid in people}
        removed_people = {people[sid].pk for sid in roster.removed["people"] if sid in people}
        removed = roster.removed["roles"]
        ending = [
            ra
            for ra in existing
            if ra.person_id in removed_people
            or ra.sourced_id in removed
            or (
                ra.sourced_id
                and ra.person_id in complete
                and (ra.person_id, ra.role, ra.school_id) not in wanted
            )
        ]
        ended = self._deactivate("roles", ending)
        self.changes.skipped["roles"] += len(removed - {ra.sourced_id for ra in existing})
        self._create("roles", RoleAssignment, new)
        self._update(RoleAssignment, changed + ended, ["active", "sourced_id"])

    def _guardian_links(self, people: dict[str, Person]) -> None:
        pairs = {}
        for spec in self.roster.guardian_links:
            key = (
                _ref(people, "people", spec.guardian).pk,
                _ref(people, "people", spec.student).pk,
            )
            pairs.setdefault(key, spec.relationship)
        students = {student for _guardian, student in pairs}
        existing = {
            (link.guardian_id, link.student_id): link
            for link in self._existing(
                GuardianLink.objects.filter(student_id__in=[pk for pk in students if pk > 0])
            )
        }
        new, changed, same = [], [], 0
        for (guardian_id, student_id), relationship in pairs.items():
            link = existing.get((guardian_id, student_id))
            if link is None:
                new.append(
                    GuardianLink(
                        guardian_id=guardian_id, student_id=student_id, relationship=relationship
                    )
                )
            elif self._assign(link, {"relationship": relationship or None}):
                changed.append(link)
            else:
                same += 1
        self._count("guardian_links", len(new), len(changed), same)
        self._create("guardian links", GuardianLink, new)
        self._update(GuardianLink, changed, ["relationship"])

    def _sections(
        self,
        district: District,
        schools: dict[str, School],
        sessions: dict[str, AcademicSession],
    ) -> dict[str, Section]:
        existing = self._existing(
            Section.objects.filter(school__district_id=district.pk).exclude(sourced_id="")
        )
        by_sid = {section.sourced_id: section for section in existing}
        Terms = Section.terms.through
        held_terms: dict[int, set[int]] = defaultdict(set)
        for section_id, session_id in self._existing(
            Terms.objects.filter(section__school__district_id=district.pk).values_list(
                "section_id", "academicsession_id"
            )
        ):
            held_terms[section_id].add(session_id)
        new, changed, same = [], [], 0
        wanted_terms: dict[str, set[int]] = {}
        for spec in self.roster.sections:
            values = {
                "school_id": _ref(schools, "schools", spec.school).pk,
                "name": spec.name,
                "course_sourced_id": spec.course_sourced_id,
                "course_code": spec.course_code,
                "course_title": spec.course_title,
                "course_id": spec.course,
            }
            terms = {_ref(sessions, "academic_sessions", sid).pk for sid in spec.terms}
            wanted_terms[spec.sourced_id] = terms
            section = by_sid.get(spec.sourced_id)
            if section is None:
                section = Section(sourced_id=spec.sourced_id)
                self._assign(section, values)
                new.append(section)
            elif self._assign(section, values) | (held_terms[section.pk] != terms):
                changed.append(section)
            else:
                same += 1
            by_sid[spec.sourced_id] = section
        self._count("sections", len(new), len(changed), same)
        removed = self.roster.removed["sections"]
        self.changes.deactivated["sections"] += len(removed & by_sid.keys())
        self.changes.skipped["sections"] += len(removed - by_sid.keys())
        self._create("sections", Section, new)
        self._update(
            Section,
            changed,
            ["school", "name", "course_sourced_id", "course_code", "course_title", "course"],
        )
        links, stale = [], []
        for sid, terms in wanted_terms.items():
            section_id = by_sid[sid].pk
            held = held_terms[section_id]
            links += [
                Terms(section_id=section_id, academicsession_id=term) for term in terms - held
            ]
            stale += [(section_id, term) for term in held - terms]
        if not self.dry_run:
            Terms.objects.bulk_create(links, batch_size=BATCH)
            for section_id, term in stale:
                Terms.objects.filter(section_id=section_id, academicsession_id=term).delete()
        return by_sid

    def _memberships(
        self,
        district: District,
        model: type[Enrollment] | type[TeachingAssignment],
        kind: str,
        specs: list[MembershipSpec],
        maps: tuple[dict[str, Section], dict[str, Person]],
        ending_for: tuple[set[int], set[int]],
    ) -> set[str]:
        """Sync students' enrollments or teachers' assignments; returns the sourced ids held."""
        sections, people = maps
        removed_people, removed_sections = ending_for
        person_id = "student_id" if model is Enrollment else "teacher_id"
        starts = "enrolled_on" if model is Enrollment else "starts_on"
        existing = self._existing(model.objects.filter(section__school__district_id=district.pk))
        by_key = {(row.section_id, getattr(row, person_id)): row for row in existing}
        new, changed, same = [], [], 0
        wanted: set[tuple[int, int]] = set()
        for spec in specs:
            key = (
                _ref(sections, "sections", spec.section).pk,
                _ref(people, "people", spec.person).pk,
            )
            if key in wanted:
                continue  # the same person twice in one section: the first row stands
            wanted.add(key)
            values = {
                "sourced_id": spec.sourced_id,
                "active": True,
                starts: spec.starts_on,
                "ends_on": spec.ends_on,
            }
            if model is TeachingAssignment:
                values["primary"] = spec.primary
            row = by_key.get(key)
            if row is None:
                row = model(section_id=key[0], **{person_id: key[1]})
                self._assign(row, values)
                new.append(row)
            elif self._assign(row, values):
                changed.append(row)
            else:
                same += 1
        self._count(kind, len(new), len(changed), same)
        complete = {sections[sid].pk for sid in self.roster.complete_sections if sid in sections}
        removed = self.roster.removed["memberships"]
        ended = self._deactivate(
            kind,
            [
                row
                for row in existing
                if getattr(row, person_id) in removed_people
                or row.section_id in removed_sections
                or row.sourced_id in removed
                or (
                    row.sourced_id
                    and row.section_id in complete
                    and (row.section_id, getattr(row, person_id)) not in wanted
                )
            ],
        )
        self._create(kind.replace("_", " "), model, new)
        fields = ["sourced_id", "active", starts, "ends_on"]
        if model is TeachingAssignment:
            fields.append("primary")
        self._update(model, changed + ended, fields)
        return {row.sourced_id for row in existing if row.sourced_id}
