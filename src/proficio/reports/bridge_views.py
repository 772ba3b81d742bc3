"""The age-grade bridge's pages (issue 16, item 4): a school's, for its admins (a district
admin chooses the school), and a section's, for its teachers and admins; each downloads in the
state's format (`?format=csv|xlsx`: every student of the school or section, one row per
competency) and its summary table (`?table=summary&format=…`). A teacher's `bridge/` lists
their sections. Students, guardians and anyone else get the same 404 as a wrong address."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from proficio.audit import api as audit
from proficio.lib.errors import NotVisible
from proficio.lib.exports import export_format, table_response
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import Role, roles_of
from proficio.reports.bridge import (
    BUCKETS,
    STATE_COLUMNS,
    Bridge,
    SchoolChoice,
    school_bridge,
    school_choice,
    section_bridge,
    sections_of_teacher,
    state_rows,
    summary_headers,
    summary_rows,
)

# Students a page shows; the download holds them all.
PAGE_SIZE = 50


@login_required
@require_safe
@not_visible_is_404
def bridge_page(request: HttpRequest) -> HttpResponse:
    """A school's bridge for its admins (`?school=` chooses one); a teacher's sections."""
    choice = school_choice(request.user, request.GET.get("school") or None)
    if choice is None:
        if Role.TEACHER not in roles_of(request.user):
            raise NotVisible("The age-grade bridge is for a school's staff.")
        return render(
            request,
            "reports/bridge_sections.html",
            {"sections": sections_of_teacher(request.user)},
        )
    bridge = school_bridge(user=request.user, choice=choice, as_of=timezone.localdate())
    return _respond(request, bridge, choice)


@login_required
@require_safe
@not_visible_is_404
def bridge_section_page(request: HttpRequest, section_id: str) -> HttpResponse:
    """A section's bridge, for who teaches or administers it."""
    bridge = section_bridge(
        user=request.user, section_id=str(section_id), as_of=timezone.localdate()
    )
    return _respond(request, bridge, None)


def _scope(bridge: Bridge) -> dict[str, str]:
    if bridge.section is not None:
        return {"section": str(bridge.section.uuid)}
    return {"school": str(bridge.school.uuid)}


def _respond(request: HttpRequest, bridge: Bridge, choice: SchoolChoice | None) -> HttpResponse:
    if format := export_format(request):
        if request.GET.get("table") == "summary":
            return table_response(
                name=_("Age-grade summary %(name)s") % {"name": bridge.title},
                headers=summary_headers(),
                rows=summary_rows(bridge),
                format=format,
            )
        audit.record_views(
            actor=request.user,
            action=audit.STUDENTS_LISTED,
            students=bridge.students,
            data={**_scope(bridge), "page": "age_grade_bridge", "export": format},
        )
        return table_response(
            name=_("Age-grade bridge %(name)s") % {"name": bridge.title},
            headers=[column.name for column in STATE_COLUMNS],
            rows=state_rows(bridge),
            format=format,
        )
    page = Paginator(bridge.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=[row.student for row in page],
        data={**_scope(bridge), "page": "age_grade_bridge", "page_number": page.number},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/bridge.html",
        {
            "bridge": bridge,
            "choice": choice,
            "page": page,
            "query": query.urlencode(),
            "buckets": [label for _key, label in BUCKETS],
            "columns": STATE_COLUMNS,
        },
    )
