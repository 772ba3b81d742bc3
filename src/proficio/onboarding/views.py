"""The first-run wizard: a fresh installation's district, first school, scale and admin,
set up in the browser. It exists only while the installation has no district."""

from django.contrib.auth import authenticate, login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from proficio.lib.errors import InvalidInput
from proficio.onboarding.code import (
    setup_code,
    setup_code_matches,
    setup_code_path,
)
from proficio.onboarding.data import SCALE_PRESETS, DistrictSetup
from proficio.onboarding.forms import SetupForm
from proficio.onboarding.services import district_needs_setup, district_setup


@require_http_methods(["GET", "POST"])
def setup_page(request: HttpRequest) -> HttpResponse:
    if not district_needs_setup():
        raise Http404(_("This installation is set up already."))
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not setup_code_matches(data["code"]):
            form.add_error("code", _("That is not this installation's setup code."))
        else:
            try:
                done = district_setup(
                    setup=DistrictSetup(
                        district=data["district"],
                        school=data["school"],
                        admin_username=data["username"],
                        admin_email=data["email"],
                        admin_password=data["password"],
                        admin_first_name=data["first_name"],
                        admin_last_name=data["last_name"],
                        scale=data["scale"],
                    )
                )
            except InvalidInput as invalid:
                form.add_service_errors(invalid.errors)
            else:
                admin = authenticate(
                    request, username=done.admin.username, password=data["password"]
                )
                login(request, admin)
                return redirect("home")
    setup_code()  # made now, so the operator can read it from the home
    return render(
        request,
        "onboarding/setup.html",
        {
            "form": form,
            "scales": [(key, label, levels) for key, (label, levels) in SCALE_PRESETS.items()],
            "code_path": setup_code_path(),
        },
    )
