"""Reads about frameworks and competencies, scoped to the requesting user's district."""

from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from proficio.frameworks.models import (
    Competency,
    Course,
    EvidenceStatement,
    Framework,
    Scale,
    ScaleLevel,
    Stage,
    Standard,
    StandardAssociation,
)
from proficio.lib.errors import NotVisible
from proficio.lib.visibility import visible_get
from proficio.people.api import District, Person, is_signed_in


def competencies_visible_to(user: Person) -> QuerySet[Competency]:
    """Every competency of the user's district, with stages and scale levels prefetched."""
    return competency_list_visible_to(user).prefetch_related(
        Prefetch("stages", queryset=Stage.objects.prefetch_related("evidence_statements")),
        *_SCALE_LEVELS,
    )


def competency_list_visible_to(user: Person) -> QuerySet[Competency]:
    """Every competency of the user's district with its framework and scale, in order, and
    nothing else: a list of many competencies, a few of which are shown in full
    (`stages_and_scales_prefetch`)."""
    if not is_signed_in(user) or user.district_id is None:
        return Competency.objects.none()
    return (
        Competency.objects.filter(framework__district_id=user.district_id)
        .select_related("framework", "framework__scale", "scale")
        .order_by("framework__title", "position", "code")
    )


def district_competencies_to_choose(district_id: int) -> list[Competency]:
    """A district's competencies in the order a person chooses from, with their stages and
    scale levels (for a mapping rule's form)."""
    competencies = list(
        district_competencies(district_id)
        .select_related("framework", "framework__scale", "scale")
        .order_by("framework__title", "position", "code")
    )
    stages_and_scales_prefetch(competencies)
    return competencies


def stages_and_scales_prefetch(competencies: list[Competency]) -> None:
    """Read the stages and scale levels of these competencies, in three queries for all."""
    prefetch_related_objects(competencies, "stages", *_SCALE_LEVELS)


def rating_target_problems(competency: Competency, stage: int, level: Decimal) -> dict[str, str]:
    """What is wrong with rating `stage` of `competency` at `level` by a rule of a mapping
    (with the competency's stages and scale read), by field; {} when nothing is."""
    errors: dict[str, str] = {}
    found = next((s for s in competency.stages.all() if s.ordinal == stage), None)
    if found is None:
        ordinals = [s.ordinal for s in competency.stages.all()]
        span = f"{min(ordinals)}–{max(ordinals)}" if ordinals else "none"
        errors["stage"] = f"{competency.code} has no stage {stage} (its stages: {span})."
    elif found.retired:
        errors["stage"] = f"Stage {stage} of {competency.code} is retired: it takes no new ratings."
    levels = [scale_level.value for scale_level in competency.effective_scale.levels.all()]
    if level not in levels:
        shown = ", ".join(str(value.normalize()) for value in levels)
        errors["level"] = f"{level.normalize()} is not on {competency.code}'s scale ({shown})."
    return errors


_SCALE_LEVELS = (
    Prefetch("framework__scale__levels", queryset=ScaleLevel.objects.all()),
    Prefetch("scale__levels", queryset=ScaleLevel.objects.all()),
)


def competencies_for_student(student: Person) -> QuerySet[Competency]:
    """The competencies a student is measured on: those of their district."""
    return competencies_visible_to(student) if student.district_id else Competency.objects.none()


def competency_get(*, user: Person, competency_id: UUID | str) -> Competency:
    return visible_get(competencies_visible_to(user), competency_id, "competency")


def frameworks_visible_to(user: Person) -> QuerySet[Framework]:
    """The frameworks of the user's district: everyone in a district may read its standards."""
    if not is_signed_in(user):
        return Framework.objects.none()
    if user.district_id is None:
        return Framework.objects.none()
    return Framework.objects.filter(district_id=user.district_id).select_related("scale")


def framework_get(*, user: Person, framework_id: UUID | str) -> Framework:
    """One framework by its uuid, or its CASE document identifier when it was imported."""
    frameworks = frameworks_visible_to(user)
    try:
        found = (
            frameworks.filter(uuid=framework_id).first()
            or frameworks.filter(case_identifier=framework_id).first()
        )
    except (ValueError, ValidationError) as missing:
        raise NotVisible(f"No framework {framework_id}.") from missing
    if found is None:
        raise NotVisible(f"No framework {framework_id}.")
    return found


def framework_standards(framework: Framework) -> QuerySet[Standard]:
    """Every standard of a framework (the caller has the framework from a selector)."""
    return framework.standards.order_by("position", "human_coding_scheme", "id")


def framework_associations(framework: Framework) -> QuerySet[StandardAssociation]:
    return framework.standard_associations.order_by("association_type", "sequence_number", "id")


def framework_competencies(framework: Framework) -> QuerySet[Competency]:
    """The framework's competencies with stages and evidence statements, for an export."""
    return framework.competencies.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.prefetch_related("evidence_statements")),
        "aligned_standards",
    ).order_by("position", "code")


def district_scales(district: District) -> QuerySet[Scale]:
    """The scales of a district its admin is writing for, by name."""
    return Scale.objects.filter(district=district).order_by("name")


def standards_visible_to(user: Person) -> QuerySet[Standard]:
    return Standard.objects.filter(framework__in=frameworks_visible_to(user)).select_related(
        "framework"
    )


def standard_associations_visible_to(user: Person) -> QuerySet[StandardAssociation]:
    return StandardAssociation.objects.filter(
        framework__in=frameworks_visible_to(user)
    ).select_related("framework")


def stages_visible_to(user: Person) -> QuerySet[Stage]:
    return Stage.objects.filter(competency__framework__in=frameworks_visible_to(user))


def evidence_statements_visible_to(user: Person) -> QuerySet[EvidenceStatement]:
    return EvidenceStatement.objects.filter(
        stage__competency__framework__in=frameworks_visible_to(user)
    )


# ---- for work already authorised: the operator's commands, imports, recomputes, the demo ----


def district_frameworks(district_id: int | None = None) -> QuerySet[Framework]:
    """Every framework of a district (of the installation, for the operator: None)."""
    frameworks = Framework.objects.select_related("district", "scale")
    return frameworks if district_id is None else frameworks.filter(district_id=district_id)


def district_competencies(district_id: int) -> QuerySet[Competency]:
    return Competency.objects.filter(framework__district_id=district_id)


def district_stages(district_id: int) -> QuerySet[Stage]:
    return Stage.objects.filter(competency__framework__district_id=district_id)


def competency_case_identifiers(competency_ids: Iterable[int]) -> dict[int, str]:
    """The CASE identifier of each of these competencies that was made from an imported CASE
    item (`Standard.competency`), by competency id; a competency written in Proficio has
    none. One query. Should a competency stand for items of several documents, the first
    imported is given."""
    found: dict[int, str] = {}
    rows = (
        Standard.objects.filter(competency_id__in=list(competency_ids))
        .order_by("pk")
        .values_list("competency_id", "identifier")
    )
    for competency_id, identifier in rows:
        found.setdefault(competency_id, str(identifier))
    return found


def stages_public_ids(stage_ids: Iterable[int]) -> dict[int, tuple[int, str, str, int]]:
    """Each stage's competency (id, uuid, code) and the stage's ordinal, by stage id: how
    other systems name them. For a caller already authorised. One query."""
    rows = Stage.objects.filter(pk__in=list(stage_ids)).values_list(
        "pk", "competency_id", "competency__uuid", "competency__code", "ordinal"
    )
    return {
        pk: (competency, str(uuid), code, ordinal) for pk, competency, uuid, code, ordinal in rows
    }


def district_evidence_statements(district_id: int) -> QuerySet[EvidenceStatement]:
    return EvidenceStatement.objects.filter(stage__competency__framework__district_id=district_id)


def district_standards(district_id: int) -> QuerySet[Standard]:
    return Standard.objects.filter(framework__district_id=district_id)


def district_courses(district_id: int) -> QuerySet[Course]:
    return Course.objects.filter(district_id=district_id)


def courses_visible_to(user: Person) -> QuerySet[Course]:
    """The courses of the user's district, with their targets and the course that follows."""
    if not is_signed_in(user) or user.district_id is None:
        return Course.objects.none()
    return (
        Course.objects.filter(district_id=user.district_id)
        .select_related("next_course")
        .prefetch_related("targets__stage__competency")
        .order_by("title")
    )


def course_get(*, user: Person, course_id: UUID | str) -> Course:
    return visible_get(courses_visible_to(user), course_id, "course")


def course_target_competency_ids(course_id: int) -> set[int]:
    """The competencies a course sets a target stage on: those its sections are taught for."""
    return set(
        Course.objects.filter(pk=course_id).values_list("targets__stage__competency_id", flat=True)
    ) - {None}
