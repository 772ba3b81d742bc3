"""Recording one rating through the service, mastery refresh included, against a bare insert."""

import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from proficio.evidence.models import Evidence
from proficio.frameworks.api import (
    LevelSpec,
    StageSpec,
    competency_create,
    framework_create,
    scale_create,
)
from proficio.frameworks.models import CompetencyKind
from proficio.mastery.services import evidence_record
from proficio.people.models import Role
from proficio.people.services import (
    district_create,
    person_create,
    role_assign,
    school_create,
    section_create,
    section_enroll,
)

RATINGS = 300


def _world():
    district = district_create(name="Bench district")
    school = school_create(district=district, name="Bench school")
    scale = scale_create(
        district=district,
        name="Four levels",
        levels=[
            LevelSpec(Decimal(v), label, "#777777", is_mastery=v >= 3)
            for v, label in ((1, "Beginning"), (2, "Developing"), (3, "Proficient"), (4, "Adv"))
        ],
    )
    framework = framework_create(district=district, code="B", title="Bench", scale=scale)
    competency = competency_create(
        framework=framework,
        code="B1",
        title="Bench competency",
        kind=CompetencyKind.ACADEMIC,
        stages=[StageSpec(label=f"Stage {n}") for n in range(1, 7)],
    )
    teacher = person_create(district=district, username="bench-t", first_name="T", last_name="B")
    role_assign(person=teacher, role=Role.TEACHER, district=district, school=school)
    student = person_create(district=district, username="bench-s", first_name="S", last_name="B")
    role_assign(person=student, role=Role.STUDENT, district=district, school=school)
    section = section_create(school=school, name="Bench", teachers=[teacher])
    section_enroll(section=section, student=student)
    return teacher, student, competency


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3),
    }


def run() -> dict:
    teacher, student, competency = _world()
    stage = competency.stages.get(ordinal=1)
    now = timezone.now()
    service, insert = [], []
    for i in range(RATINGS):
        observed = now - timedelta(days=RATINGS - i)
        start = time.perf_counter()
        evidence_record(
            assessor=teacher,
            student=student,
            competency=competency,
            stage=1 + i % 6,
            level=1 + i % 4,
            observed_at=observed,
            source="observation",
        )
        service.append(time.perf_counter() - start)
        start = time.perf_counter()
        with transaction.atomic():
            Evidence.objects.create(
                student=teacher,
                competency=competency,
                stage=stage,
                level=Decimal(2),
                observed_at=observed,
                source="observation",
            )
        insert.append(time.perf_counter() - start)
    service_stats, insert_stats = _percentiles(service), _percentiles(insert)
    return {
        "ratings": RATINGS,
        "service": service_stats,
        "bare_insert": insert_stats,
        "service_over_insert_median": round(
            service_stats["median_ms"] / insert_stats["median_ms"], 1
        ),
    }
