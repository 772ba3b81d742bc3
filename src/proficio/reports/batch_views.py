"""Pages of batch progress reports: the requester's batches and the sections and schools they
may ask of, starting a batch for one, its progress (polled with htmx while it runs) and its
zip, served to the requester alone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import Role, School, Section, roles_of
from proficio.reports.batch import (
    KEEP_DAYS,
    Period,
    batch_get,
    batch_scope,
    batch_scopes,
    batch_start,
    batch_students,
    batches_visible_to,
    scope_students,
    waits_for_a_worker,
)
from proficio.reports.forms import PeriodForm
from proficio.reports.models import ReportBatch

STAFF = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN})
SHOWN = 20


def _staff_only(request: HttpRequest) -> None:
    if not STAFF & set(roles_of(request.user)):
        raise Http404("Progress reports in a batch are for teachers and admins.")


def _run(batch: ReportBatch) -> dict:
    return {"batch": batch, "no_worker": waits_for_a_worker(batch), "keep_days": KEEP_DAYS}


@require_safe
@login_required
def batches_page(request: HttpRequest) -> HttpResponse:
    """The requester's batches, newest first, and the sections and schools they may ask of."""
    _staff_only(request)
    sections, schools = batch_scopes(request.user)
    batches = list(batches_visible_to(request.user)[:SHOWN])
    return render(
        request,
        "reports/batches.html",
        {"runs": [_run(b) for b in batches], "sections": sections, "schools": schools},
    )


def _scope_of(request: HttpRequest) -> Section | School:
    params = request.POST if request.method == "POST" else request.GET
    return batch_scope(
        user=request.user,
        section_id=params.get("section", ""),
        school_id=params.get("school", ""),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@not_visible_is_404
def batch_new(request: HttpRequest) -> HttpResponse:
    """The progress reports of a section (`section=`) or a school (`school=`): how many, the
    period, and the button that starts the batch."""
    _staff_only(request)
    scope = _scope_of(request)
    form = PeriodForm(request.POST or None)
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        try:
            batch = batch_start(
                actor=request.user,
                scope=scope,
                period=Period(**form.period()),
                language=translation.get_language() or "en",
            )
        except InvalidInput as invalid:
            errors = invalid.errors
        else:
            messages.success(request, _("The progress reports are being written."))
            return redirect("reports:batch", batch_id=batch.uuid)
    return render(
        request,
        "reports/batch_new.html",
        {
            "scope": scope,
            "is_section": isinstance(scope, Section),
            "students": scope_students(user=request.user, scope=scope).count(),
            "form": form,
            "errors": errors,
        },
        status=422 if errors or form.errors else 200,
    )


@require_safe
@login_required
@not_visible_is_404
def batch_page(request: HttpRequest, batch_id: str) -> HttpResponse:
    """A batch's progress and, once done, its zip; htmx asks for the run alone while it is
    unfinished."""
    batch = batch_get(user=request.user, batch_id=batch_id)
    template = "reports/_batch_run.html" if request.htmx else "reports/batch.html"
    response = render(request, template, _run(batch))
    # The same address answers the run (htmx) or the whole page; caches keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@login_required
@not_visible_is_404
def batch_download(request: HttpRequest, batch_id: str) -> HttpResponse:
    """The batch's zip, for its requester while the scope is still theirs: a read of each
    student's record in it, audited."""
    batch = batch_get(user=request.user, batch_id=batch_id)
    if not batch.archive:
        raise Http404("This batch has no zip (not finished, or kept no longer).")
    audit.record_views(
        actor=request.user,
        action=audit.STUDENT_VIEWED,
        students=batch_students(user=request.user, batch=batch),
        data={"via": "progress reports zip", "batch": str(batch.uuid)},
    )
    day = timezone.localtime(batch.finished_at or batch.enqueued_at).date()
    name = f"{slugify(_('progress reports'))}-{slugify(str(batch.scope))}-{day:%Y-%m-%d}.zip"
    response = FileResponse(batch.archive.open("rb"), as_attachment=True, filename=name)
    response["Content-Type"] = "application/zip"
    response["Cache-Control"] = "private, no-store"
    return response
