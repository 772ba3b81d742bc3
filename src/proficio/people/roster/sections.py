"""The steps of a roster run for sections with their terms, and for who is in them:
students' enrollments and teachers' assignments."""

from collections import defaultdict

from proficio.people.models import (
    AcademicSession,
    District,
    Enrollment,
    Person,
    School,
    Section,
    TeachingAssignment,
)
from proficio.people.roster.data import MembershipSpec
from proficio.people.roster.writes import BATCH, RosterWrites


class SectionSteps(RosterWrites):
    """Sections, then enrollments and teaching assignments, as `RosterSync` runs them."""

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
                "school_id": self._ref(schools, "schools", spec.school).pk,
                "name": spec.name,
                "course_sourced_id": spec.course_sourced_id,
                "course_code": spec.course_code,
                "course_title": spec.course_title,
                "course_id": spec.course,
            }
            terms = {self._ref(sessions, "academic_sessions", sid).pk for sid in spec.terms}
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
                self._ref(sections, "sections", spec.section).pk,
                self._ref(people, "people", spec.person).pk,
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
