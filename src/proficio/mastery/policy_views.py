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
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.engine import METHOD_PARAMETERS, format_score
from proficio.lib.errors import InvalidInput
from proficio.lib.visibility import not_visible_is_404
from proficio.mastery.models import MasteryPolicy, PolicyPreviewRun, PreviewState
from proficio.mastery.policy_forms import PolicyForm
from proficio.mastery.selectors import (
    PolicyPreview,
    ScopePolicies,
    policy_overview,
    policy_preview_run_get,
    policy_preview_run_shown,
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
    specs = METHOD_PARAMETERS.get(policy.method, {})
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


def _form(request: HttpRequest, data=None, chosen=None) -> PolicyForm:
    current = _forms_state(request)[1]
    return PolicyForm(data, scopes=policy_scopes(user=request.user), current=current, chosen=chosen)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@not_visible_is_404
def policies_page(request: HttpRequest) -> HttpResponse:
    """Every scope's policy in force and its versions, and a form for a new version.

    POST with action=preview shows what the change would do (the page without JavaScript;
    htmx asks policy_preview_part instead); any other POST saves it and starts the recompute.
    """
    overview, current = _forms_state(request)
    scopes = policy_scopes(user=request.user)
    status, preview, preview_run = 200, None, None
    if request.method == "POST":
        form = PolicyForm(request.POST, scopes=scopes, current=current)
        previewing = request.POST.get("action") == "preview"
        if form.is_valid():
            try:
                if previewing:
                    preview, preview_run = _preview_or_run(request, form)
                else:
                    policy = policy_change(actor=request.user, draft=form.draft())
                    return _saved(request, form, policy)
            except InvalidInput as bad:
                form.add_service_errors(bad.errors)
        if not form.is_valid():
            status = 422
    else:
        form = PolicyForm(scopes=scopes, current=current, chosen=request.GET)
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
            "preview": preview,
            "preview_run": preview_run,
            "settings": policy_settings(preview.proposed) if preview else "",
        },
        status=status,
    )


def _preview_or_run(
    request: HttpRequest, form: PolicyForm
) -> tuple[PolicyPreview | None, PolicyPreviewRun | None]:
    """The preview at once, or the background run of one too large for the request, with
    its preview when the run has already finished (a backend that runs tasks at once)."""
    started = policy_preview_start(actor=request.user, draft=form.draft())
    if not isinstance(started, PolicyPreviewRun):
        return started, None
    if started.state == PreviewState.DONE:
        return policy_preview_run_shown(user=request.user, run=started), started
    return None, started


def _saved(request: HttpRequest, form: PolicyForm, policy: MasteryPolicy) -> HttpResponse:
    messages.success(
        request,
        _("Saved version %(version)s of the policy for %(scope)s.")
        % {"version": policy.version, "scope": form.scopes[form.cleaned_data["scope"]].label},
    )
    run = recompute_runs(user=request.user, policy=policy)[0]
    url = reverse("mastery:policies") + "?" + urlencode({"run": run.uuid})
    return redirect(url + "#recompute")


def _versions(entry: ScopePolicies) -> list[tuple[MasteryPolicy, str, str]]:
    """Each own version with its settings in words and where it stands today."""
    rows = []
    in_force_seen = False
    for version in entry.versions:
        if version.effective_from > entry.today:
            standing = _("Takes effect on %(day)s") % {
                "day": version.effective_from.strftime("%-d %b %Y")
            }
        elif version.pk == entry.in_force.pk and not in_force_seen:
            standing = _("In force")
            in_force_seen = True
        else:
            standing = _("Replaced")
        rows.append((version, policy_settings(version), standing))
    return rows


@login_required
@require_safe
@not_visible_is_404
def policy_form_fields(request: HttpRequest) -> HttpResponse:
    """The form again for another scope or method (htmx swaps it in place)."""
    return render(
        request, "mastery/_policy_form.html", {"form": _form(request, chosen=request.GET)}
    )


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
        {"form": form, "preview": preview, "settings": policy_settings(preview.proposed)},
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
        {
            "run": run,
            "preview": preview,
            "settings": policy_settings(preview.proposed) if preview else "",
        },
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
