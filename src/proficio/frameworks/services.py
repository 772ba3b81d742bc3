"""Writes for scales, frameworks, competencies with their trajectories, and courses."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from proficio.errors import InvalidInput
from proficio.frameworks.models import (
    Competency,
    CompetencyKind,
    Course,
    CourseTarget,
    EvidenceStatement,
    Framework,
    Scale,
    ScaleLevel,
    Stage,
)
from proficio.people.models import District


@dataclass(frozen=True)
class LevelSpec:
    value: Decimal
    label: str
    colour: str
    is_mastery: bool = False
    description: str = ""


@dataclass(frozen=True)
class StageSpec:
    label: str
    descriptor: str = ""
    typical_grade: int | None = None
    evidence_statements: Sequence[str] = field(default_factory=tuple)


@transaction.atomic
def scale_create(*, district: District, name: str, levels: Sequence[LevelSpec]) -> Scale:
    values = [Decimal(level.value) for level in levels]
    if not levels:
        raise InvalidInput({"levels": "A scale needs at least one level."})
    if len(set(values)) != len(values):
        raise InvalidInput({"levels": "Two levels share a value."})
    if not any(level.is_mastery for level in levels):
        raise InvalidInput({"levels": "Mark at least one level as mastery."})
    scale = Scale.objects.create(district=district, name=name)
    ScaleLevel.objects.bulk_create(
        ScaleLevel(
            scale=scale,
            value=Decimal(level.value),
            label=level.label,
            colour=level.colour,
            is_mastery=level.is_mastery,
            description=level.description,
        )
        for level in levels
    )
    return scale


@transaction.atomic
def framework_create(
    *, district: District, code: str, title: str, scale: Scale, description: str = ""
) -> Framework:
    if Framework.objects.filter(district=district, code=code).exists():
        raise InvalidInput({"code": f"A framework with code {code!r} exists."})
    return Framework.objects.create(
        district=district, code=code, title=title, scale=scale, description=description
    )


@transaction.atomic
def competency_create(
    *,
    framework: Framework,
    code: str,
    title: str,
    kind: CompetencyKind,
    stages: Sequence[StageSpec],
    statement: str = "",
    subject: str = "",
    scale: Scale | None = None,
) -> Competency:
    """A competency with its whole trajectory; stages are numbered 1, 2, … in order."""
    if Competency.objects.filter(framework=framework, code=code).exists():
        raise InvalidInput({"code": f"{framework.code} already has a competency {code!r}."})
    if not stages:
        raise InvalidInput({"stages": "A trajectory needs at least one stage."})
    competency = Competency.objects.create(
        framework=framework,
        code=code,
        title=title,
        kind=kind,
        statement=statement,
        subject=subject,
        scale=scale,
        position=framework.competencies.count(),
    )
    for ordinal, spec in enumerate(stages, start=1):
        stage = Stage.objects.create(
            competency=competency,
            ordinal=ordinal,
            label=spec.label,
            descriptor=spec.descriptor,
            typical_grade=spec.typical_grade,
        )
        EvidenceStatement.objects.bulk_create(
            EvidenceStatement(stage=stage, text=text, position=position)
            for position, text in enumerate(spec.evidence_statements)
        )
    return competency


@transaction.atomic
def course_create(
    *, district: District, code: str, title: str, targets: Sequence[tuple[Competency, int]]
) -> Course:
    """A course whose targets are (competency, stage ordinal) pairs."""
    course = Course.objects.create(district=district, code=code, title=title)
    for competency, ordinal in targets:
        stage = competency.stages.filter(ordinal=ordinal).first()
        if stage is None:
            raise InvalidInput({"targets": f"{competency.code} has no stage {ordinal}."})
        CourseTarget.objects.create(course=course, stage=stage)
    return course


@transaction.atomic
def course_sequence(*, course: Course, next_course: Course | None) -> Course:
    """Set the course that follows `course` (None ends the sequence); refuses loops."""
    if next_course is not None:
        if next_course.district_id != course.district_id:
            raise InvalidInput({"next_course": "The next course is in another district."})
        step: Course | None = next_course
        while step is not None:
            if step.pk == course.pk:
                raise InvalidInput({"next_course": "Courses cannot follow each other in a loop."})
            step = step.next_course
    course.next_course = next_course
    course.save(update_fields=["next_course"])
    return course
