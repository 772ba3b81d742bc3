"""Reads about frameworks and competencies, scoped to the requesting user's district."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from proficio.errors import NotVisible
from proficio.frameworks.models import Competency, ScaleLevel, Stage
from proficio.people.models import Person


def competencies_visible_to(user: Person) -> QuerySet[Competency]:
    """Every competency of the user's district, with stages and scale levels prefetched."""
    if not getattr(user, "is_authenticated", False) or user.district_id is None:
        return Competency.objects.none()
    return (
        Competency.objects.filter(framework__district_id=user.district_id)
        .select_related("framework", "framework__scale", "scale")
        .prefetch_related(
            Prefetch("stages", queryset=Stage.objects.prefetch_related("evidence_statements")),
            Prefetch("framework__scale__levels", queryset=ScaleLevel.objects.all()),
            Prefetch("scale__levels", queryset=ScaleLevel.objects.all()),
        )
        .order_by("framework__title", "position", "code")
    )


def competencies_for_student(student: Person) -> QuerySet[Competency]:
    """The competencies a student is measured on: those of their district."""
    return competencies_visible_to(student) if student.district_id else Competency.objects.none()


def competency_get(*, user: Person, competency_id: UUID | str) -> Competency:
    try:
        return competencies_visible_to(user).get(uuid=competency_id)
    except (Competency.DoesNotExist, ValueError, ValidationError) as missing:
        raise NotVisible(f"No competency {competency_id}.") from missing
