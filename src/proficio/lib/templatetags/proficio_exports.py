"""`{% export_links %}`: "Download CSV · XLSX" beside a table, each link the page's own
address (its filters kept, its page number dropped) with `format=` added, which the view
answers through `proficio.lib.exports`."""

from django import template
from django.http import QueryDict

from proficio.lib.exports import FORMATS

register = template.Library()

# Parameters that choose a page of a table, not its rows: an export is every page.
PAGING = ("page", "cols", "format", "table")


def export_href(request, format: str, *, table: str = "", path: str = "", **extra) -> str:
    """The address of the table at `path` (the request's own by default) as `format`."""
    query: QueryDict = request.GET.copy() if not path else QueryDict(mutable=True)
    for name in PAGING:
        query.pop(name, None)
    for name, value in extra.items():
        query[name] = value
    query["format"] = format
    if table:
        query["table"] = table
    return f"{path or request.path}?{query.urlencode()}"


@register.inclusion_tag("lib/_export_links.html", takes_context=True)
def export_links(context, what: str = "", table: str = "", path: str = "") -> dict:
    """The links; `what` says which rows the download holds ("the whole section, 24
    students") when that differs from what the page shows."""
    request = context["request"]
    return {
        "what": what,
        "links": [
            (format.upper(), export_href(request, format, table=table, path=path))
            for format in FORMATS
        ],
    }
