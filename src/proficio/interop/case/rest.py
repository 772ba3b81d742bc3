"""CASE 1.1 REST, read-only, under /ims/case/v1p1/ (docs/decisions/0007-case-rest-access.md).

Plain Django views: the CASE shapes (CFDocuments, CFPackages, CFItems, …) and the
imsx_StatusInfo error body are easier to keep exact by hand than through a schema
layer. Every request needs a bearer token of the JSON API; a caller sees the
frameworks of their own district and nothing else (unknown and hidden read alike).
"""

from collections.abc import Callable
from functools import wraps
from uuid import UUID

from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.urls import path

from proficio.frameworks.api import (
    Framework,
    evidence_statements_visible_to,
    frameworks_visible_to,
    stages_visible_to,
    standard_associations_visible_to,
    standards_visible_to,
)
from proficio.interop.case.export import PackageBuilder
from proficio.interop.case.reader import DOCUMENT_PROPERTIES
from proficio.people.api import Person, api_token_use

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
SORTABLE = ("title", "identifier", "lastChangeDateTime", "creator", "adoptionStatus")


class CaseError(Exception):
    """An error answered with an imsx_StatusInfo body."""

    def __init__(self, status: int, description: str, minor: str, field: str = "sourcedId"):
        self.status, self.description, self.minor, self.field = status, description, minor, field
        super().__init__(description)


def status_info(error: CaseError) -> JsonResponse:
    return JsonResponse(
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": error.description,
            "imsx_codeMinor": {
                "imsx_codeMinorField": [
                    {
                        "imsx_codeMinorFieldName": error.field,
                        "imsx_codeMinorFieldValue": error.minor,
                    }
                ]
            },
        },
        status=error.status,
    )


def _caller(request: HttpRequest) -> Person:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    api_token = api_token_use(raw_token=token.strip()) if scheme.lower() == "bearer" else None
    person = api_token.person if api_token else None
    if person is None:
        raise CaseError(
            401, "Send a bearer token of the Proficio API.", "unauthorisedrequest", "Authorization"
        )
    return person


def case_endpoint(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """GET only, a caller from a bearer token, and CASE errors as imsx_StatusInfo."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        try:
            if request.method not in ("GET", "HEAD"):
                raise CaseError(405, "CASE REST here is read-only: use GET.", "forbidden", "method")
            return view(request, _caller(request), *args, **kwargs)
        except CaseError as error:
            return status_info(error)

    return wrapped


def _uuid(sourced_id: str) -> UUID:
    try:
        return UUID(sourced_id)
    except ValueError as error:
        raise CaseError(404, f"Invalid UUID: {sourced_id}", "invaliduuid") from error


def _unknown(sourced_id: object) -> CaseError:
    return CaseError(404, f"Unknown object: {sourced_id}", "unknownobject")


def _paging(request: HttpRequest) -> tuple[int, int]:
    numbers = {}
    for name, default in (("limit", DEFAULT_LIMIT), ("offset", 0)):
        raw = request.GET.get(name, "")
        try:
            numbers[name] = int(raw) if raw != "" else default
        except ValueError as error:
            raise CaseError(
                400, f"{name} must be a whole number.", "invalid_selection_field", name
            ) from error
    if not 1 <= numbers["limit"] <= MAX_LIMIT or numbers["offset"] < 0:
        raise CaseError(
            400,
            f"limit must be 1 to {MAX_LIMIT} and offset 0 or more.",
            "invalid_selection_field",
            "limit" if not 1 <= numbers["limit"] <= MAX_LIMIT else "offset",
        )
    return numbers["limit"], numbers["offset"]


def _builder(request: HttpRequest, framework: Framework) -> PackageBuilder:
    base = request.build_absolute_uri("/ims/case/v1p1")
    return PackageBuilder(framework, base_uri=base)


def _document(builder: PackageBuilder) -> dict:
    return {
        **builder.document(),
        "CFPackageURI": builder.link("CFPackages", builder.identifier, builder.framework.title),
    }


def _framework(user: Person, sourced_id: str) -> Framework:
    identifier = _uuid(sourced_id)
    frameworks = frameworks_visible_to(user).select_related("district")
    found = frameworks.filter(case_identifier=identifier).first()
    found = found or frameworks.filter(uuid=identifier, case_identifier__isnull=True).first()
    if found is None:
        raise _unknown(sourced_id)
    return found


@case_endpoint
def cf_documents(request: HttpRequest, user: Person) -> JsonResponse:
    limit, offset = _paging(request)
    fields = [name for name in request.GET.get("fields", "").split(",") if name.strip()]
    allowed = (*DOCUMENT_PROPERTIES, "CFPackageURI")
    unknown = [name for name in fields if name.strip() not in allowed]
    if unknown:
        raise CaseError(
            400, f"Unknown field(s): {', '.join(unknown)}.", "invalid_selection_field", "fields"
        )
    sort = request.GET.get("sort", "title")
    if sort not in SORTABLE:
        raise CaseError(400, f"Sort by one of {', '.join(SORTABLE)}.", "invalid_sort_field", "sort")
    descending = request.GET.get("orderBy", "asc").lower() == "desc"
    frameworks = frameworks_visible_to(user).select_related("district")
    documents = [_document(_builder(request, framework)) for framework in frameworks]
    documents.sort(key=lambda document: str(document.get(sort, "")), reverse=descending)
    page = documents[offset : offset + limit]
    if fields:
        page = [
            {name.strip(): doc[name.strip()] for name in fields if name.strip() in doc}
            for doc in page
        ]
    response = JsonResponse({"CFDocuments": page})
    response["X-Total-Count"] = str(len(documents))
    return response


@case_endpoint
def cf_document(request: HttpRequest, user: Person, sourced_id: str) -> JsonResponse:
    return JsonResponse(_document(_builder(request, _framework(user, sourced_id))))


@case_endpoint
def cf_package(request: HttpRequest, user: Person, sourced_id: str) -> JsonResponse:
    return JsonResponse(_builder(request, _framework(user, sourced_id)).package())


def _framework_of_item(user: Person, identifier: UUID) -> Framework | None:
    standard = standards_visible_to(user).filter(identifier=identifier).first()
    if standard is not None:
        return standard.framework
    competency = (
        frameworks_visible_to(user).filter(competencies__uuid=identifier).first()
        or frameworks_visible_to(user)
        .filter(
            pk__in=stages_visible_to(user).filter(uuid=identifier).values("competency__framework")
        )
        .first()
        or frameworks_visible_to(user)
        .filter(
            pk__in=evidence_statements_visible_to(user)
            .filter(uuid=identifier)
            .values("stage__competency__framework")
        )
        .first()
    )
    return competency


def _mirrored_item(user: Person, identifier: UUID) -> UUID:
    """The identifier of the CASE item a competency mirrors, else `identifier` as it is.

    A competency made from an imported item (`--competency-type`) is that item in CASE: the
    package carries the item, not a second "Competency" item (case/export.py), so asking for
    the competency answers with the item it mirrors.
    """
    mirrored = (
        standards_visible_to(user)
        .filter(competency__uuid=identifier, competency__framework=F("framework"))
        .values_list("identifier", flat=True)
        .first()
    )
    return mirrored or identifier


def _item(request: HttpRequest, user: Person, sourced_id: str) -> tuple[dict, dict]:
    """The CFItem (with its CFDocumentURI) and the package it belongs to."""
    identifier = _mirrored_item(user, _uuid(sourced_id))
    framework = _framework_of_item(user, identifier)
    if framework is None:
        raise _unknown(sourced_id)
    builder = _builder(request, framework)
    package = builder.package()
    item = next(
        (item for item in package["CFItems"] if item["identifier"] == str(identifier)), None
    )
    if item is None:
        raise _unknown(sourced_id)
    return {**item, "CFDocumentURI": builder.document_link()}, package


@case_endpoint
def cf_item(request: HttpRequest, user: Person, sourced_id: str) -> JsonResponse:
    item, _package = _item(request, user, sourced_id)
    return JsonResponse(item)


@case_endpoint
def cf_item_associations(request: HttpRequest, user: Person, sourced_id: str) -> JsonResponse:
    limit, offset = _paging(request)
    item, package = _item(request, user, sourced_id)
    document_link = item["CFDocumentURI"]
    associations = [
        {**association, "CFDocumentURI": document_link}
        for association in package["CFAssociations"]
        if item["identifier"]
        in (
            association["originNodeURI"]["identifier"],
            association["destinationNodeURI"]["identifier"],
        )
    ]
    response = JsonResponse(
        {"CFItem": item, "CFAssociations": associations[offset : offset + limit]}
    )
    response["X-Total-Count"] = str(len(associations))
    return response


@case_endpoint
def cf_association(request: HttpRequest, user: Person, sourced_id: str) -> JsonResponse:
    identifier = _uuid(sourced_id)
    stored = standard_associations_visible_to(user).filter(identifier=identifier).first()
    if stored is not None:
        candidates = [stored.framework]
    else:
        # Associations Proficio makes (a competency's stages, say) live only in packages.
        candidates = list(frameworks_visible_to(user).filter(competencies__isnull=False).distinct())
    for framework in candidates:
        builder = _builder(request, framework)
        for association in builder.package()["CFAssociations"]:
            if association["identifier"] == str(identifier):
                return JsonResponse({**association, "CFDocumentURI": builder.document_link()})
    raise _unknown(sourced_id)


app_name = "case"

urlpatterns = [
    path("CFDocuments", cf_documents, name="documents"),
    path("CFDocuments/<str:sourced_id>", cf_document, name="document"),
    path("CFPackages/<str:sourced_id>", cf_package, name="package"),
    path("CFItems/<str:sourced_id>", cf_item, name="item"),
    path("CFItemAssociations/<str:sourced_id>", cf_item_associations, name="item_associations"),
    path("CFAssociations/<str:sourced_id>", cf_association, name="association"),
]
