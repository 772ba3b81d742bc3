"""Reads of pace: ahead, on pace or behind, and stalled, per student and competency.

What pace needs of the ratings does not depend on the day it is read, so it is stored
(`WorkingStage.pace_facts`) when mastery is written: the working stage as the day-by-day
replay places it, the days it began and last moved up, and the ratings at the working stage
that the stalled rule weighs. A read applies today's date, the age-grade and the school's
expectations to them, with no evidence read. Facts written under another policy or stage
list than today's, not written yet (rows from before they were stored, until a rating or
`proficio recompute` writes them), or holding a rating after today are worked out from the
ratings instead. The single-rating path and the bulk recompute write the same facts.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.db.models import BigIntegerField, Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proficio.engine.pace import (
    AHEAD,
    BEHIND,
    DEFAULT_STALL_RATINGS,
    DEFAULT_STALL_WEEKS,
    MAX_STALL_RATINGS,
    ON_PACE,
    Rating,
    StageGrade,
    Standing,
    WorkHistory,
    classify,
    is_stalled,
    stall_span,
    window_start,
    work_history,
)
from proficio.evidence.api import EvidenceSource, ratings_counted_for
from proficio.frameworks.api import (
    Competency,
    competencies_for_student,
    competency_list_visible_to,
    stages_and_scales_prefetch,
)
from proficio.lib.numbers import localized_decimals
from proficio.mastery.compute import scale_labels
from proficio.mastery.models import MasteryPolicy, PaceExpectation, StalledSummary, WorkingStage
from proficio.mastery.policies import PolicyResolver, policy_for
from proficio.mastery.rollups import rolls_up
from proficio.mastery.tracing import MethodInputs, method_inputs
from proficio.people.api import (
    Person,
    Section,
    enrolment_pairs,
    enrolments_digest,
    sections_students,
    sections_taught_by,
    student_get,
    student_school_assignments,
    student_school_ids,
)

STALLED = "stalled"
# The gradebook's filter keys, in the order its chips show them: who needs support first.
PACE_FILTERS = (STALLED, BEHIND, ON_PACE, AHEAD)
PACE_LABELS = {
    STALLED: _("Stalled"),
    BEHIND: _("Behind"),
    ON_PACE: _("On pace"),
    AHEAD: _("Ahead"),
}


@dataclass(frozen=True)
class Pace:
    """One student's pace on one competency: a standing (or None when it cannot be told),
    whether they are stalled, and the reasons in plain words."""

    standing: str | None
    standing_reason: str
    stalled: bool
    stall_reason: str

    @property
    def known(self) -> bool:
        return self.standing is not None or self.stalled

    @property
    def reason(self) -> str:
        """Everything that applies, the stall first: it is what asks for action."""
        reasons = [self.stall_reason] if self.stalled else []
        if self.standing is not None:
            reasons.append(self.standing_reason)
        return " ".join(reasons)

    @property
    def badge(self) -> str | None:
        """What a badge shows first: a stall, since it asks for action; else the standing."""
        return STALLED if self.stalled else self.standing

    @property
    def label(self) -> str:
        return str(PACE_LABELS[self.badge]) if self.badge else ""

    @property
    def standing_label(self) -> str:
        return str(PACE_LABELS[self.standing]) if self.standing else ""

    def matches(self, key: str) -> bool:
        """Whether the gradebook filter `key` (one of PACE_FILTERS) picks this pace."""
        return self.stalled if key == STALLED else self.standing == key


def matching_cells(paces: Mapping[tuple[int, int], Pace]) -> dict[str, set[tuple[int, int]]]:
    """For each filter key of PACE_FILTERS, the (student id, competency id) pairs it picks."""
    return {
        key: {pair for pair, pace in paces.items() if pace.matches(key)} for key in PACE_FILTERS
    }


def expectation_for(*, district_id: int, school_id: int | None) -> PaceExpectation:
    """The school's own expectations, else the district's, else the documented defaults."""
    rows = {
        row.school_id: row
        for row in PaceExpectation.objects.filter(
            Q(school_id=school_id) | Q(school__isnull=True), district_id=district_id
        )
    }
    return rows.get(school_id) or rows.get(None) or PaceExpectation(district_id=district_id)


@dataclass(frozen=True)
class _Trajectory:
    """What pace reads of one competency, gathered once for all its students."""

    ordinal_of: dict[int, int]  # stage id → ordinal
    grades: list[StageGrade]
    labels: dict[float, str]
    standings: dict[tuple, Standing] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, competency: Competency) -> "_Trajectory":
        stages = list(competency.stages.all())
        return cls(
            ordinal_of={stage.pk: stage.ordinal for stage in stages},
            grades=[StageGrade(stage.ordinal, stage.typical_grade) for stage in stages],
            labels=scale_labels(competency),
        )


def paces_of(
    *,
    students: list[Person],
    competencies: list[Competency],
    today: date,
    only: set[tuple[int, int]] | None = None,
) -> dict[tuple[int, int], Pace]:
    """Pace for every (student id, competency id), or for the pairs `only` names, from the
    ratings observed up to `today`.

    Read from the stored facts; only pairs whose facts do not hold today (see the module)
    read their ratings. Callers pass students the requesting user may see (the public
    reads below do).
    """
    if not students or not competencies:
        return {}
    schools = student_school_ids(student.pk for student in students)
    trajectories = {competency.pk: _Trajectory.of(competency) for competency in competencies}
    expectations: dict[tuple[int, int | None], PaceExpectation] = {}
    policies: dict[tuple[int | None, int], MasteryPolicy] = {}
    policy_in_force = PolicyResolver(on=today)
    stored = {
        (student_id, competency_id): facts
        for student_id, competency_id, facts in WorkingStage.objects.filter(
            student__in=students, competency__in=competencies
        ).values_list("student_id", "competency_id", "pace_facts")
    }
    facts_of: dict[tuple[int, int], dict[str, Any]] = {}
    stale: list[tuple[Person, Competency]] = []
    for student in students:
        school_id = schools.get(student.pk)
        for competency in competencies:
            policy_key = (school_id, competency.pk)
            if policy_key not in policies:
                policies[policy_key] = policy_in_force(school_id, competency)
            pair = (student.pk, competency.pk)
            if only is not None and pair not in only:
                continue
            if pair not in stored:
                # Every write of a rating stores a working stage: none, no rating to read.
                facts_of[pair] = facts_from_ratings(
                    rows=[],
                    ordinal_of=trajectories[competency.pk].ordinal_of,
                    policy=policies[policy_key],
                    competency=competency,
                )
            elif _current(stored[pair], policies[policy_key], trajectories[competency.pk], today):
                facts_of[pair] = stored[pair]
            else:
                stale.append((student, competency))
    if stale:
        stale_students = list({student.pk: student for student, _ in stale}.values())
        stale_competencies = list({c.pk: c for _, c in stale}.values())
        rows = ratings_counted_for(
            students=stale_students, competencies=stale_competencies, as_of=today
        )
        ratings: dict[tuple[int, int], list] = {}
        for row in rows.values_list(*_RATING_FIELDS):
            ratings.setdefault((row[0], row[1]), []).append(row)
        for student, competency in stale:
            facts_of[student.pk, competency.pk] = facts_from_ratings(
                rows=ratings.get((student.pk, competency.pk), []),
                ordinal_of=trajectories[competency.pk].ordinal_of,
                policy=policies[schools.get(student.pk), competency.pk],
                competency=competency,
            )
    paces = {}
    for student in students:
        school_id = schools.get(student.pk)
        expectation_key = (student.district_id, school_id)
        if expectation_key not in expectations:
            expectations[expectation_key] = expectation_for(
                district_id=student.district_id, school_id=school_id
            )
        for competency in competencies:
            if only is not None and (student.pk, competency.pk) not in only:
                continue
            paces[student.pk, competency.pk] = _pace(
                facts=facts_of[student.pk, competency.pk],
                age_grade=student.age_grade,
                trajectory=trajectories[competency.pk],
                policy=policies[school_id, competency.pk],
                expectation=expectations[expectation_key],
                today=today,
            )
    return paces


_RATING_FIELDS = (
    "student_id",
    "competency_id",
    "stage_id",
    "level",
    "weight",
    "observed_at",
    "source",
)


def _current(
    facts: dict[str, Any] | None, policy: MasteryPolicy, trajectory: _Trajectory, today: date
) -> bool:
    """Whether stored facts hold for a read today: same policy and stages, no later rating."""
    return (
        facts is not None
        and facts["policy"] == policy.pk
        and facts["stages"] == sorted(trajectory.ordinal_of.values())
        and (facts["last_day"] is None or facts["last_day"] <= today.isoformat())
    )


def facts_from_ratings(
    *, rows: list, ordinal_of: Mapping[int, int], policy: MasteryPolicy, competency: Competency
) -> dict[str, Any]:
    """What pace needs of one student's counted ratings on one competency, whatever the day.

    `rows` are `_RATING_FIELDS` tuples, oldest work first. JSON-ready: it is stored as is.
    """
    return facts_from_counted(
        ratings=[
            (stage_id, level, weight, observed_at)
            for _, _, stage_id, level, weight, observed_at, source in rows
            if policy.include_self_assessment or source != EvidenceSource.SELF
        ],
        ordinal_of=ordinal_of,
        policy=policy,
        inputs=method_inputs(policy=policy, competency=competency),
    )


def facts_from_counted(
    *,
    ratings: list[tuple],
    ordinal_of: Mapping[int, int],
    policy: MasteryPolicy,
    inputs: MethodInputs,
) -> dict[str, Any]:
    """`facts_from_ratings` of ratings the policy counts: (stage id, level, weight,
    observed_at), oldest work first; inputs: the policy's method for their competency."""
    zone = timezone.get_current_timezone()
    counted = [
        Rating(
            observed_at.astimezone(zone).date(),
            ordinal_of[stage_id],
            float(level),
            float(weight),
        )
        for stage_id, level, weight, observed_at in ratings
    ]
    history = work_history(
        stages=list(ordinal_of.values()),
        ratings=counted,
        method=policy.method,
        params=inputs.params,
        threshold=float(policy.threshold),
        minimum_evidence=policy.minimum_evidence,
        higher_implies_lower=policy.higher_implies_lower,
    )
    at_stage = [
        [rating.day.isoformat(), rating.level]
        for rating in counted
        if rating.stage == history.working_stage and rating.weight > 0
    ]
    return {
        "policy": policy.pk,
        "stages": sorted(ordinal_of.values()),
        "last_day": counted[-1].day.isoformat() if counted else None,
        "working_stage": history.working_stage,
        "completed": history.completed,
        "established": history.established,
        "started_on": _iso(history.started_on),
        "last_advanced_on": _iso(history.last_advanced_on),
        "at_stage": at_stage,
    }


def pace_columns(facts: dict[str, Any], *, threshold: float) -> dict[str, Any]:
    """The working stage's columns written with pace facts: the facts, and what the teacher
    home asks of them in SQL: the policy and stages they were worked out under
    (`facts_key`), their latest rating's day, and their stall span (`engine.pace.StallSpan`,
    its latest days only as far as a school's `stall_ratings` can reach). Days as ISO text.
    `threshold` is the mastery threshold of the facts' policy."""
    span = stall_span(
        at_stage=facts["at_stage"],
        last_advanced_on=facts["last_advanced_on"],
        completed=facts["completed"],
        threshold=threshold,
    )
    return {
        "pace_facts": facts,
        "facts_key": facts_key(policy_id=facts["policy"], stages=facts["stages"]),
        "facts_last_day": facts["last_day"],
        "stall_start": span.start,
        "stall_ends": span.ends[:MAX_STALL_RATINGS],
    }


def facts_key(*, policy_id: int, stages: list[int]) -> str:
    """ "policy id:stage ordinals", what stored facts must match to hold for a read."""
    return f"{policy_id}:{','.join(str(ordinal) for ordinal in stages)}"


def _history(facts: dict[str, Any]) -> WorkHistory:
    return WorkHistory(
        working_stage=facts["working_stage"],
        completed=facts["completed"],
        started_on=_day(facts["started_on"]),
        last_advanced_on=_day(facts["last_advanced_on"]),
        established=facts["established"],
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _pace(
    *,
    facts: dict[str, Any],
    age_grade: int | None,
    trajectory: _Trajectory,
    policy: MasteryPolicy,
    expectation: PaceExpectation,
    today: date,
) -> Pace:
    threshold = float(policy.threshold)
    history = _history(facts)
    tolerance = expectation.stages_below_on_pace
    # A section's students share few of these: each standing is classified once per read.
    key = (age_grade, history.placed_stage, history.completed, tolerance)
    standing = trajectory.standings.get(key)
    if standing is None:
        standing = trajectory.standings[key] = classify(
            stages=trajectory.grades,
            age_grade=age_grade,
            working_stage=history.placed_stage,
            completed=history.completed,
            tolerance=tolerance,
        )
    stall = is_stalled(
        history=history,
        ratings=[
            Rating(date.fromisoformat(day), history.working_stage, level)
            for day, level in facts["at_stage"]
        ],
        today=today,
        stall_weeks=expectation.stall_weeks,
        threshold=threshold,
        minimum_ratings=expectation.stall_ratings,
        labels=trajectory.labels,
    )
    return Pace(
        standing.status,
        localized_decimals(standing.reason),
        stall.stalled,
        localized_decimals(stall.reason),
    )


def pace_facts_computed(*, student: Person, competency: Competency) -> dict[str, Any]:
    """What pace needs of one student's ratings on one competency, from the ratings, under
    the policy in force today: the one a read today compares them with."""
    return _facts_under(
        policy=policy_for(student=student, competency=competency),
        student=student,
        competency=competency,
    )


def _facts_under(*, policy: MasteryPolicy, student: Person, competency: Competency) -> dict:
    rows: list[tuple] = []
    # A parent mastered from its parts counts no ratings of its own (ADR 0035).
    if not (rolls_up(policy) and competency.children.exists()):
        counted = ratings_counted_for(students=[student], competencies=[competency], as_of=None)
        rows = list(counted.values_list(*_RATING_FIELDS))
    return facts_from_ratings(
        rows=rows,
        ordinal_of={stage.pk: stage.ordinal for stage in competency.stages.all()},
        policy=policy,
        competency=competency,
    )


def pace_facts_store(*, student: Person, competency: Competency) -> None:
    """Store the pace facts of one student on one competency, after a write of mastery."""
    policy = policy_for(student=student, competency=competency)
    facts = _facts_under(policy=policy, student=student, competency=competency)
    WorkingStage.objects.filter(student=student, competency=competency).update(
        **pace_columns(facts, threshold=float(policy.threshold)),
        revision=F("revision") + 1,
        updated_at=timezone.now(),
    )


# ---- reads for pages ------------------------------------------------------------------------


def student_pace(*, user: Person, student_id: str, today: date | None = None) -> dict[int, Pace]:
    """A visible student's pace on each of their competencies, keyed by competency id."""
    student = student_get(user=user, student_id=student_id)
    competencies = list(competencies_for_student(student))
    paces = paces_of(
        students=[student], competencies=competencies, today=today or timezone.localdate()
    )
    return {competency_id: pace for (_, competency_id), pace in paces.items()}


@dataclass(frozen=True)
class StalledWork:
    section: Section
    student: Person
    competency: Competency
    pace: Pace


@dataclass(frozen=True)
class StalledSection:
    """Who is stalled in one section: every (student id, competency id), students by name,
    and the first few with their pace and its reason, so that the list stays short."""

    section: Section
    pairs: list[tuple[int, int]]
    shown: list[StalledWork]

    @property
    def more(self) -> int:
        return len(self.pairs) - len(self.shown)

    @property
    def students(self) -> int:
        """How many students are stalled, on one competency or more: what the gradebook's
        stalled filter counts too."""
        return len({student_id for student_id, _ in self.pairs})


def stalled_in_sections(
    *, user: Person, today: date | None = None, shown: int = 5
) -> list[StalledSection]:
    """Who is stalled, on what, in each section this user teaches where anyone is.

    A student in two of the user's sections is counted under the first, once per competency.
    Who is stalled is kept for the user (`StalledSummary`) and read again only when what it
    comes from changed (`_fingerprint`), so the page reads stored counts; pace and its
    reason are worked out for the `shown` first of each section only.
    """
    today = today or timezone.localdate()
    sections = list(sections_taught_by(user))
    competencies = list(competency_list_visible_to(user))
    if not sections or not competencies:
        return []
    stages_and_scales_prefetch(competencies)
    reading = _StallReading.of(district_id=user.district_id, competencies=competencies, today=today)
    taught = sections_students(user=user, sections=sections)
    fingerprint = _fingerprint(reading, sections=sections, competencies=competencies, taught=taught)
    summary = StalledSummary.objects.filter(person=user).first()
    if summary is not None and summary.fingerprint == fingerprint:
        pairs_of = {
            int(section_id): [(student_id, competency_id) for student_id, competency_id in pairs]
            for section_id, pairs in summary.sections.items()
        }
    else:
        pairs_of = _stalled_by_section(reading, sections=sections, taught=taught)
        StalledSummary.objects.update_or_create(
            person=user,
            defaults={
                "fingerprint": fingerprint,
                "sections": {str(section_id): pairs for section_id, pairs in pairs_of.items()},
                "computed_at": timezone.now(),
            },
        )
    listed = {pair for pairs in pairs_of.values() for pair in pairs[:shown]}
    if not listed:
        return []
    students = {student.pk: student for student in taught.filter(pk__in={s for s, _ in listed})}
    competency_of = {competency.pk: competency for competency in competencies}
    paces = paces_of(
        students=list(students.values()), competencies=competencies, today=today, only=listed
    )
    return [
        StalledSection(
            section=section,
            pairs=pairs_of[section.pk],
            shown=[
                StalledWork(section, students[pair[0]], competency_of[pair[1]], paces[pair])
                for pair in pairs_of[section.pk][:shown]
                if pair[0] in students  # a summary only ever names students in `taught`
            ],
        )
        for section in sections
        if pairs_of.get(section.pk)
    ]


def _stalled_by_section(
    reading: "_StallReading", *, sections: list[Section], taught: QuerySet
) -> dict[int, list[tuple[int, int]]]:
    """section id → its stalled (student id, competency id) pairs, students by name; a
    student in two of the sections under the first."""
    stalled = _stalled_pairs(reading, students=taught)
    if not stalled:
        return {}
    ordered = list(
        taught.filter(pk__in={student_id for student_id, _ in stalled})
        .order_by("last_name", "first_name")
        .values_list("pk", flat=True)
    )
    enrolled = enrolment_pairs(student_ids=ordered, sections=sections)
    pairs_of: dict[int, list[tuple[int, int]]] = {}
    seen: set[tuple[int, int]] = set()
    for section in sections:
        for student_id in ordered:
            if (section.pk, student_id) not in enrolled:
                continue
            for competency in reading.competencies:
                pair = (student_id, competency.pk)
                if pair in stalled and pair not in seen:
                    seen.add(pair)
                    pairs_of.setdefault(section.pk, []).append(pair)
    return pairs_of


def _fingerprint(
    reading: "_StallReading",
    *,
    sections: list[Section],
    competencies: list[Competency],
    taught: QuerySet,
) -> str:
    """A digest of everything who is stalled in these sections is worked out from: the
    day, the sections and their enrolments, their students' working stages (how many,
    whose, and their revisions, which every write of the pace columns counts up), the
    competencies and their stages, the policies in force and the stall settings. A student
    without a working stage has no rating, so cannot be stalled.

    A student's school is left out: a move to a school with other stall settings shows
    with the next write to their working stages, or the next day.
    """
    rows = WorkingStage.objects.filter(student__in=taught, competency__in=competencies).aggregate(
        count=Count("pk"),
        students=Sum("student_id", output_field=BigIntegerField()),
        revisions=Sum("revision", output_field=BigIntegerField()),
    )
    parts = [
        reading.today.isoformat(),
        [section.pk for section in sections],
        enrolments_digest(sections=sections),
        [[competency.pk, reading.stages_of[competency.pk]] for competency in competencies],
        sorted(reading.winners),
        sorted([school_id or 0, *setting] for school_id, setting in reading.settings.items()),
        [rows["count"], int(rows["students"] or 0), int(rows["revisions"] or 0)],
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True)
class _StallReading:
    """What telling who is stalled needs of the district on a day, read once: each school's
    (stall weeks, stall ratings), the policies in force and which of them win somewhere,
    and the competencies' stages."""

    today: date
    competencies: list[Competency]
    settings: dict[int | None, tuple[int, int]]  # school id (None: the district) → setting
    resolve: PolicyResolver
    winners: set[int]
    stages_of: dict[int, list[int]]
    # The schools with a policy of their own; every other school is governed as the district.
    own_policy_schools: set[int]

    @classmethod
    def of(
        cls, *, district_id: int | None, competencies: list[Competency], today: date
    ) -> "_StallReading":
        settings = {
            school_id: (weeks, ratings)
            for school_id, weeks, ratings in PaceExpectation.objects.filter(
                district_id=district_id
            ).values_list("school_id", "stall_weeks", "stall_ratings")
        }
        resolve = PolicyResolver(on=today)
        # The policies that win somewhere: a school without a policy of its own is governed
        # as the district is, so the schools named by policies and "none" cover everyone.
        schools = {policy.school_id for policy in resolve.in_force(district_id)}
        winners = {
            resolve(school_id, competency).pk
            for school_id in schools | {None}
            for competency in competencies
        }
        stages_of = {
            competency.pk: sorted(stage.ordinal for stage in competency.stages.all())
            for competency in competencies
        }
        own = {school_id for school_id in schools if school_id is not None}
        return cls(today, competencies, settings, resolve, winners, stages_of, own)

    def key_in_force(self, school_id: int | None, competency: Competency) -> str:
        """The `facts_key` of facts that hold today for a student of this school."""
        policy = self.resolve(school_id, competency)
        return facts_key(policy_id=policy.pk, stages=self.stages_of[competency.pk])

    def setting_of(self, school_id: int | None) -> tuple[int, int]:
        """The school's own setting, else the district's, else the documented defaults."""
        fallback = self.settings.get(None, (DEFAULT_STALL_WEEKS, DEFAULT_STALL_RATINGS))
        return self.settings.get(school_id, fallback)

    def settings_in_use(self) -> set[tuple[int, int]]:
        return {*self.settings.values(), self.setting_of(None)}


def stalled_pairs(
    *, district_id: int | None, students: QuerySet, competencies: list[Competency], today: date
) -> set[tuple[int, int]]:
    """The (student id, competency id) pairs of these students that are stalled today.
    `students` are those the caller may see; `competencies` come with their stages."""
    reading = _StallReading.of(district_id=district_id, competencies=competencies, today=today)
    return _stalled_pairs(reading, students=students)


def _stalled_pairs(reading: _StallReading, *, students: QuerySet) -> set[tuple[int, int]]:
    """Stored facts that hold today answer from their stall span: stalled when the stall
    window of the student's school starts inside it (`engine.pace.StallSpan`). The others
    are worked out from the ratings (`paces_of`). SQL first keeps only the rows that may
    be stalled under one of the district's settings, and those that may not hold."""
    today, competencies = reading.today, reading.competencies
    working = WorkingStage.objects.filter(student__in=students, competency__in=competencies)
    if reading.own_policy_schools:
        school = student_school_assignments().filter(person_id=OuterRef("student_id"))
        working = working.alias(school_id=Subquery(school.values("school_id")[:1]))
    rows = list(
        working.filter(_could_be_stalled(reading)).values_list(
            "student_id",
            "competency_id",
            "facts_key",
            "facts_last_day",
            "stall_start",
            "stall_ends",
        )
    )
    schools = student_school_ids({student_id for student_id, *_ in rows})
    competency_of = {competency.pk: competency for competency in competencies}

    @cache
    def key_in_force(school_id: int | None, competency_id: int) -> str:
        return reading.key_in_force(school_id, competency_of[competency_id])

    @cache
    def window_of(school_id: int | None) -> tuple[date, str, int]:
        """The school's window start, as a day and as ISO text, and its minimum ratings."""
        weeks, ratings = reading.setting_of(school_id)
        start = window_start(today, weeks)
        return start, start.isoformat(), ratings

    stalled: set[tuple[int, int]] = set()
    unsure: set[tuple[int, int]] = set()
    for student_id, competency_id, key, last_day, start, ends in rows:
        school_id = schools[student_id]
        holds = (
            ends is not None
            and key == key_in_force(school_id, competency_id)
            and (last_day is None or last_day <= today)
        )
        if not holds:
            unsure.add((student_id, competency_id))
            continue
        window, window_text, ratings = window_of(school_id)
        if start is not None and start <= window and window_text < _nth(ends, ratings):
            stalled.add((student_id, competency_id))
    if unsure:
        rated = list(students.filter(pk__in={student_id for student_id, _ in unsure}))
        paces = paces_of(students=rated, competencies=competencies, today=today, only=unsure)
        stalled |= {pair for pair, pace in paces.items() if pace.stalled}
    return stalled


def _nth(days: list[str], count: int) -> str:
    """The day of the `count`-th latest rating of a stall span, "" when there are fewer."""
    return days[count - 1] if len(days) >= count else ""


def _could_be_stalled(reading: _StallReading) -> Q:
    """Working stages stalled today under one of the district's stall settings by their
    stored stall span, and those whose facts may not hold today: none stored, or not their
    columns yet; worked out under another policy than the one in force for the student's
    school, or another stage list; a later rating. The latest days of a span are ISO text,
    which orders as the days do.

    Where a school has a policy of its own, the query reads each student's school (the
    `school_id` alias `_stalled_pairs` adds), so a policy saved but not yet recomputed
    lets its school's rows through.
    """
    room = Q(pk__in=[])
    for weeks, ratings in reading.settings_in_use():
        window = window_start(reading.today, weeks)
        room |= Q(stall_start__lte=window) & Q(
            **{f"stall_ends__{ratings - 1}__gt": window.isoformat()}
        )
    own = reading.own_policy_schools
    holding = Q(pk__in=[])
    for competency in reading.competencies:
        district_key = reading.key_in_force(None, competency)
        if not own:
            holding |= Q(competency=competency, facts_key=district_key)
            continue
        governed_as_district = Q(school_id__isnull=True) | ~Q(school_id__in=own)
        holding |= Q(competency=competency) & (
            (governed_as_district & Q(facts_key=district_key))
            | _any(
                Q(school_id=school_id, facts_key=reading.key_in_force(school_id, competency))
                for school_id in sorted(own)
            )
        )
    unsure = Q(stall_ends__isnull=True) | ~holding | Q(facts_last_day__gt=reading.today)
    return room | unsure


def _any(conditions: Iterable[Q]) -> Q:
    found = Q(pk__in=[])
    for condition in conditions:
        found |= condition
    return found
