"""The district admins' page of what families see: the district's family visibility, one of
its design choices (people keeps it; the family page, the family's student page, the work,
next steps, the progress report and the weekly email apply it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from proficio.agency.forms import FamilyVisibilityForm
from proficio.lib.errors import InvalidInput
from proficio.people.api import (
    FamilyVisibility,
    district_admin_of,
    family_visibility_of,
    family_visibility_set,
)


@require_http_methods(["GET", "POST"])
@login_required
def family_settings_page(request: HttpRequest) -> HttpResponse:
    """A district admin chooses what the district's families see; anyone else finds nothing."""
    district = request.user.district
    if district is None or not district_admin_of(request.user, district):
        raise Http404("The district's admins choose what families see.")
    if request.method == "POST":
        form = FamilyVisibilityForm(request.POST)
        if form.is_valid():
            try:
                family_visibility_set(
                    actor=request.user,
                    district=district,
                    visibility=form.cleaned_data["visibility"],
                )
            except InvalidInput as invalid:
                form.add_service_errors(invalid.errors)
            else:
                messages.success(request, _("Saved what families see."))
                return redirect("agency:family_settings")
        status = 422
    else:
        form = FamilyVisibilityForm(initial={"visibility": family_visibility_of(district.pk)})
        status = 200
    return render(
        request,
        "agency/family_settings.html",
        {"form": form, "district": district, "choices": FamilyVisibility},
        status=status,
    )
