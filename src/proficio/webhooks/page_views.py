"""/webhooks/: a district admin subscribes the district's own systems to its events, reads
each subscription's secret once, and sees what was delivered and what failed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from proficio.lib.errors import InvalidInput
from proficio.lib.visibility import not_visible_is_404, posted_id
from proficio.people.api import own_district_administered_get
from proficio.webhooks.forms import SubscriptionForm
from proficio.webhooks.selectors import deliveries_of, subscriptions_of
from proficio.webhooks.services import (
    subscription_create,
    subscription_revoke,
    subscription_test,
)


@login_required
@not_visible_is_404
@require_http_methods(["GET", "POST"])
def webhooks_page(request: HttpRequest) -> HttpResponse:
    district = own_district_administered_get(request.user)
    posted = request.method == "POST"
    if posted and "revoke" in request.POST:
        subscription_revoke(
            actor=request.user, district=district, subscription_id=posted_id(request, "revoke")
        )
        messages.success(request, _("The subscription is revoked: nothing more is sent to it."))
        return redirect("webhooks:page")
    if posted and "test" in request.POST:
        subscription_test(district=district, subscription_id=posted_id(request, "test"))
        messages.success(request, _("A test message is on its way: see below what came of it."))
        return redirect("webhooks:page")
    form = SubscriptionForm(request.POST if posted else None)
    created = None
    if posted and form.is_valid():
        try:
            created = subscription_create(
                actor=request.user, district=district, **form.cleaned_data
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            form = SubscriptionForm()
    response = render(
        request,
        "webhooks/page.html",
        {
            "district": district,
            "subscriptions": subscriptions_of(district),
            "deliveries": deliveries_of(district),
            "form": form,
            "created": created,
        },
        status=422 if form.errors else 200,
    )
    if created:  # the secret is on this answer alone
        response["Cache-Control"] = "no-store"
    return response
