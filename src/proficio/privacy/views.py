"""The student's data page: a district admin of the student's district, or a school admin
of their school, downloads everything held about them or erases their identity; the
requests page finds the student, current or former, among those they answer for. Anyone
else gets the same 404 as a wrong address (docs/decisions/0004)."""

import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from proficio.audit import api as audit
from proficio.lib.errors import InvalidInput
from proficio.lib.exports import export_format, table_response
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import (
    Role,
    identity_erased,
    roles_of,
    student_record_kept_get,
    students_record_kept_by,
)
from proficio.privacy.forms import ErasureForm
from proficio.privacy.services import student_erase, student_export
from proficio.privacy.tables import person_tables

REQUESTS_PAGE_SIZE = 20
RECORD_KEEPERS = frozenset({Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN})


@login_required
@require_safe
def student_data_requests(request: HttpRequest) -> HttpResponse:
    """Find a student, current or former, among those the admin answers for, to open their
    data page: the one way to a former student, whose own page is gone."""
    if not RECORD_KEEPERS & set(roles_of(request.user)):
        raise Http404(_("This page is for school and district admins."))
    search = request.GET.get("q", "").strip()[:200]
    students = students_record_kept_by(request.user, search=search)
    if format := export_format(request):
        return _requests_export(request, list(students), format)
    page = Paginator(students, REQUESTS_PAGE_SIZE).get_page(request.GET.get("page"))
    # Names are shown, as on a gradebook: the listing is recorded as one.
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=page.object_list,
        data={"page": "student data requests"},
    )
    response = render(
        request,
        "privacy/requests.html",
        {"page": page, "search": search, "query": urlencode({"q": search}) if search else ""},
    )
    response["Cache-Control"] = "no-store"
    return response


def _requests_export(request: HttpRequest, students: list, format: str) -> HttpResponse:
    """Every student the search finds, every page of them; listed in the log as the page is."""
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=students,
        data={"page": "student data requests", "export": format},
    )
    current, former = _("Current"), _("Former")
    return table_response(
        name=_("Student data requests"),
        headers=[_("Student"), _("Username"), _("Id"), _("Status")],
        rows=(
            [s.display_name, s.username, s.pk, current if s.is_current else former]
            for s in students
        ),
        format=format,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@not_visible_is_404
def student_data_page(request: HttpRequest, student_id: str) -> HttpResponse:
    """What is held about the student, the export button, and erasure with its confirm step."""
    student = student_record_kept_get(user=request.user, student_id=student_id)
    form = ErasureForm(request.POST or None, username=student.username)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            erasure = student_erase(actor=request.user, student=student, via="page")
        except InvalidInput as refused:
            refusal = "; ".join(refused.errors.values())
        else:
            messages.success(
                request,
                _(
                    "The student's identity is erased: they are now %(pseudonym)s. Their "
                    "evidence and mastery stay, under that name."
                )
                % {"pseudonym": erasure.pseudonym},
            )
            return redirect("privacy:student", student_id=student.uuid)
    counts = [(table.title, table.rows_about(student).count()) for table in person_tables()]
    # The page shows the student's name and how much is held about them: a view of the record.
    audit.record_views(
        actor=request.user, action=audit.STUDENT_VIEWED, students=[student], data={"via": "privacy"}
    )
    response = render(
        request,
        "privacy/student.html",
        {
            "student": student,
            "form": form,
            "refusal": refusal,
            "erased": identity_erased(student),
            "counts": [(name, count) for name, count in counts if count],
        },
        status=422 if refusal or form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
@not_visible_is_404
def student_data_export(request: HttpRequest, student_id: str) -> HttpResponse:
    """The zip of everything held about the student; the download is audited."""
    student = student_record_kept_get(user=request.user, student_id=student_id)
    # Closed by the response once sent (FileResponse closes its file), so no `with` here.
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    student_export(actor=request.user, student=student, destination=archive, via="page")
    archive.seek(0)
    name = f"student-{student.username}-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(archive, as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response
