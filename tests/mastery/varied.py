"""A district with varied evidence and policies, and snapshots of the mastery stored for it:
what the bulk recompute and the per-student path are compared on."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from proficio.evidence.models import Evidence
from proficio.evidence.services import evidence_append
from proficio.frameworks.models import Competency
from proficio.frameworks.services import framework_create
from proficio.mastery.models import MasteryPolicy, MasteryRecord, WorkingStage
from proficio.people.models import Person, Role
from tests.factories import World, make_competency, make_person

SOURCES = ["observation", "task", "conference", "self"]


@dataclass
class Varied:
    world: World
    students: list[Person]
    competencies: list[Competency]


def varied_district(world: World, *, seed: int = 7, ratings: int = 9) -> Varied:
    """The world's district with more students and competencies, and random ratings:
    ties in observed_at, self-assessments, weights 0 and 2, and corrections."""
    rng = random.Random(seed)
    extra_framework = framework_create(
        district=world.district, code="MA", title="Mathematics", scale=world.scale
    )
    competencies = [
        world.competency,
        make_competency(world.framework, "W2", stages=4),
        make_competency(extra_framework, "M1", stages=5),
        make_competency(extra_framework, "M2", stages=2),
    ]
    students = [world.student, world.classmate, world.other_student, world.far_student]
    for n in range(3):
        students.append(make_person(world.district, f"north{n}", Role.STUDENT, world.school))
        students.append(make_person(world.district, f"south{n}", Role.STUDENT, world.other_school))
    today = timezone.localdate()
    for student in students:
        for competency in competencies:
            if rng.random() < 0.15:
                continue
            stages = [stage.ordinal for stage in competency.stages.all()]
            for _ in range(rng.randint(1, ratings)):
                _rating(rng, world, student, competency, stages, today)
    return Varied(world=world, students=students, competencies=competencies)


def _rating(rng, world, student, competency, stages, today: date) -> None:
    day = today - timedelta(days=rng.randint(1, 40))
    # Noon on a few days, so many ratings of one stage share their observed_at.
    moment = time(12) if rng.random() < 0.5 else time(rng.randint(7, 16), rng.randint(0, 59))
    current = Evidence.objects.filter(
        student=student, competency=competency, superseded_by__isnull=True
    )
    supersedes = current.order_by("?").first() if rng.random() < 0.12 else None
    evidence_append(
        assessor=world.teacher,
        student=student,
        competency=competency,
        stage=rng.choice(stages[: rng.randint(1, len(stages))]),
        level=rng.choice([1, 2, 3, 3, 4]),
        observed_at=timezone.make_aware(datetime.combine(day, moment)),
        source=rng.choice(SOURCES),
        weight=Decimal(rng.choice([1, 1, 1, 1, 1, 1, 1, 0, 2])),
        supersedes=supersedes,
    )


def policy(world: World, method: str, **fields) -> MasteryPolicy:
    """A policy version saved directly: the arrangement of a test, not a change under test."""
    scope = {key: fields.pop(key, None) for key in ("school", "framework", "competency")}
    latest = MasteryPolicy.objects.filter(district=world.district, **scope).count()
    return MasteryPolicy.objects.create(
        district=world.district,
        method=method,
        parameters=fields.pop("parameters", {}),
        minimum_evidence=fields.pop("minimum_evidence", 2),
        threshold=fields.pop("threshold", Decimal(3)),
        effective_from=fields.pop("effective_from", date(2020, 1, 1)),
        version=latest + 1,
        **scope,
        **fields,
    )


def mixed_policies(varied: Varied, district_method: str, parameters: dict) -> None:
    """A policy at every level of scope, so every method meets every rule."""
    world = varied.world
    w2, m1 = varied.competencies[1], varied.competencies[2]
    policy(world, district_method, parameters=parameters)
    policy(world, "mean", school=world.school, higher_implies_lower=False, minimum_evidence=1)
    policy(
        world,
        "n_mastery",
        framework=m1.framework,
        parameters={"n": 2},
        include_self_assessment=True,
    )
    policy(world, "median_recent", competency=w2, parameters={"n": 3}, minimum_evidence=3)
    # Not in force yet: must change nothing today.
    policy(world, "highest", effective_from=timezone.localdate() + timedelta(days=3))


RecordKey = tuple[int, int]


def stored_records() -> dict[RecordKey, tuple]:
    return {
        (r.student_id, r.stage_id): (
            r.value,
            r.mastered,
            r.implied,
            r.evidence_count,
            r.sufficient,
            r.policy_id,
        )
        for r in MasteryRecord.objects.all()
    }


def stored_working() -> dict[RecordKey, tuple]:
    return {
        (w.student_id, w.competency_id): (
            w.ordinal,
            w.latest_level,
            w.latest_stage_ordinal,
            w.latest_observed_at,
            w.pace_facts,
            w.facts_key,
            w.facts_last_day,
            w.stall_start,
            w.stall_ends,
        )
        for w in WorkingStage.objects.all()
    }


def stored_pace_columns(working: WorkingStage) -> dict:
    """A working stage's pace columns as `pace.pace_columns` gives them (days as ISO text)."""
    return {
        "pace_facts": working.pace_facts,
        "facts_key": working.facts_key,
        "facts_last_day": working.facts_last_day and working.facts_last_day.isoformat(),
        "stall_start": working.stall_start and working.stall_start.isoformat(),
        "stall_ends": working.stall_ends,
    }


def explanations() -> dict[RecordKey, str]:
    return {(r.student_id, r.stage_id): r.explanation for r in MasteryRecord.objects.all()}


def assert_same_records(expected: dict, actual: dict) -> None:
    """Equal record by record; values to the engine's precision (the bulk path adds in a
    different order, DESIGN §3)."""
    assert expected.keys() == actual.keys()
    for key, (value, *rest) in expected.items():
        got_value, *got_rest = actual[key]
        assert got_rest == rest, key
        if value is None:
            assert got_value is None, key
        else:
            assert abs(got_value - value) <= 1e-9 * max(1.0, abs(value)), key
