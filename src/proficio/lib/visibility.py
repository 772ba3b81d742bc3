"""Looking one object up in what a user may see, and what is hidden reading as not found."""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from proficio.lib.errors import NotVisible

M = TypeVar("M", bound=Model)


def visible_get(queryset: QuerySet[M], identifier: object, what: str, field: str = "uuid") -> M:
    """The one object of `queryset` whose `field` is `identifier`, or NotVisible.

    `queryset` is already scoped to the user, so absent, hidden and malformed identifiers
    all read the same: "No <what> <identifier>."
    """
    try:
        return queryset.get(**{field: identifier})
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as missing:
        raise NotVisible(f"No {what} {identifier}.") from missing


def not_visible_is_404(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """What a person may not see does not exist for them: the same 404 as a wrong address."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotVisible as hidden:
            raise Http404(str(hidden)) from hidden

    return wrapped


def posted_id(request: HttpRequest, name: str) -> int:
    """The row id a page's button posted as `name`; anything else names no row, and is
    NotVisible like a row of someone else's."""
    given = request.POST.get(name, "")
    if not given.isdigit():
        raise NotVisible(f"No {name} {given!r}.")
    return int(given)
