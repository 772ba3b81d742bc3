"""The roster import page: upload a OneRoster zip → preview what it would do → confirm.

The uploaded file stays in the home (HOME/imports/<token>.zip, readable by the site only)
between preview and confirm, so the import writes exactly what was previewed and nothing the
browser sends after the upload is trusted. Only the session that uploaded it can confirm it;
the file is deleted once imported, cancelled or refused, and left-overs after a day.
"""

from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.interop.oneroster.writer import KINDS, import_oneroster
from proficio.interop.report import ImportRefused
from proficio.interop.uploads import UploadShelf, checked_size
from proficio.lib.errors import NotVisible
from proficio.people.api import District, roster_import_district

UPLOADS = "oneroster_uploads"  # session key: token → the district id it was uploaded for
RESULTS = "oneroster_results"  # session key: token → the summary of the finished import
SHELF = UploadShelf(folder="imports", suffix=".zip")
MAX_UPLOAD_MB = 100
COLUMNS = (
    ("created", gettext_lazy("New")),
    ("updated", gettext_lazy("Changed")),
    ("unchanged", gettext_lazy("Unchanged")),
    ("deactivated", gettext_lazy("Deactivated")),
    ("skipped", gettext_lazy("Left out")),
)
KIND_LABELS = {
    "orgs": gettext_lazy("District and schools"),
    "users": gettext_lazy("People"),
    "roles": gettext_lazy("Roles"),
    "guardian_links": gettext_lazy("Guardian links"),
    "classes": gettext_lazy("Classes (sections)"),
    "enrollments": gettext_lazy("Enrollments and teaching"),
    "academic_sessions": gettext_lazy("Academic sessions"),
}


class UploadForm(forms.Form):
    package = forms.FileField(
        label=gettext_lazy("OneRoster package (.zip)"),
        help_text=gettext_lazy(
            "The zip your student information system exports: manifest.csv, orgs.csv, "
            "users.csv and the rest, OneRoster 1.1 or 1.2."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def clean_package(self):
        return checked_size(self.cleaned_data["package"], MAX_UPLOAD_MB)


def _discard(request: HttpRequest, token: str) -> None:
    SHELF.discard(token)
    uploads = request.session.get(UPLOADS, {})
    if uploads.pop(token, None) is not None:
        request.session[UPLOADS] = uploads


def importer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and allowed to import a roster (`roster_import_district`); else 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            district = roster_import_district(request.user)
        except NotVisible as hidden:
            raise Http404(str(hidden)) from hidden
        return view(request, district, *args, **kwargs)

    return wrapped


def _kept(request: HttpRequest, district: District | None, token: str) -> Path:
    """The file this session uploaded for this district under `token`, or 404."""
    uploads = request.session.get(UPLOADS, {})
    if token not in uploads:
        raise Http404(_("No such upload: it was imported, cancelled or has expired."))
    if uploads[token] != (district.pk if district else None):
        raise Http404(_("No such upload."))
    return SHELF.kept(token)


def _context(district: District | None, summary: dict | None = None, **extra) -> dict:
    """What the pages show: an import's (or dry run's) counts per kind, in the columns that
    hold anything beyond new, changed and unchanged."""
    columns = [
        (column, label)
        for column, label in COLUMNS
        if summary
        and (column in ("created", "updated", "unchanged") or any(summary[column].values()))
    ]
    rows = [
        (KIND_LABELS[kind], [summary[column].get(kind, 0) for column, _label in columns])
        for kind in KINDS
        if summary
    ]
    return {"district": district, "summary": summary, "columns": columns, "rows": rows, **extra}


@importer
@require_http_methods(["GET", "POST"])
def upload_page(request: HttpRequest, district: District | None) -> HttpResponse:
    posted = request.method == "POST"
    form = UploadForm(request.POST, request.FILES) if posted else UploadForm()
    if posted and form.is_valid():
        token = SHELF.keep(form.cleaned_data["package"])
        request.session[UPLOADS] = {
            **request.session.get(UPLOADS, {}),
            token: district.pk if district else None,
        }
        return redirect("interop:oneroster_preview", token=token)
    status = 422 if form.errors else 200
    return render(
        request, "interop/oneroster_upload.html", _context(district, form=form), status=status
    )


@importer
@require_safe
def preview_page(request: HttpRequest, district: District | None, token: str) -> HttpResponse:
    path = _kept(request, district, token)
    try:
        report = import_oneroster(path, dry_run=True, into=district)
    except ImportRefused as refused:
        _discard(request, token)
        return render(
            request,
            "interop/oneroster_preview.html",
            _context(district, problems=refused.problems),
            status=422,
        )
    return render(
        request,
        "interop/oneroster_preview.html",
        _context(district, report.as_dict(), token=token),
    )


@importer
@require_POST
def confirm_page(request: HttpRequest, district: District | None, token: str) -> HttpResponse:
    path = _kept(request, district, token)
    if "cancel" in request.POST:
        _discard(request, token)
        messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect("interop:oneroster_upload")
    try:
        report = import_oneroster(path, into=district)
    except ImportRefused as refused:
        return render(
            request,
            "interop/oneroster_preview.html",
            _context(district, problems=refused.problems),
            status=422,
        )
    finally:
        _discard(request, token)
    request.session[RESULTS] = {**request.session.get(RESULTS, {}), token: report.as_dict()}
    return redirect("interop:oneroster_result", token=token)


@login_required
@require_safe
def result_page(request: HttpRequest, token: str) -> HttpResponse:
    """What an import did. Only the session that ran it can see it (a site admin who created
    the district may no longer import, but still reads the result)."""
    summary = request.session.get(RESULTS, {}).get(token)
    if summary is None:
        raise Http404(_("No such import."))
    try:
        can_import_again = roster_import_district(request.user) is not None
    except NotVisible:
        can_import_again = False
    return render(
        request,
        "interop/oneroster_result.html",
        _context(None, summary, can_import_again=can_import_again),
    )
