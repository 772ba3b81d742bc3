"""Framework spreadsheets for district admins: the template to download, and an import page
(upload → preview → confirm) for a filled-in template or an OpenSALT CSV.

As on the CASE page, the uploaded file waits in the home between preview and confirm, named
for the person who uploaded it; the confirm step reads and checks it again, so nothing the
browser sends back is trusted beyond the choice of upload and options.
"""

from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from proficio.frameworks.api import CompetencyKind, Framework, framework_competencies, framework_get
from proficio.interop.report import ImportReport
from proficio.interop.spreadsheet.table import read_sheet
from proficio.interop.spreadsheet.template import FILE_NAME, template_csv, template_xlsx
from proficio.interop.spreadsheet.trajectories import COLUMNS, read_trajectories
from proficio.interop.spreadsheet.writer import OPENSALT, TEMPLATE, import_framework_file
from proficio.interop.uploads import (
    UPLOAD_TOKEN,
    UploadShelf,
    checked_size,
    district_admin_only,
    import_outcome,
)

SHELF = UploadShelf(folder="uploads/spreadsheet", suffix=".upload")
MAX_UPLOAD_MB = 25
DOWNLOADS = {
    "xlsx": (
        template_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": (template_csv, "text/csv; charset=utf-8"),
}
LAYOUTS = (
    ("", gettext_lazy("Decide from the header row")),
    (TEMPLATE, gettext_lazy("Proficio's template: competencies with trajectories")),
    (OPENSALT, gettext_lazy("OpenSALT CSV of CASE items")),
)
KINDS = {
    "frameworks": gettext_lazy("Framework"),
    "items": gettext_lazy("Standards"),
    "competencies": gettext_lazy("Competencies"),
    "stages": gettext_lazy("Stages"),
    "evidence_statements": gettext_lazy("Evidence statements"),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        help_text=gettext_lazy(
            "Proficio's template filled in, or a CSV exported from OpenSALT. CSV files are read "
            "as UTF-8 (in Excel: “CSV UTF-8”)."
        ),
    )
    title = forms.CharField(
        label=gettext_lazy("Framework title"),
        required=False,
        max_length=300,
        help_text=gettext_lazy(
            "Optional. A spreadsheet names no framework: without a title here (or in the "
            "template's Framework title column) the file's name is used."
        ),
    )
    layout = forms.ChoiceField(label=gettext_lazy("Layout"), choices=LAYOUTS, required=False)

    def clean_file(self):
        return checked_size(self.cleaned_data["file"], MAX_UPLOAD_MB)


class ConfirmForm(forms.Form):
    upload = forms.RegexField(regex=UPLOAD_TOKEN, widget=forms.HiddenInput)
    name = forms.CharField(max_length=255, widget=forms.HiddenInput)
    title = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)
    layout = forms.ChoiceField(choices=LAYOUTS, required=False, widget=forms.HiddenInput)


@dataclass(frozen=True)
class StageView:
    ordinal: int
    label: str
    grade: int | None
    statements: list[str]


@dataclass(frozen=True)
class CompetencyView:
    code: str
    title: str
    kind: str
    stages: list[StageView]


def _kind_label(kind: str) -> str:
    return str(CompetencyKind(kind).label)


def _planned(data: bytes, name: str, title: str) -> list[CompetencyView]:
    """The trajectories a (checked) template file holds, for its preview."""
    plan = read_trajectories(read_sheet(data, name), title=title)
    return [
        CompetencyView(
            code=spec.code,
            title=spec.title,
            kind=_kind_label(spec.kind),
            stages=[
                StageView(
                    ordinal,
                    stage.label,
                    stage.typical_grade,
                    list(stage.evidence_statements),
                )
                for ordinal, stage in enumerate(spec.stages, start=1)
            ],
        )
        for spec in plan.competencies
    ]


def _saved(framework: Framework) -> list[CompetencyView]:
    return [
        CompetencyView(
            code=competency.code,
            title=competency.title,
            kind=competency.get_kind_display(),
            stages=[
                StageView(
                    stage.ordinal,
                    stage.label,
                    stage.typical_grade,
                    [statement.text for statement in stage.evidence_statements.all()],
                )
                for stage in competency.stages.all()
            ],
        )
        for competency in framework_competencies(framework)
    ]


def _counts(report: ImportReport | None) -> list[tuple[str, int, int, int]]:
    return report.count_rows(KINDS) if report is not None else []


@login_required
@require_safe
def template_page(request: HttpRequest) -> HttpResponse:
    """What the template's columns hold, and the template to download."""
    district_admin_only(request)
    return render(request, "interop/spreadsheet_template.html", {"columns": COLUMNS})


@login_required
@require_safe
def template_download(request: HttpRequest, extension: str) -> HttpResponse:
    district_admin_only(request)
    if extension not in DOWNLOADS:
        raise Http404(_("There is no such template."))
    build, content_type = DOWNLOADS[extension]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}.{extension}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def spreadsheet_import(request: HttpRequest) -> HttpResponse:
    """Upload a file; the answer is its preview (a dry run) with a button to import it."""
    district_admin_only(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        status = 422 if request.method == "POST" else 200
        return render(request, "interop/spreadsheet_import.html", {"form": form}, status=status)
    upload = form.cleaned_data["file"]
    data = upload.read()
    name = Path(upload.name).name[:255]
    title, layout = form.cleaned_data["title"], form.cleaned_data["layout"]
    report, problems = import_outcome(
        import_framework_file,
        request,
        data=data,
        name=name,
        dry_run=True,
        title=title,
        layout=layout or None,
    )
    confirm, competencies = None, []
    if report is not None:
        token = SHELF.keep(upload, owner=str(request.user.pk))
        confirm = ConfirmForm(
            initial={"upload": token, "name": name, "title": title, "layout": layout}
        )
        if report.extra["format"] == TEMPLATE:
            competencies = _planned(data, name, title)
    return render(
        request,
        "interop/spreadsheet_preview.html",
        {
            "name": name,
            "report": report,
            "counts": _counts(report),
            "problems": problems,
            "confirm": confirm,
            "competencies": competencies,
        },
        status=200 if report is not None else 422,
    )


@login_required
@require_http_methods(["POST"])
def spreadsheet_confirm(request: HttpRequest) -> HttpResponse:
    """Import the previewed file for real: read and checked again, then written."""
    district_admin_only(request)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        raise Http404(_("There is no such upload."))
    stored = SHELF.kept(form.cleaned_data["upload"], owner=str(request.user.pk))
    data = stored.read_bytes()
    name = form.cleaned_data["name"]
    report, problems = import_outcome(
        import_framework_file,
        request,
        data=data,
        name=name,
        dry_run=False,
        title=form.cleaned_data["title"],
        layout=form.cleaned_data["layout"] or None,
    )
    stored.unlink()
    framework, competencies = None, []
    if report is not None:
        framework = framework_get(user=request.user, framework_id=report.extra["framework"]["id"])
        if report.extra["format"] == TEMPLATE:
            competencies = _saved(framework)
    return render(
        request,
        "interop/spreadsheet_result.html",
        {
            "name": name,
            "report": report,
            "counts": _counts(report),
            "problems": problems,
            "framework": framework,
            "competencies": competencies,
        },
        status=200 if report is not None else 422,
    )
