"""Advancement upon mastery (issue 13, item 7): a course complete under the policies in force
is proposed by Proficio; a teacher may propose acceleration; a teacher and the student
confirm; the district's gate may ask a standardized result to confirm; a teacher decides,
with a rationale, and to advance places the student in a section of the next course —
whatever their age-grade. Every step is audited and the record is the student's to read."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from proficio.audit import api as audit
from proficio.engine.rules import ChildResult, Rollup, rollup_all
from proficio.evidence.api import Evidence, rated_since, standardized_results
from proficio.frameworks.api import Course
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.events import ADVANCEMENT_DECIDED, Event, publish
from proficio.mastery.api import mastered_stages
from proficio.pathways.models import (
    Advancement,
    AdvancementGate,
    AdvancementKind,
    Decision,
    GateMode,
)
from proficio.people.api import (
    Person,
    Section,
    districts_administered_by,
    enrolment_pairs,
    is_self,
    schools_administered_by,
    section_enroll,
    section_leave,
    sections_enrolled_in,
    sections_taught_by,
    serves_as_staff,
)

TEXT_MAX = 5000


# ---- completion -------------------------------------------------------------------------


def course_completion(*, course: Course, statuses: Sequence) -> Rollup:
    """Whether the student has mastered every target of the course, and why, from their
    competency statuses (mastery's, under the policies in force): the engine's `all` rule
    over the targets (engine.rules)."""
    by_competency = {status.competency.pk: status for status in statuses}
    children = []
    for target in course.targets.all():
        stage = target.stage
        status = by_competency.get(stage.competency_id)
        found = next((s for s in status.stages if s.stage.pk == stage.pk), None) if status else None
        children.append(
            ChildResult(
                name=f"{stage.competency.code} stage {stage.ordinal}",
                value=found.value if found else None,
                mastered=bool(found and found.mastered),
            )
        )
    return rollup_all(children)


@dataclass(frozen=True)
class Enrolled:
    section: Section
    course: Course


def courses_of(student: Person) -> list[Enrolled]:
    """The courses of the sections the student is in now."""
    sections = (
        sections_enrolled_in(student)
        .select_related("course")
        .prefetch_related("course__targets__stage__competency")
    )
    return [Enrolled(section, section.course) for section in sections if section.course]


# ---- proposals --------------------------------------------------------------------------


def proposals_sync(
    *,
    students: Sequence[Person],
    sections: Sequence[Section] | None = None,
    statuses: dict[int, list] | None = None,
) -> list[Advancement]:
    """Proficio proposes advancement for each of these students whose course (of `sections`,
    or of every section they are in) is complete and who has no advancement record for it
    yet; the new proposals. Idempotent, and a fixed number of queries to find none.
    `statuses`: the students' (`students_mastery`, by student id), when the caller has read
    them already."""
    if not students:
        return []
    if sections is None:
        pairs = [(e.section, student) for student in students for e in courses_of(student)]
    else:
        with_course = [section for section in sections if section.course_id]
        prefetch_related_objects(with_course, "course__targets__stage__competency")
        by_id = {section.pk: section for section in with_course}
        people = {student.pk: student for student in students}
        found = enrolment_pairs(student_ids=list(people), sections=with_course)
        pairs = [(by_id[section_id], people[student_id]) for section_id, student_id in found]
    if not pairs:
        return []
    recorded = _standing_records(pairs)
    waiting = [(section, s) for section, s in pairs if (s.pk, section.course_id) not in recorded]
    if statuses is None:
        # Only "is each target mastered?" is asked here: the stored flags, in one narrow read,
        # not every competency's status of every student (Today reads a whole section's).
        targets = {
            target.stage_id for section, _ in waiting for target in section.course.targets.all()
        }
        mastered = mastered_stages(
            student_ids=[s.pk for _, s in waiting], stage_ids=sorted(targets)
        )

        def complete(section: Section, student: Person) -> bool:
            stages = [target.stage_id for target in section.course.targets.all()]
            return bool(stages) and all((student.pk, stage) in mastered for stage in stages)
    else:

        def complete(section: Section, student: Person) -> bool:
            return course_completion(course=section.course, statuses=statuses[student.pk]).mastered

    created = []
    for section, student in waiting:
        if (student.pk, section.course_id) in recorded:
            continue
        if complete(section, student):
            recorded.add((student.pk, section.course_id))
            enrolled = Enrolled(section, section.course)
            created.append(_propose(student, enrolled, None, AdvancementKind.COURSE, ""))
    return created


def _standing_records(pairs: Sequence[tuple[Section, Person]]) -> set[tuple[int, int]]:
    """(student, course) pairs Proficio does not propose again: one open, or advanced, or
    judged "not yet" with no new rating of the student on the course since."""
    rows = Advancement.objects.filter(student__in={s.pk for _, s in pairs}).values_list(
        "student_id", "course_id", "decision", "decided_at"
    )
    standing, not_yet = set(), {}
    for student_id, course_id, decision, decided_at in rows:
        if decision == Decision.NOT_YET:
            key = (student_id, course_id)
            not_yet[key] = max(not_yet.get(key, decided_at), decided_at)
        else:
            standing.add((student_id, course_id))
    courses = {section.course_id: section.course for section, _ in pairs}
    for (student_id, course_id), decided_at in not_yet.items():
        if (student_id, course_id) in standing:
            continue
        competencies = {t.stage.competency_id for t in courses[course_id].targets.all()}
        if not rated_since(student_id=student_id, competency_ids=competencies, since=decided_at):
            standing.add((student_id, course_id))
    return standing


@transaction.atomic
def _propose(
    student: Person, enrolled: Enrolled, actor: Person | None, kind: str, note: str
) -> Advancement:
    try:
        with transaction.atomic():
            advancement = Advancement.objects.create(
                student=student,
                course=enrolled.course,
                next_course=enrolled.course.next_course,
                from_section=enrolled.section,
                kind=kind,
                proposed_at=timezone.now(),
                proposed_by=actor,
                proposal_note=note,
            )
    except IntegrityError:
        # Proposed a moment ago by another visit: that one stands.
        return Advancement.objects.get(student=student, course=enrolled.course, decision="")
    audit.record(
        actor=actor,
        action=audit.ADVANCEMENT_PROPOSED,
        student=student,
        target=advancement,
        data={"course": enrolled.course.code, "kind": kind},
    )
    return advancement


@transaction.atomic
def advancement_accelerate(*, actor: Person, student: Person, note: str) -> Advancement:
    """A teacher proposes to advance a student early, on strong evidence (the note says
    which): the same confirmations and gate follow."""
    if not serves_as_staff(actor, student):
        raise NotVisible(f"No student {student.uuid}.")
    note = note.strip()
    errors = {}
    # The course of a section the actor teaches (or administers): not any teacher's.
    enrolled = [e for e in courses_of(student) if answers_for_section(actor, e.section)]
    if not enrolled:
        errors["course"] = "The student is in no section of yours with a course to advance from."
    elif Advancement.objects.filter(
        student=student, course=enrolled[0].course, decision=""
    ).exists():
        errors["course"] = "An advancement from this course is already open."
    if not note:
        errors["note"] = "Say what evidence shows the student is ready."
    elif len(note) > TEXT_MAX:
        errors["note"] = f"Keep it under {TEXT_MAX:,} characters."
    if errors:
        raise InvalidInput(errors)
    return _propose(student, enrolled[0], actor, AdvancementKind.ACCELERATION, note)


def answers_for_section(actor: Person, section: Section | None) -> bool:
    """A teacher of the section, or an admin of its school or district: those who confirm
    and decide a student's advancement from it — not a colleague who teaches the student
    something else, nor a flexible group's teacher."""
    if section is None:
        return False
    if sections_taught_by(actor).filter(pk=section.pk).exists():
        return True
    return (
        districts_administered_by(actor).filter(pk=section.school.district_id).exists()
        or schools_administered_by(actor).filter(pk=section.school_id).exists()
    )


def answers_for(actor: Person, advancement: Advancement) -> bool:
    if advancement.from_section is not None:
        return answers_for_section(actor, advancement.from_section)
    return districts_administered_by(actor).filter(pk=advancement.student.district_id).exists()


# ---- confirmations ----------------------------------------------------------------------


@transaction.atomic
def advancement_confirm(*, actor: Person, advancement: Advancement) -> Advancement:
    """A teacher of the student confirms the student is ready; the student confirms "I am
    ready". Each once."""
    advancement = Advancement.objects.select_for_update().get(pk=advancement.pk)
    student = advancement.student
    if not advancement.open:
        raise InvalidInput({"advancement": "This advancement is decided."})
    who = None
    if is_self(actor, student):
        if advancement.student_confirmed_at is None:
            advancement.student_confirmed_at = timezone.now()
            who = "student"
    elif answers_for(actor, advancement):
        if advancement.teacher_confirmed_at is None:
            advancement.teacher_confirmed_at = timezone.now()
            advancement.teacher_confirmed_by = actor
            who = "teacher"
    else:
        raise NotVisible(f"No advancement {advancement.uuid}.")
    if who is not None:
        advancement.save()
        audit.record(
            actor=actor,
            action=audit.ADVANCEMENT_CONFIRMED,
            student=student,
            target=advancement,
            data={"by": who},
        )
    return advancement


# ---- the gate and the decision ------------------------------------------------------------


def gate_of(district_id: int) -> AdvancementGate:
    return AdvancementGate.objects.filter(district_id=district_id).first() or AdvancementGate(
        district_id=district_id
    )


def _standardized(advancements: Sequence[Advancement]) -> dict[int, list[Evidence]]:
    """Each advancement's standardized results on one of its course's competencies, by
    advancement id, oldest work first (as `evidence_of` lists them): one query for all."""
    competencies = {
        advancement.pk: {target.stage.competency_id for target in advancement.course.targets.all()}
        for advancement in advancements
    }
    rows = standardized_results(
        student_ids={advancement.student_id for advancement in advancements},
        competency_ids=set().union(*competencies.values()),
    )
    by_student: dict[int, list[Evidence]] = {}
    for row in rows:
        by_student.setdefault(row.student_id, []).append(row)
    return {
        advancement.pk: [
            row
            for row in by_student.get(advancement.student_id, [])
            if row.competency_id in competencies[advancement.pk]
        ]
        for advancement in advancements
    }


def _highest(results: Sequence[Evidence]) -> Evidence | None:
    return max(results, key=lambda row: (row.level, row.observed_at), default=None)


def _best(results: Sequence[Evidence], gate: AdvancementGate) -> Evidence | None:
    best = _highest(results)
    if best is None or (gate.threshold is not None and best.level < gate.threshold):
        return best if gate.mode == GateMode.ADVISORY else None
    return best


def gate_evidence(advancement: Advancement, gate: AdvancementGate) -> Evidence | None:
    """The best standardized result that still stands (not withdrawn, not corrected) on one
    of the course's competencies, at or above the threshold if there is one."""
    return _best(_standardized([advancement])[advancement.pk], gate)


def _waits(gate: AdvancementGate, found: Evidence | None) -> str:
    if gate.mode != GateMode.REQUIRED:
        return ""
    if found is not None and (gate.threshold is None or found.level >= gate.threshold):
        return ""
    threshold = f" of at least {gate.threshold.normalize():f}" if gate.threshold else ""
    found_words = "none is recorded yet"
    if found is not None:
        day = f"{found.observed_at:%-d %b %Y}"
        found_words = f"the best so far, {found.level.normalize():f} on {day}, is below it"
    return (
        f"The district asks for a standardized result{threshold} on one of the course's "
        f"competencies before a student advances; {found_words}."
    )


def gate_waits(advancement: Advancement) -> str:
    """Why advancing must wait for the gate, or "" when it need not."""
    gate = gate_of(advancement.student.district_id)
    if gate.mode != GateMode.REQUIRED:
        return ""
    return _waits(gate, _highest(_standardized([advancement])[advancement.pk]))


def gate_waits_many(advancements: Sequence[Advancement]) -> list[str]:
    """`gate_waits` of each advancement, in a fixed number of queries however many there are
    (Today lists every open one of a teacher's students)."""
    districts = {advancement.student.district_id for advancement in advancements}
    gates = {
        gate.district_id: gate for gate in AdvancementGate.objects.filter(district_id__in=districts)
    }
    required = [
        advancement
        for advancement in advancements
        if advancement.student.district_id in gates
        and gates[advancement.student.district_id].mode == GateMode.REQUIRED
    ]
    prefetch_related_objects(required, "course__targets__stage")
    results = _standardized(required) if required else {}
    waits = []
    for advancement in advancements:
        gate = gates.get(advancement.student.district_id)
        if advancement.pk not in results:
            waits.append("")
            continue
        waits.append(_waits(gate, _highest(results[advancement.pk])))
    return waits


@transaction.atomic
def advancement_decide(
    *,
    actor: Person,
    advancement: Advancement,
    decision: str,
    rationale: str,
    next_steps: str = "",
    section: Section | None = None,
) -> Advancement:
    """A teacher of the student decides: advance — once the teacher and the student have
    confirmed and the gate allows — into a section of the next course; or not yet, with
    what is needed next. Both are records the student and family read."""
    advancement = Advancement.objects.select_for_update().get(pk=advancement.pk)
    student = advancement.student
    if not answers_for(actor, advancement):
        raise NotVisible(f"No advancement {advancement.uuid}.")
    errors: dict[str, str] = {}
    rationale, next_steps = rationale.strip(), next_steps.strip()
    if not advancement.open:
        errors["advancement"] = "This advancement is decided."
    if decision not in Decision.values:
        errors["decision"] = "Advance, or not yet."
    if not rationale:
        errors["rationale"] = "Say why, for the student and their family."
    elif len(rationale) > TEXT_MAX or len(next_steps) > TEXT_MAX:
        errors["rationale"] = f"Keep it under {TEXT_MAX:,} characters."
    gate = gate_of(student.district_id)
    if decision == Decision.ADVANCE:
        if advancement.teacher_confirmed_at is None or advancement.student_confirmed_at is None:
            errors["decision"] = "The teacher and the student both confirm before advancing."
        elif waits := gate_waits(advancement):
            errors["decision"] = waits
        if section is None:
            errors["section"] = "Choose the section the student joins."
        elif (
            advancement.next_course is not None and section.course_id != advancement.next_course_id
        ):
            errors["section"] = f"Choose a section of {advancement.next_course.title}."
        elif section.school.district_id != student.district_id:
            errors["section"] = "Choose a section of the student's district."
    elif decision == Decision.NOT_YET and not next_steps:
        errors["next_steps"] = "Say what the student works on next."
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    advancement.gate_mode = gate.mode
    advancement.gate_threshold = gate.threshold
    advancement.gate_evidence = gate_evidence(advancement, gate) if gate.mode != "none" else None
    advancement.decision = decision
    advancement.rationale = rationale
    advancement.next_steps = next_steps
    advancement.decided_by = actor
    advancement.decided_at = now
    if decision == Decision.ADVANCE:
        section_enroll(
            section=section, student=student, enrolled_on=timezone.localdate(), actor=actor
        )
        if advancement.from_section is not None:
            section_leave(section=advancement.from_section, student=student, actor=actor)
        advancement.placed_in = section
    advancement.save()
    audit.record(
        actor=actor,
        action=audit.ADVANCEMENT_DECIDED,
        student=student,
        target=advancement,
        data={
            "decision": decision,
            "course": advancement.course.code,
            "section": section.name if section else None,
            "gate": gate.mode,
        },
    )
    publish(
        [
            Event(
                ADVANCEMENT_DECIDED,
                student.district_id,
                {
                    "advancement": str(advancement.uuid),
                    "student_id": student.pk,
                    "course": advancement.course.code,
                    "decision": decision,
                    "section": str(section.uuid) if decision == Decision.ADVANCE else None,
                    "decidedAt": now.isoformat(),
                },
            )
        ]
    )
    return advancement


@transaction.atomic
def gate_set(
    *, actor: Person, district_id: int, mode: str, threshold: Decimal | None
) -> AdvancementGate:
    """A district admin sets whether a standardized measure confirms advancement."""
    if not districts_administered_by(actor).filter(pk=district_id).exists():
        raise NotVisible("No district to set here.")
    errors = {}
    if mode not in GateMode.values:
        errors["mode"] = "None, advisory or required."
    if mode == GateMode.REQUIRED and threshold is None:
        errors["threshold"] = "Say the least level a result must reach."
    elif threshold is not None and (
        not threshold.is_finite() or not Decimal(0) <= threshold < Decimal(10_000)
    ):
        errors["threshold"] = "The least level is a number on the scale, such as 3."
    if errors:
        raise InvalidInput(errors)
    gate, _ = AdvancementGate.objects.update_or_create(
        district_id=district_id,
        defaults={"mode": mode, "threshold": threshold, "changed_by": actor},
    )
    audit.record(
        actor=actor,
        action=audit.ADVANCEMENT_GATE_SET,
        district_id=district_id,
        target=gate,
        data={"mode": mode, "threshold": str(threshold) if threshold is not None else None},
    )
    return gate
