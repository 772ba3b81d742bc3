"""The JSON API at /api/v1: bearer-token auth and one mapping of domain errors to HTTP."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from proficio.errors import InvalidInput, NotVisible
from proficio.people.models import Person
from proficio.people.selectors import person_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        return person_for_token(token)


api = NinjaAPI(
    title="Proficio API",
    version="1",
    description="Competencies, students, evidence and mastery. "
    "Get a token from POST /api/v1/auth/token and send `Authorization: Bearer <token>`.",
    auth=BearerToken(),
    urls_namespace="api",
)


@api.exception_handler(NotVisible)
def not_visible(request: HttpRequest, exc: NotVisible) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(InvalidInput)
def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Invalid input.", "errors": exc.errors}, status=400
    )


@api.exception_handler(ValidationError)
def invalid_shape(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Schema errors as the same {"errors": {field: message}} shape services use."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        location = [part for part in location if part not in ("payload", "body")]
        errors.setdefault(".".join(location) or "body", error.get("msg", "Invalid value."))
    return api.create_response(
        request, {"detail": "Invalid input.", "errors": errors}, status=400
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Sign in: send a bearer token."}, status=401)
