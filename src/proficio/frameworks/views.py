"""Writing frameworks in the pages (district admins): a new competency and its trajectory."""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from proficio.frameworks.data import StageSpec
from proficio.frameworks.forms import CompetencyForm, StageFormSet
from proficio.frameworks.permissions import may_write_framework
from proficio.frameworks.selectors import framework_get
from proficio.frameworks.services import competency_write
from proficio.lib.errors import InvalidInput, NotVisible


@login_required
@require_http_methods(["GET", "POST"])
def competency_new(request: HttpRequest, framework_id: uuid.UUID) -> HttpResponse:
    try:
        framework = framework_get(user=request.user, framework_id=framework_id)
    except NotVisible as hidden:
        raise Http404(str(hidden)) from hidden
    if not may_write_framework(request.user, framework):
        raise Http404("Only the district's admins write its frameworks.")
    form = CompetencyForm(request.POST or None)
    stages = StageFormSet(request.POST or None, prefix="stage")
    if request.method == "POST" and form.is_valid() & stages.is_valid():
        filled = [row for row in stages if not row.is_blank()]
        try:
            competency = competency_write(
                actor=request.user,
                framework=framework,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                statement=form.cleaned_data["statement"],
                stages=[
                    StageSpec(
                        label=row.cleaned_data["label"],
                        descriptor=row.cleaned_data["descriptor"],
                        typical_grade=row.cleaned_data["typical_grade"],
                        evidence_statements=row.cleaned_data["statements"].splitlines(),
                    )
                    for row in filled
                ],
            )
        except InvalidInput as invalid:
            _show(invalid, form, filled)
        else:
            page = reverse("interop:framework", args=[framework.uuid])
            return redirect(f"{page}#competency-{competency.uuid}")
    return render(
        request,
        "frameworks/competency_form.html",
        {"framework": framework, "form": form, "stages": stages},
    )


def _show(invalid: InvalidInput, form: CompetencyForm, filled: list) -> None:
    """Put each of the service's problems beside the field it is about."""
    for key, message in invalid.errors.items():
        if key.startswith("stage-"):
            _, number, field = key.split("-", 2)
            filled[int(number) - 1].add_error(field, message)
        elif key in form.fields:
            form.add_error(key, message)
        else:
            form.add_error(None, message)
