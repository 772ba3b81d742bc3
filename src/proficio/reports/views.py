"""Pages of reports: a student's progress report, on a page and as a PDF from the same
records."""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from proficio.lib.exports import export_format, table_response
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import is_self, student_get
from proficio.reports.forms import PeriodForm
from proficio.reports.pdf import progress_pdf_write
from proficio.reports.progress import ProgressReport, progress_report


def _report(request: HttpRequest, student_id: str):
    student = student_get(user=request.user, student_id=student_id)
    form = PeriodForm(request.GET or None)
    return form, progress_report(user=request.user, student=student, **form.period())


@require_safe
@login_required
@not_visible_is_404
def progress_page(request: HttpRequest, student_id: str) -> HttpResponse:
    form, report = _report(request, student_id)
    if format := export_format(request):
        return _progress_export(report, request.GET.get("table", ""), format)
    if not request.GET:
        form = PeriodForm(initial={"since": report.since, "as_of": report.as_of})
    return render(
        request,
        "reports/progress.html",
        {
            "report": report,
            "form": form,
            "own": is_self(request.user, report.student),
            "query": request.GET.urlencode(),
        },
    )


def _progress_export(report: ProgressReport, table: str, format: str) -> HttpResponse:
    """The numbers behind the report's charts as a download: the stage reached day by day
    (`table` empty), or the ratings (`table=ratings`), each row naming its competency."""
    name = report.student.display_name
    if table == "ratings":
        return table_response(
            name=_("Ratings · %(name)s") % {"name": name},
            headers=[_("Competency"), _("Day"), _("Stage"), _("Level")],
            rows=(
                [
                    item.competency.code,
                    timezone.localdate(rating.observed_at),
                    rating.stage.ordinal,
                    rating.level.normalize(),
                ]
                for item in report.competencies
                for rating in item.trajectory.ratings
            ),
            format=format,
        )
    return table_response(
        name=_("Stage reached by day · %(name)s") % {"name": name},
        headers=[_("Competency"), _("Day"), _("Stage reached"), _("Working at")],
        rows=(
            [item.competency.code, step.day, step.reached, step.working]
            for item in report.competencies
            for step in item.trajectory.steps
        ),
        format=format,
    )


@require_safe
@login_required
@not_visible_is_404
def progress_pdf(request: HttpRequest, student_id: str) -> HttpResponse:
    _form, report = _report(request, student_id)
    buffer = io.BytesIO()
    progress_pdf_write(report=report, destination=buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    name = (
        f"{slugify(_('progress report'))}-{slugify(report.student.display_name)}-{report.as_of}.pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
