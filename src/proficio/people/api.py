"""API: bearer tokens, who am I, and the students the caller may see."""

from typing import Annotated
from uuid import UUID

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from proficio.people.models import Person
from proficio.people.selectors import roles_of, students_visible_to
from proficio.people.services import api_token_issue

router = Router(tags=["people"])

PAGE_SIZE = 100
PAGE_SIZE_MAX = 500
# Far beyond any roster, and small enough that OFFSET never overflows a database integer.
OFFSET_MAX = 1_000_000_000


def _storable(text: str) -> str:
    # JSON can carry both, but PostgreSQL refuses NUL and UTF-8 cannot encode a lone surrogate.
    if "\x00" in text:
        raise PydanticCustomError("null_character", "Text cannot contain the NUL character.")
    try:
        text.encode()
    except UnicodeEncodeError as unpaired:
        raise PydanticCustomError("surrogate", "Text contains an unpaired surrogate.") from unpaired
    return text


# Any text the API stores or looks up.
Text = Annotated[str, AfterValidator(_storable)]


class ListPagination(LimitOffsetPagination):
    """`?limit=` (default 100; larger values are capped at 500) and `?offset=`."""

    class Input(Schema):
        limit: int = Field(
            PAGE_SIZE, ge=1, description=f"Items per page; at most {PAGE_SIZE_MAX} are returned."
        )
        offset: int = Field(0, ge=0, le=OFFSET_MAX, description="Items to skip.")

    def __init__(self, **kwargs) -> None:
        super().__init__(max_limit=PAGE_SIZE_MAX, **kwargs)


class Credentials(Schema):
    username: Text = Field(max_length=150)
    password: Text = Field(max_length=4096)


class TokenOut(Schema):
    token: str


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    """A 400: each field that is wrong, with what is wrong with it."""

    detail: str
    errors: dict[str, str]


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
