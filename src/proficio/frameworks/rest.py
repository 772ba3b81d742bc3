"""API: the competencies the caller may see, each with its trajectory of stages."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from proficio.frameworks.models import Competency, CompetencyKind, Stage
from proficio.frameworks.selectors import competencies_visible_to
from proficio.lib.api_schemas import ErrorOut, InvalidOut, ListPagination

router = Router(tags=["frameworks"])


class StageOut(Schema):
    ordinal: int
    label: str


class CompetencyOut(Schema):
    id: UUID
    code: str
    title: str
    framework: str
    framework_code: str
    kind: CompetencyKind
    stages: list[StageOut]

    @staticmethod
    def resolve_id(competency: Competency) -> UUID:
        return competency.uuid

    @staticmethod
    def resolve_framework(competency: Competency) -> str:
        return competency.framework.title

    @staticmethod
    def resolve_framework_code(competency: Competency) -> str:
        return competency.framework.code

    @staticmethod
    def resolve_stages(competency: Competency) -> list[Stage]:
        return list(competency.stages.all())


@router.get("/competencies", response={200: list[CompetencyOut], 400: InvalidOut, 401: ErrorOut})
@paginate(ListPagination)
def competency_list(request: HttpRequest) -> QuerySet[Competency]:
    """The competencies of the caller's district, by framework, then position in it."""
    return competencies_visible_to(request.auth)
