"""The mastery policy page: what is in force for each scope, its versions, a change with a
live preview of its effect, and the state of the recompute a saved change starts."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.engine import POLICY_PARAMETERS, format_score
from proficio.lib.errors import InvalidInput
from proficio.lib.visibility import not_visible_is_404
from proficio.mastery.models import MasteryPolicy, PolicyPreviewRun, PreviewState
from proficio.mastery.policy_forms import OverrideRemovalForm, PolicyForm
from proficio.mastery.preview_receipts import receipt_for, receipt_read
from proficio.mastery.selectors import (
    PolicyPreview,
    ScopePolicies,
    policy_overview,
    policy_preview_run_get,
    policy_preview_run_shown,
    policy_proposed,
    policy_scopes,
    recompute_run_get,
    recompute_runs,
)
from proficio.mastery.services import (
    policy_change,
    policy_preview_start,
    recompute_run_recover,
)


def policy_settings(policy: MasteryPolicy) -> str:
    """A version's settings in one line: "Decaying average · Weight of each new rating 0.5"."""
    specs = POLICY_PARAMETERS.get(policy.method, {})
    parts = [policy.get_method_display()]
    for name, spec in specs.items():
        if name in policy.parameters:
            parts.append(f"{spec.label} {format_score(policy.parameters[name])}")
        elif name == "threshold":
            parts.append(_("%(label)s: the mastery threshold") % {"label": spec.label})
        else:
            parts.append(f"{spec.label} {format_score(spec.default)} " + _("(default)"))
    return " · ".join(parts)


def _forms_state(request: HttpRequest) -> tuple[list[ScopePolicies], dict[str, MasteryPolicy]]:
    overview = policy_overview(user=request.user)
    if not overview:
        raise Http404(_("This page is for district and school admins."))
    return overview, {entry.scope.key: entry.in_force for entry in overview}


ChangeForm = PolicyForm | OverrideRemovalForm


def _form(
    request: HttpRequest, data=None, chosen=None, overview: list[ScopePolicies] | None = None
) -> ChangeForm:
    """The change form: a new version (restoring an earlier one when `restore` names it), or
    removing a scope's own policy (`removal` in the data, `remove` in the address)."""
    if overview is None:
        overview = _forms_state(request)[0]
    current = {entry.scope.key: entry.in_force for entry in overview}
    removable = [entry.scope for entry in overview if entry.removable]
    if data is not None and data.get("removal"):
        return OverrideRemovalForm(data, scopes=removable)
    chosen = chosen or {}
    if data is None and chosen.get("remove") in {scope.key for scope in removable}:
        return OverrideRemovalForm(scopes=removable, chosen=chosen["remove"])
    entry = next((e for e in overview if e.scope.key == chosen.get("scope")), None)
    restoring = entry.version(chosen["restore"]) if entry and "restore" in chosen else None
    return PolicyForm(
        data,
        scopes=policy_scopes(user=request.user),
        current=current,
        chosen=chosen,
        restoring=restoring,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@not_visible_is_404
def policies_page(request: HttpRequest) -> HttpResponse:
    """Every scope's policy in force and its versions, and a form for a new version (or to
    remove a scope's own policy).

    POST with action=preview shows what the change would do (the page without JavaScript;
    htmx asks policy_preview_part instead); any other POST saves it and starts the
    recompute, but only with the receipt of a preview of that very change, and with the
    admin's confirmation when it removes mastery from anyone: otherwise the page shows the
    preview again and saves nothing.
    """
    overview = _forms_state(request)[0]
    status, preview, preview_run = 200, None, None
    if request.method == "POST":
        form = _form(request, data=request.POST, overview=overview)
        previewing = request.POST.get("action") == "preview"
        if form.is_valid():
            try:
                if not previewing:
                    unconfirmed = _unconfirmed(request, form)
                    if unconfirmed is None:
                        policy = policy_change(actor=request.user, draft=form.draft())
                        return _saved(request, form, policy)
                    form.add_error(None, unconfirmed)
                preview, preview_run = _preview_or_run(request, form)
            except InvalidInput as bad:
                form.add_service_errors(bad.errors)
        if not form.is_valid():
            status = 422
    else:
        form = _form(request, chosen=request.GET, overview=overview)
    return render(
        request,
        "mastery/policies.html",
        {
            "overview": [(entry, _versions(entry)) for entry in overview],
            "has_versions": any(entry.versions for entry in overview),
            "form": form,
            "runs": recompute_runs(user=request.user),
            "attempt_limit": settings.PROFICIO_RECOMPUTE_ATTEMPTS,
            "highlight": request.GET.get("run", ""),
            "preview_run": preview_run,
            **_preview_context(request, preview),
        },
        status=status,
    )


def _unconfirmed(request: HttpRequest, form: ChangeForm) -> str | None:
    """Why the change may not be saved yet, or None: it must have been previewed as it is
    now, and a loss of mastery confirmed with the count the preview showed."""
    proposed = policy_proposed(user=request.user, draft=form.draft())
    receipt = receipt_read(
        request.POST.get("preview_receipt", ""), proposed=proposed, user=request.user
    )
    if receipt is None:
        return _("Nothing is saved yet: check below what this change would do, then save.")
    losses = receipt.stages_losing_mastery
    if losses and request.POST.get("confirm_losses") != str(losses):
        students = receipt.students_losing_mastery
        return ngettext(
            "Nothing is saved yet: this change removes mastery from %(students)s student "
            "(%(stages)s stages). Tick the box under the preview to confirm, then save.",
            "Nothing is saved yet: this change removes mastery from %(students)s students "
            "(%(stages)s stages). Tick the box under the preview to confirm, then save.",
            students,
        ) % {"stages": losses, "students": students}
    return None


def _preview_context(request: HttpRequest, preview: PolicyPreview | None) -> dict[str, object]:
    if preview is None:
        return {"preview": None, "settings": ""}
    return {
        "preview": preview,
        "settings": policy_settings(preview.proposed),
        "receipt": receipt_for(preview, user=request.user),
    }


def _preview_or_run(
    request: HttpRequest, form: ChangeForm
) -> tuple[PolicyPreview | None, PolicyPreviewRun | None]:
    """The preview at once, or the background run of one too large for the request, with
    its preview when the run has already finished (a backend that runs tasks at once)."""
    started = policy_preview_start(actor=request.user, draft=form.draft())
    if not isinstance(started, PolicyPreviewRun):
        return started, None
    if started.state == PreviewState.DONE:
        return policy_preview_run_shown(user=request.user, run=started), started
    return None, started


def _saved(request: HttpRequest, form: ChangeForm, policy: MasteryPolicy) -> HttpResponse:
    scope = form.scopes[form.cleaned_data["scope"]].label
    if policy.inherits:
        message = _("%(scope)s now follows the broader policy (version %(version)s).")
    elif policy.restores:
        message = _(
            "Saved version %(version)s of the policy for %(scope)s, restoring version %(restored)s."
        )
    else:
        message = _("Saved version %(version)s of the policy for %(scope)s.")
    messages.success(
        request, message % {"version": policy.version, "scope": scope, "restored": policy.restores}
    )
    run = recompute_runs(user=request.user, policy=policy)[0]
    url = reverse("mastery:policies") + "?" + urlencode({"run": run.uuid})
    return redirect(url + "#recompute")


def _versions(entry: ScopePolicies) -> list[tuple[MasteryPolicy, str, str]]:
    """Each own version with its settings in words and where it stands today."""
    rows = []
    standing_seen = False
    for version in entry.versions:
        if version.effective_from > entry.today:
            standing = _("Takes effect on %(day)s") % {
                "day": version.effective_from.strftime("%-d %b %Y")
            }
        elif not standing_seen:
            # The scope's latest version in force stands (mastery.policies.standing).
            standing = (
                _("In force") if not version.inherits else _("In force: follows the broader policy")
            )
            standing_seen = True
        else:
            standing = _("Replaced")
        settings_text = (
            _("Removed the policy of its own") if version.inherits else policy_settings(version)
        )
        rows.append((version, settings_text, standing))
    return rows


@login_required
@require_safe
@not_visible_is_404
def policy_form_fields(request: HttpRequest) -> HttpResponse:
    """The form again for another scope or method (htmx swaps it in place)."""
    form = PolicyForm(
        scopes=policy_scopes(user=request.user),
        current=_forms_state(request)[1],
        chosen=request.GET,
    )
    return render(request, "mastery/_policy_form.html", {"form": form})


@login_required
@require_POST
@not_visible_is_404
def policy_preview_part(request: HttpRequest) -> HttpResponse:
    """What the change in the form would do, on the real evidence; nothing is saved."""
    form = _form(request, data=request.POST)
    preview = preview_run = None
    if form.is_valid():
        try:
            preview, preview_run = _preview_or_run(request, form)
        except InvalidInput as bad:
            form.add_service_errors(bad.errors)
    if preview_run is not None:
        return _preview_run_response(request, preview_run, preview)
    if preview is None:
        return render(
            request, "mastery/_policy_preview.html", {"form": form, "preview": None}, status=422
        )
    return render(
        request,
        "mastery/_policy_preview.html",
        {"form": form, **_preview_context(request, preview)},
    )


@login_required
@require_safe
@not_visible_is_404
def policy_preview_run_part(request: HttpRequest, preview_id: str) -> HttpResponse:
    """A background preview's progress, asked for again every second while it runs; its
    result once done, or that it stopped (a dead worker, none taking it): then polling ends."""
    run = policy_preview_run_get(user=request.user, preview_id=preview_id)
    preview = (
        policy_preview_run_shown(user=request.user, run=run)
        if run.state == PreviewState.DONE
        else None
    )
    return _preview_run_response(request, run, preview)


def _preview_run_response(
    request: HttpRequest, run: PolicyPreviewRun, preview: PolicyPreview | None
) -> HttpResponse:
    return render(
        request,
        "mastery/_policy_preview_run.html",
        {"run": run, **_preview_context(request, preview)},
    )


@login_required
@require_safe
@not_visible_is_404
def recompute_run_part(request: HttpRequest, run_id: str) -> HttpResponse:
    """One recompute's state; while it is unfinished the fragment asks again, every 10 s
    rather than 2 once no worker has taken its task for the lease.

    A run whose worker has died, or whose task was lost, is recovered here too (tried again,
    or failed with the reason), so the page never waits on a dead worker for longer than
    the lease.
    """
    run = recompute_run_get(user=request.user, run_id=run_id)
    if recompute_run_recover(run=run):
        run = recompute_run_get(user=request.user, run_id=run_id)
    return render(
        request,
        "mastery/_recompute_run.html",
        {
            "run": run,
            "highlight": str(run.uuid),
            "attempt_limit": settings.PROFICIO_RECOMPUTE_ATTEMPTS,
        },
    )
