"""How a competency being written will look on a student's page, before anyone has evidence
on it: for the people who write its framework."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from proficio.frameworks.api import competency_get, may_write_framework
from proficio.lib.errors import NotVisible
from proficio.mastery.presenters import competency_panel
from proficio.mastery.selectors.status import first_look_status


@login_required
@require_safe
def competency_preview(request: HttpRequest, competency_id: str) -> HttpResponse:
    try:
        competency = competency_get(user=request.user, competency_id=competency_id)
    except NotVisible as hidden:
        raise Http404(str(hidden)) from hidden
    if not may_write_framework(request.user, competency.framework):
        raise Http404("Only the people who write this framework preview it.")
    panel = competency_panel(first_look_status(competency), [])
    return render(
        request,
        "mastery/competency_preview.html",
        {"panel": panel, "framework": competency.framework, "is_self": True, "may_rate": False},
    )
