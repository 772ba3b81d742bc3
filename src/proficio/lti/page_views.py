"""/lti/: a district admin registers the district's LMS for LTI 1.3 launches (by hand, or by
giving its admin a one-time dynamic registration address), reads the addresses to give it,
and sees the scores sent back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput
from proficio.lib.visibility import not_visible_is_404, posted_id
from proficio.lti.dynamic import tool_urls
from proficio.lti.forms import PlatformForm
from proficio.lti.selectors import platforms_of, scores_sent_of
from proficio.lti.services import invite_create, platform_deactivate, platform_register
from proficio.people.api import own_district_administered_get


@login_required
@not_visible_is_404
@require_http_methods(["GET", "POST"])
def platforms_page(request: HttpRequest) -> HttpResponse:
    district = own_district_administered_get(request.user)
    posted = request.method == "POST"
    invite = None
    if posted and "deactivate" in request.POST:
        platform_deactivate(
            actor=request.user, district=district, platform_id=posted_id(request, "deactivate")
        )
        messages.success(request, _("Launches from this LMS stop. What it placed stays."))
        return redirect("lti:platforms")
    if posted and "invite" in request.POST:
        token = invite_create(actor=request.user, district=district)
        invite = request.build_absolute_uri(reverse("lti:register", args=[token]))
    form = PlatformForm(request.POST if posted and "register" in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            platform_register(actor=request.user, district=district, **form.cleaned_data)
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("The LMS is registered: its launches now sign in."))
            return redirect("lti:platforms")
    scores = scores_sent_of(district)
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students={score.student for score in scores},
        data={"via": "scores sent to the LMS"},
    )
    response = render(
        request,
        "lti/platforms.html",
        {
            "district": district,
            "platforms": platforms_of(district),
            "scores": scores,
            "form": form,
            "invite": invite,
            "urls": tool_urls(request),
        },
        status=422 if form.errors else 200,
    )
    if invite:  # a one-time address: no cache may keep it
        response["Cache-Control"] = "no-store"
    return response
