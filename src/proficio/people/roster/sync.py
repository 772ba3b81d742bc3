"""A roster run from start to end: the district, its schools and academic sessions, people,
their roles, guardian links and (in `demographics`) demographics, then (in `sections`)
sections and their memberships."""

import os
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.hashers import make_password

from proficio.people.models import (
    AcademicSession,
    District,
    Enrollment,
    GuardianLink,
    Person,
    Role,
    RoleAssignment,
    School,
    TeachingAssignment,
)
from proficio.people.roster.data import RosterChanges
from proficio.people.roster.demographics import DemographicsStep
from proficio.people.roster.index import roster_district
from proficio.people.roster.sections import SectionSteps


class RosterSync(SectionSteps, DemographicsStep):
    """One run of a roster against the database. A dry run computes the same changes and
    writes nothing: rows it would create get stand-in keys so later kinds can refer to them."""

    def run(self) -> RosterChanges:
        district = self.changes.district = self._district()
        schools = self._schools(district)
        sessions = self._sessions(district)
        people = self._people(district)
        self._roles(district, people, schools)
        self._guardian_links(people)
        self._demographics(district, people)
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

    # ---- each kind ----------------------------------------------------------------------

    def _district(self) -> District:
        roster = self.roster
        district = roster_district(sourced_id=roster.district_sourced_id, into=self.into)
        if district is None:
            if roster.district_name is None:
                raise self._taken(
                    "districts", roster.district_sourced_id, "name", "Unknown district."
                )
            district = District(sourced_id=roster.district_sourced_id, name=roster.district_name)
            self.district_is_new = True
            if not self.dry_run:
                district.save()
            self.changes.created["districts"] += 1
            return district
        # A district keeps its own name unless the admin chose the roster's.
        values = {"sourced_id": roster.district_sourced_id or None}
        if self.rename_district and roster.district_name:
            values["name"] = roster.district_name
        changed = self._assign(district, values)
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
                    raise self._taken(
                        "schools", spec.sourced_id, "name", f"{spec.name!r} is taken."
                    )
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
            parent_id = (
                self._ref(by_sid, "academic_sessions", spec.parent).pk if spec.parent else None
            )
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
                    raise self._taken(
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
                self._ref(people, "people", spec.person).pk,
                Role(spec.role).value,
                self._ref(schools, "schools", spec.school).pk if spec.school else None,
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
                self._ref(people, "people", spec.guardian).pk,
                self._ref(people, "people", spec.student).pk,
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
