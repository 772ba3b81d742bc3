"""Writes for scales, frameworks, competencies with their trajectories, and courses; and what
the syncs from CASE and from spreadsheets share: who may run them, a framework's code, the
default scale."""

import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from proficio.audit import api as audit
from proficio.frameworks.data import LevelSpec, StageSpec
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
from proficio.frameworks.permissions import may_open_framework, may_write_framework
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.api import District, Person, district_admin_of

DEFAULT_LEVELS = (
    LevelSpec(Decimal(1), "Beginning", "#a0522d"),
    LevelSpec(Decimal(2), "Developing", "#8a6a00"),
    LevelSpec(Decimal(3), "Proficient", "#2b6e4a", is_mastery=True),
    LevelSpec(Decimal(4), "Advanced", "#2b5f9e", is_mastery=True),
)


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


HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@transaction.atomic
def scale_write(
    *, actor: Person, district: District, name: str, levels: Sequence[LevelSpec]
) -> Scale:
    """A district admin makes a rating scale in the pages: every problem told at once, keyed
    "name", "levels" or "level-N-field" (N counting the rows from 1); audited."""
    check_district_admin(actor, district)
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Give the scale a name, such as Four levels."
    elif Scale.objects.filter(district=district, name=name).exists():
        errors["name"] = f"The district has a scale named {name!r} already."
    if not levels:
        errors["levels"] = "A scale needs at least two levels."
    elif len(levels) < 2:
        errors["levels"] = "A scale needs at least two levels: one that is not mastery yet."
    elif not any(level.is_mastery for level in levels):
        errors["levels"] = "Mark the levels that count as mastery."
    elif all(level.is_mastery for level in levels):
        errors["levels"] = "Leave at least one level below mastery."
    seen: set[Decimal] = set()
    for number, level in enumerate(levels, start=1):
        if not level.label.strip():
            errors[f"level-{number}-label"] = f"Level {number} needs a label."
        if level.value is None:
            errors[f"level-{number}-value"] = f"Level {number} needs a value, such as 3."
        elif level.value in seen:
            errors[f"level-{number}-value"] = f"Level {number} repeats the value {level.value}."
        seen.add(level.value)
        if not HEX_COLOUR.fullmatch(level.colour):
            errors[f"level-{number}-colour"] = f"Level {number}: a colour is written #2b6e4a."
    if errors:
        raise InvalidInput(errors)
    ordered = sorted(levels, key=lambda level: level.value)
    scale = scale_create(
        district=district,
        name=name,
        levels=[replace(level, label=level.label.strip()) for level in ordered],
    )
    audit.record(
        actor=actor,
        action=audit.SCALE_WRITTEN,
        district_id=district.pk,
        target=scale,
        data={"name": name, "levels": [str(level.value) for level in ordered]},
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
def framework_write(
    *,
    actor: Person,
    district: District,
    title: str,
    scale: Scale | None,
    code: str = "",
    description: str = "",
) -> Framework:
    """A district admin makes a framework in the pages, to write its competencies next: every
    problem told at once; a code is made from the title when none is given; audited."""
    check_district_admin(actor, district)
    title, code = title.strip(), code.strip()
    errors = {}
    if not title:
        errors["title"] = "Give the framework a title, such as Writing K-12."
    if code and Framework.objects.filter(district=district, code=code).exists():
        errors["code"] = f"The district has a framework {code!r} already."
    if scale is None or scale.district_id != district.pk:
        errors["scale"] = "Choose one of the district's scales."
    if errors:
        raise InvalidInput(errors)
    framework = framework_create(
        district=district,
        code=code or framework_code_for(district=district, title=title),
        title=title,
        scale=scale,
        description=description.strip(),
    )
    audit.record(
        actor=actor,
        action=audit.FRAMEWORK_WRITTEN,
        district_id=district.pk,
        target=framework,
        data={"code": framework.code, "title": title, "scale": scale.name},
    )
    return framework


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


# Typical age-grades a stage may name: -1 is pre-kindergarten, 0 kindergarten.
GRADES = range(-1, 13)


@transaction.atomic
def competency_write(
    *,
    actor: Person,
    framework: Framework,
    code: str,
    title: str,
    kind: CompetencyKind,
    stages: Sequence[StageSpec],
    statement: str = "",
) -> Competency:
    """A district admin writes a competency and its whole trajectory in the pages: every
    problem is told at once (keyed "code", "title", "stages" or "stage-N-field"), nothing is
    written until all is well, and the writing is audited."""
    check_may_write(actor, framework)
    code, title = code.strip(), title.strip()
    _check_competency(framework, code, title, stages)
    competency = competency_create(
        framework=framework,
        code=code,
        title=title,
        kind=kind,
        statement=statement.strip(),
        stages=[_tidy(spec) for spec in stages],
    )
    audit.record(
        actor=actor,
        action=audit.COMPETENCY_WRITTEN,
        district_id=framework.district_id,
        target=competency,
        data={"framework": framework.code, "code": code, "stages": len(stages)},
    )
    return competency


def _check_competency(
    framework: Framework,
    code: str,
    title: str,
    stages: Sequence[StageSpec],
    *,
    revising: Competency | None = None,
) -> None:
    """Every problem with a competency as written, at once, keyed "code", "title", "stages"
    or "stage-N-field" (N counting the rows from 1)."""
    errors = {}
    if stages and all(spec.retired for spec in stages):
        errors["stages"] = "Keep at least one stage in use."
    others = Competency.objects.filter(framework=framework, code=code)
    if revising is not None:
        others = others.exclude(pk=revising.pk)
    if not code:
        errors["code"] = "Give the competency a short code, such as W4."
    elif others.exists():
        errors["code"] = f"{framework.code} already has a competency {code!r}."
    if not title:
        errors["title"] = "Give the competency a title."
    if not stages:
        errors["stages"] = "A trajectory needs at least one stage: give its label."
    for number, spec in enumerate(stages, start=1):
        if not spec.label.strip():
            errors[f"stage-{number}-label"] = f"Stage {number} needs a label."
        if spec.typical_grade is not None and spec.typical_grade not in GRADES:
            errors[f"stage-{number}-typical_grade"] = (
                f"Stage {number}: a typical grade is -1 (pre-kindergarten) to 12."
            )
    if errors:
        raise InvalidInput(errors)


def _tidy(spec: StageSpec) -> StageSpec:
    statements = [text.strip() for text in spec.evidence_statements if text.strip()]
    return replace(
        spec,
        label=spec.label.strip(),
        descriptor=spec.descriptor.strip(),
        evidence_statements=statements,
    )


@transaction.atomic
def competency_revise(
    *,
    actor: Person,
    competency: Competency,
    code: str,
    title: str,
    kind: CompetencyKind,
    stages: Sequence[StageSpec],
    statement: str = "",
) -> Competency:
    """A district admin revises a competency and its trajectory. `stages` holds every
    existing stage, in order, by its `stage` UUID, then any new ones (without), which join at
    the end. A stage is never deleted nor renumbered, so the evidence rated on it keeps its
    meaning: a stage no longer wanted is `retired` (it takes no new ratings) and may be
    brought back. Problems are told at once, as `competency_write` tells them; audited."""
    framework = competency.framework
    check_may_write(actor, framework)
    code, title = code.strip(), title.strip()
    _check_competency(framework, code, title, stages, revising=competency)
    existing = {stage.uuid: stage for stage in competency.stages.select_for_update()}
    named = [spec.stage for spec in stages if spec.stage is not None]
    if named != [stage.uuid for stage in sorted(existing.values(), key=lambda s: s.ordinal)]:
        raise InvalidInput(
            {"stages": "The trajectory changed while you were editing it: open it again."}
        )
    changed = fields_update(
        competency,
        {"code": code, "title": title, "kind": kind, "statement": statement.strip()},
    )
    next_ordinal = max((stage.ordinal for stage in existing.values()), default=0) + 1
    added = retired = 0
    for spec in map(_tidy, stages):
        stage = existing.get(spec.stage) if spec.stage else None
        if stage is None:
            stage = Stage.objects.create(
                competency=competency,
                ordinal=next_ordinal,
                label=spec.label,
                descriptor=spec.descriptor,
                typical_grade=spec.typical_grade,
                retired=spec.retired,
            )
            next_ordinal += 1
            added += 1
        else:
            retired += spec.retired and not stage.retired
            changed |= fields_update(
                stage,
                {
                    "label": spec.label,
                    "descriptor": spec.descriptor,
                    "typical_grade": spec.typical_grade,
                    "retired": spec.retired,
                },
            )
        changed |= _restate(stage, spec.evidence_statements)
    audit.record(
        actor=actor,
        action=audit.COMPETENCY_REVISED,
        district_id=framework.district_id,
        target=competency,
        data={
            "framework": framework.code,
            "code": code,
            "stages_added": added,
            "stages_retired": retired,
            "changed": bool(changed or added),
        },
    )
    return competency


def fields_update(row, values: dict) -> bool:
    """Set the fields of `row` that differ from `values` and save them; whether any did."""
    differing = [name for name, value in values.items() if getattr(row, name) != value]
    for name in differing:
        setattr(row, name, values[name])
    if differing:
        row.save(update_fields=differing)
    return bool(differing)


def _restate(stage: Stage, texts: Sequence[str]) -> bool:
    """Make the stage's evidence statements `texts`, in order, rewording them in place (so
    their identifiers, which CASE exports carry, stay); whether anything changed."""
    current = list(stage.evidence_statements.order_by("position", "pk"))
    changed = False
    for position, (statement, text) in enumerate(zip(current, texts, strict=False)):
        changed |= fields_update(statement, {"text": text, "position": position})
    EvidenceStatement.objects.bulk_create(
        EvidenceStatement(stage=stage, text=text, position=position)
        for position, text in enumerate(texts[len(current) :], start=len(current))
    )
    surplus = [statement.pk for statement in current[len(texts) :]]
    EvidenceStatement.objects.filter(pk__in=surplus).delete()
    return changed or len(current) != len(texts)


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
def course_write(
    *,
    actor: Person,
    district: District,
    course: Course | None,
    code: str,
    title: str,
    targets: Sequence[tuple[Competency, int]],
    next_course: Course | None = None,
) -> Course:
    """A district admin writes a course in the pages — a new one when `course` is None —
    with its target stages, replacing the ones it had, and the course that follows it.
    Every problem is told at once, nothing written until all is well; audited."""
    check_district_admin(actor, district)
    if course is not None and course.district_id != district.pk:
        raise NotVisible(f"No course {course.pk}.")
    code, title = code.strip(), title.strip()
    errors = {}
    if not code:
        errors["code"] = "Give the course a short code, such as WS5."
    elif (
        Course.objects.filter(district=district, code=code)
        .exclude(pk=course.pk if course else None)
        .exists()
    ):
        errors["code"] = f"Another course has the code {code!r}."
    if not title:
        errors["title"] = "Give the course a title."
    stages = {}
    for competency, ordinal in targets:
        if competency.framework.district_id != district.pk:
            errors[f"target-{competency.pk}"] = f"{competency.code} is another district's."
            continue
        stage = competency.stages.filter(ordinal=ordinal).first()
        if stage is None:
            errors[f"target-{competency.pk}"] = f"{competency.code} has no stage {ordinal}."
        stages[competency.pk] = stage
    if next_course is not None and course is not None and next_course.pk == course.pk:
        errors["next_course"] = "A course cannot follow itself."
    if errors:
        raise InvalidInput(errors)
    if course is None:
        course = Course.objects.create(district=district, code=code, title=title)
    else:
        course.code, course.title = code, title
        course.save(update_fields=["code", "title"])
    course.targets.exclude(stage__in=stages.values()).delete()
    for stage in stages.values():
        CourseTarget.objects.get_or_create(course=course, stage=stage)
    course_sequence(course=course, next_course=next_course)
    audit.record(
        actor=actor,
        action=audit.COURSE_WRITTEN,
        district_id=district.pk,
        target=course,
        data={
            "code": code,
            "targets": sorted(f"{competency.code}:{ordinal}" for competency, ordinal in targets),
        },
    )
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


# ---- what the syncs share -------------------------------------------------------------------


def check_may_write(actor: Person | None, framework: Framework) -> None:
    """Its district's admins, its teachers once it is open to them, or the operator (None)."""
    if actor is not None and not may_write_framework(actor, framework):
        raise NotVisible(f"No framework {framework.pk} to write.")


@transaction.atomic
def framework_open_to_teachers(*, actor: Person, framework: Framework, open: bool) -> Framework:
    """A district admin lets the district's teachers write the framework's competencies (or
    stops them); audited when it changes."""
    if not may_open_framework(actor, framework):
        raise NotVisible(f"No framework {framework.pk}.")
    if fields_update(framework, {"teachers_may_write": open}):
        audit.record(
            actor=actor,
            action=audit.FRAMEWORK_AUTHORS_SET,
            district_id=framework.district_id,
            target=framework,
            data={"framework": framework.code, "teachers_may_write": open},
        )
    return framework


def check_district_admin(actor: Person | None, district: District) -> None:
    """`None` is the operator at the command line, who holds the whole installation."""
    if actor is not None and not district_admin_of(actor, district):
        raise NotVisible(f"No district {district.pk}.")


def framework_code_for(*, district: District, title: str) -> str:
    """A code derived from the title (its initials when long), unique in the district."""
    words = slugify(title).upper().split("-")
    base = "-".join(words)
    if len(base) > 20:
        base = "".join(word[0] for word in words if word) or "CASE"
    base = base[:40] or "CASE"
    taken = set(
        Framework.objects.filter(district=district, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, suffix = base, 2
    while code in taken:
        code, suffix = f"{base}-{suffix}", suffix + 1
    return code


def default_scale(district: District) -> Scale:
    """The district's first scale; a four-level one is made for a district without any."""
    scale = Scale.objects.filter(district=district).order_by("pk").first()
    return scale or scale_create(district=district, name="Four levels", levels=DEFAULT_LEVELS)
