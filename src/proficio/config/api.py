"""The JSON API at /api/v1: bearer-token auth and one mapping of domain errors to HTTP."""

from datetime import datetime
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import Operation
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer

from proficio.agency.rest import router as agency_router
from proficio.calibration.rest import router as calibration_router
from proficio.frameworks.rest import router as frameworks_router
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.rest import router as mastery_router
from proficio.pathways.rest import router as pathways_router
from proficio.people.api import Person, api_token_use
from proficio.people.rest import router as people_router
from proficio.work.rest import router as work_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        """The token's person; the token itself stays on the request, for revoking it."""
        api_token = api_token_use(raw_token=token)
        if api_token is None:
            return None
        request.api_token = api_token
        return api_token.person


class FullPrecisionEncoder(NinjaJSONEncoder):
    """Date-times in full ISO 8601: Django's encoder would cut them to milliseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = FullPrecisionEncoder


class ProficioAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The handler's name: short and stable for generated clients, and unique in this API."""
        return operation.view_func.__name__


api = ProficioAPI(
    title="Proficio API",
    version="1",
    description="Competencies, students, evidence and mastery. "
    "Get a token from POST /api/v1/auth/token and send `Authorization: Bearer <token>`.",
    auth=BearerToken(),
    urls_namespace="api",
    renderer=Renderer(),
)
api.add_router("", people_router)
api.add_router("", frameworks_router)
api.add_router("", mastery_router)
api.add_router("", work_router)
api.add_router("", pathways_router)
api.add_router("", agency_router)
api.add_router("", calibration_router)


@api.exception_handler(NotVisible)
def not_visible(request: HttpRequest, exc: NotVisible) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(InvalidInput)
def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Invalid input.", "errors": exc.errors}, status=400
    )


def _field_name(location: tuple) -> str:
    """Ninja's ("body", <parameter>, field, …) or ("query", field) as plain "field"."""
    parts = [str(part) for part in location]
    if parts[:1] == ["body"]:
        parts = parts[2:]
    elif parts[:1] in (["query"], ["path"], ["header"], ["cookie"], ["form"]):
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def invalid_shape(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Schema errors as the same {"errors": {field: message}} shape services use."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), error.get("msg", "Invalid value."))
    return api.create_response(request, {"detail": "Invalid input.", "errors": errors}, status=400)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Sign in: send a bearer token."}, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own 400 (a body that is not JSON) in the same shape as every other bad input."""
    body: dict = {"detail": str(exc)}
    if exc.status_code == 400:
        body = {"detail": "Invalid input.", "errors": {"body": "Send a JSON object."}}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Invalid input.", "errors": {"body": "The request body is too large."}},
        status=400,
    )
