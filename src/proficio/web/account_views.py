"""A signed-in person's account: their password and their API tokens; and the password reset by
email for someone who cannot sign in.

The password pages are Django's own views with Proficio's templates. A new password, however
it is set, ends the person's API tokens (docs/decisions/0016) and their other sessions.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import (
    api_token_get,
    api_token_revoke,
    api_tokens_live_of,
    password_change_record,
    person_language_set,
)
from proficio.web.forms import PasswordResetRequestForm


@login_required
@require_safe
def account(request: HttpRequest) -> HttpResponse:
    """The way to a new password, and the API tokens that still open the API as this person."""
    return render(request, "web/account.html", {"tokens": api_tokens_live_of(request.user)})


@login_required
@require_POST
@not_visible_is_404
def api_token_revoke_page(request: HttpRequest, token_id: str) -> HttpResponse:
    api_token_revoke(actor=request.user, token=api_token_get(user=request.user, token_id=token_id))
    messages.success(request, _("The token is revoked: it no longer opens the API."))
    return redirect("account")


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        password_change_record(person=form.user, via="password change page")
        return response


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "web/password_reset_confirm.html"

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        password_change_record(person=form.user, via="reset link")
        return response


password_change = PasswordChange.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="web/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
    template_name="web/password_reset.html", form_class=PasswordResetRequestForm
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="web/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirm.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="web/password_reset_complete.html"
)


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """Switch the pages' language: kept with the person when signed in (on every device),
    in a cookie otherwise; back to the page the switch was on."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        code = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        person_language_set(person=request.user, language=code)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
