"""Schemas every JSON API router shares: error bodies, safe text and list pagination."""

from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

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


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    """A 400: each field that is wrong, with what is wrong with it."""

    detail: str
    errors: dict[str, str]
