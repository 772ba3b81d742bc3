"""API: bearer tokens, who am I, and the students the caller may see."""

from datetime import datetime
from uuid import UUID

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from proficio.lib.api_schemas import ErrorOut, InvalidOut, ListPagination, Text
from proficio.people.models import ApiToken, Person
from proficio.people.selectors import (
    api_token_get,
    api_token_live,
    api_tokens_live_of,
    roles_of,
    students_visible_to,
)
from proficio.people.services import api_token_issue, api_token_revoke

router = Router(tags=["people"])


class Credentials(Schema):
    username: Text = Field(max_length=150)
    password: Text = Field(max_length=4096)


class TokenOut(Schema):
    token: str
    id: UUID
    expires_at: datetime


class TokenInfoOut(Schema):
    id: UUID
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = Field(
        description="When the token last opened the API, to within five minutes."
    )
    current: bool = Field(description="The token this request was sent with.")

    @staticmethod
    def resolve_id(token: ApiToken) -> UUID:
        return token.uuid

    @staticmethod
    def resolve_current(token: ApiToken, context: dict) -> bool:
        return token.pk == context["request"].api_token.pk


class MeOut(Schema):
    id: UUID
    username: str
    name: str
    roles: list[str]

    @staticmethod
    def resolve_id(person: Person) -> UUID:
        return person.uuid

    @staticmethod
    def resolve_name(person: Person) -> str:
        return person.display_name

    @staticmethod
    def resolve_roles(person: Person) -> list[str]:
        return roles_of(person)


class StudentOut(Schema):
    id: UUID
    name: str
    username: str
    age_grade: int | None

    @staticmethod
    def resolve_id(person: Person) -> UUID:
        return person.uuid

    @staticmethod
    def resolve_name(person: Person) -> str:
        return person.display_name


@router.post(
    "/auth/token",
    auth=None,
    # 429: too many wrong passwords for this account from this address (django-axes).
    response={200: TokenOut, 400: InvalidOut, 401: ErrorOut, 429: ErrorOut},
)
def token_create(request: HttpRequest, credentials: Credentials):
    """A bearer token for a username and password; send it as `Authorization: Bearer <token>`."""
    person = authenticate(request, username=credentials.username, password=credentials.password)
    if person is None:
        return 401, {"detail": "Unknown username or wrong password."}
    raw = api_token_issue(person=person)
    token = api_token_live(raw)
    return 200, {"token": raw, "id": token.uuid, "expires_at": token.expires_at}


@router.get("/auth/tokens", response={200: list[TokenInfoOut], 401: ErrorOut})
def token_list(request: HttpRequest) -> list[ApiToken]:
    """The caller's own tokens that still open the API, newest first. A token ends when it
    expires, is revoked, or its person's password changes."""
    return api_tokens_live_of(request.auth)


@router.delete("/auth/token", response={204: None, 401: ErrorOut})
def token_revoke_current(request: HttpRequest):
    """Revoke the token this request is sent with: signing out of the API."""
    api_token_revoke(actor=request.auth, token=request.api_token)
    return 204, None


@router.delete(
    "/auth/tokens/{token_id}", response={204: None, 400: InvalidOut, 401: ErrorOut, 404: ErrorOut}
)
def token_revoke(request: HttpRequest, token_id: UUID):
    """Revoke one token: the caller's own, or as district admin one of a person of their
    district. Any other id is not found."""
    api_token_revoke(actor=request.auth, token=api_token_get(user=request.auth, token_id=token_id))
    return 204, None


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me_get(request: HttpRequest) -> Person:
    return request.auth


@router.get("/students", response={200: list[StudentOut], 400: InvalidOut, 401: ErrorOut})
@paginate(ListPagination)
def student_list(request: HttpRequest) -> QuerySet[Person]:
    """The students the caller may see, by last name then first name."""
    return students_visible_to(request.auth).order_by("last_name", "first_name", "username")
