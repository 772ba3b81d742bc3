"""The design choices page and the implementation plan tracker (issue 16, item 6): read-only
for a district's staff; the links to where each setting is set matter to its admins.
Students, guardians and anyone else get the same 404 as a wrong address."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from proficio.lib.visibility import not_visible_is_404
from proficio.reports.design import decisions, plan, related_settings, viewer_of


@login_required
@require_safe
@not_visible_is_404
def design_page(request: HttpRequest) -> HttpResponse:
    """The ten design choices as the district (and the chosen school) has made them, and the
    implementation plan's progress beside them."""
    viewer = viewer_of(request.user, request.GET.get("school") or None)
    decided = decisions(viewer)
    return render(
        request,
        "reports/design.html",
        {
            "viewer": viewer,
            "decisions": decided,
            "related": related_settings(viewer),
            "plan": plan(viewer, decided),
            "changed_count": sum(1 for d in decided if not d.is_default),
        },
    )


@login_required
@require_safe
@not_visible_is_404
def implementation_page(request: HttpRequest) -> HttpResponse:
    """The three-year implementation plan with the district's progress on each step."""
    viewer = viewer_of(request.user, request.GET.get("school") or None)
    return render(
        request, "reports/design_implementation.html", {"viewer": viewer, "plan": plan(viewer)}
    )
