"""/lrs/: a district admin gives learning tools credentials for the xAPI store (the secret
shown once, revoked when a tool no longer needs it), and maps their statements to evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from proficio.frameworks.api import district_competencies_to_choose
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.visibility import not_visible_is_404
from proficio.lrs.credentials import credential_create, credential_revoke, credentials_of
from proficio.lrs.forms import ActivityRuleForm, CredentialForm
from proficio.lrs.mapping import earlier_statements, rule_apply_to_earlier
from proficio.lrs.rules import activity_rule_add, activity_rule_remove, activity_rules_of
from proficio.lrs.selectors import (
    RECENT_DAYS,
    outcome_counts_of,
    unmapped_activities_of,
    unmatched_of,
)
from proficio.people.api import own_district_administered_get


def _number(given: str) -> int | None:
    return int(given) if given.isdigit() else None


@login_required
@not_visible_is_404
@require_http_methods(["GET", "POST"])
def tools_page(request: HttpRequest) -> HttpResponse:
    """The district's credentials; new ones show their secret on this answer alone."""
    district = own_district_administered_get(request.user)
    posted = request.method == "POST"
    if posted and "revoke" in request.POST:
        try:
            credential_revoke(
                actor=request.user, district=district, credential_id=int(request.POST["revoke"])
            )
        except (NotVisible, ValueError) as missing:
            raise Http404(str(missing)) from missing
        messages.success(request, _("The credentials are revoked. What the tool sent stays."))
        return redirect("lrs_pages:tools")
    form = CredentialForm(request.POST if posted else None)
    created = None
    if posted and form.is_valid():
        try:
            credential, secret = credential_create(
                actor=request.user,
                district=district,
                name=form.cleaned_data["name"],
                account_home_page=form.cleaned_data["account_home_page"],
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            created = {"credential": credential, "secret": secret}
            form = CredentialForm()
    response = render(
        request,
        "lrs/tools.html",
        {
            "district": district,
            "credentials": credentials_of(district),
            "form": form,
            "created": created,
            "endpoint": request.build_absolute_uri(reverse("lrs:about")).removesuffix("about"),
        },
        status=422 if form.errors else 200,
    )
    if created:  # the secret is on this page alone: no cache may keep it
        response["Cache-Control"] = "no-store"
    return response


@login_required
@not_visible_is_404
@require_http_methods(["GET", "POST"])
def mapping_page(request: HttpRequest) -> HttpResponse:
    """The district's rules, a form to add one, and what no rule or no student took."""
    district = own_district_administered_get(request.user)
    competencies = district_competencies_to_choose(district.pk)
    posted = request.method == "POST"
    if posted and "remove" in request.POST:
        try:
            activity_rule_remove(
                actor=request.user, district=district, rule_id=_number(request.POST["remove"])
            )
        except NotVisible as missing:
            raise Http404(str(missing)) from missing
        messages.success(request, _("The rule is removed. Evidence it made stays."))
        return redirect("lrs_pages:mapping")
    if posted and "apply" in request.POST:
        try:
            count = rule_apply_to_earlier(
                actor=request.user, district=district, rule_id=_number(request.POST["apply"])
            )
        except NotVisible as missing:
            raise Http404(str(missing)) from missing
        messages.success(
            request,
            ngettext(
                "%(count)s earlier statement is being mapped.",
                "%(count)s earlier statements are being mapped.",
                count,
            )
            % {"count": count},
        )
        return redirect("lrs_pages:mapping")
    initial = {"activity": request.GET.get("activity", "")}
    form = ActivityRuleForm(
        request.POST if posted else None, competencies=competencies, initial=initial
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            activity_rule_add(
                actor=request.user,
                district=district,
                activity=data["activity"],
                match=data["match"],
                verb=data["verb"],
                competency=form.chosen_competency(),
                stage=data["stage"],
                met_level=data["met_level"],
                not_met_level=data["not_met_level"],
                mastery_score=data["mastery_score"],
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("The rule is added: statements from now on follow it."))
            return redirect("lrs_pages:mapping")
    unmatched_count, unmatched = unmatched_of(district)
    return render(
        request,
        "lrs/mapping.html",
        {
            "district": district,
            "rules": [
                (rule, len(earlier_statements(rule))) for rule in activity_rules_of(district)
            ],
            "form": form,
            "counts": outcome_counts_of(district),
            "unmatched_count": unmatched_count,
            "unmatched": unmatched,
            "unmapped": unmapped_activities_of(district),
            "recent_days": RECENT_DAYS,
        },
        status=422 if form.errors else 200,
    )
