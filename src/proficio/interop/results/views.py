"""The mapping page: a district's admins see how standardized results become evidence, add a
rule and remove one. (Importing results: `importer.ResultsImporter`.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from proficio.frameworks.api import district_competencies_to_choose
from proficio.interop.permissions import results_district_of
from proficio.interop.results.forms import RuleForm
from proficio.interop.results.mapping import (
    result_mapping_add,
    result_mapping_remove,
    result_mappings_of,
)
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.api import District


def _district(request: HttpRequest) -> District:
    district = results_district_of(request.user)
    if district is None:
        raise Http404(_("This page is for the district's admins."))
    return district


@login_required
@require_http_methods(["GET", "POST"])
def mapping_page(request: HttpRequest) -> HttpResponse:
    """The district's rules by assessment and band; a form to add one; a button to remove
    each."""
    district = _district(request)
    competencies = district_competencies_to_choose(district.pk)
    posted = request.method == "POST"
    if posted and "remove" in request.POST:
        try:
            result_mapping_remove(
                actor=request.user, district=district, mapping_id=request.POST["remove"]
            )
        except NotVisible as missing:
            raise Http404(str(missing)) from missing
        messages.success(request, _("The rule is removed. Evidence already imported stays."))
        return redirect("interop:results_mapping")
    form = RuleForm(request.POST if posted else None, competencies=competencies)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            result_mapping_add(
                actor=request.user,
                district=district,
                assessment=data["assessment"],
                band=data["band"],
                competency=form.chosen_competency(),
                stage=data["stage"],
                level=data["level"],
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("The rule is added."))
            return redirect("interop:results_mapping")
    rules = list(result_mappings_of(district))
    assessments: dict[str, tuple[str, list]] = {}  # key → (the first rule's name, rules)
    for rule in rules:
        assessments.setdefault(rule.assessment_key, (rule.assessment, []))[1].append(rule)
    for _name, bands in assessments.values():  # each assessment's bands, lowest first
        bands.sort(key=lambda rule: (rule.stage, rule.level, rule.band_key))
    return render(
        request,
        "interop/results_mapping.html",
        {"district": district, "assessments": assessments.values(), "form": form},
        status=422 if form.errors else 200,
    )
