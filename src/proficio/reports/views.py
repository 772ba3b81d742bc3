"""Pages of reports: a student's progress report, on a page and as a PDF from the same
records."""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import is_self, student_get
from proficio.reports.forms import PeriodForm
from proficio.reports.pdf import progress_pdf_write
from proficio.reports.progress import progress_report


def _report(request: HttpRequest, student_id: str):
    student = student_get(user=request.user, student_id=student_id)
    form = PeriodForm(request.GET or None)
    return form, progress_report(user=request.user, student=student, **form.period())


@require_safe
@login_required
@not_visible_is_404
def progress_page(request: HttpRequest, student_id: str) -> HttpResponse:
    form, report = _report(request, student_id)
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
