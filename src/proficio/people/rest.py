"""API: bearer tokens, who am I, and the students the caller may see."""

from uuid import UUID

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from proficio.lib.api_schemas import ErrorOut, InvalidOut, ListPagination, Text
from proficio.people.models import Person
from proficio.people.selectors import roles_of, students_visible_to
from proficio.people.services import api_token_issue

router = Router(tags=["people"])


class Credentials(Schema):
    username: Text = Field(max_length=150)
    password: Text = Field(max_length=4096)


class TokenOut(Schema):
    token: str


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


@router.post("/auth/token", auth=None, response={200: TokenOut, 400: InvalidOut, 401: ErrorOut})
def token_create(request: HttpRequest, credentials: Credentials):
    """A bearer token for a username and password; send it as `Authorization: Bearer <token>`."""
    person = authenticate(request, username=credentials.username, password=credentials.password)
    if person is None:
        return 401, {"detail": "Unknown username or wrong password."}
    return 200, {"token": api_token_issue(person=person)}


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me_get(request: HttpRequest) -> Person:
    return request.auth


@router.get("/students", response={200: list[StudentOut], 400: InvalidOut, 401: ErrorOut})
@paginate(ListPagination)
def student_list(request: HttpRequest) -> QuerySet[Person]:
    """The students the caller may see, by last name then first name."""
    return students_visible_to(request.auth).order_by("last_name", "first_name", "username")
