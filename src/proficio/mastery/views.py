"""Pages for mastery: the section gradebook, one student's evidence on one competency, and
the student page. Every object comes through a selector scoped to the signed-in person."""

from dataclasses import replace
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from proficio.audit import api as audit
from proficio.evidence.api import Evidence, EvidenceSource, evidence_of
from proficio.frameworks.api import (
    Competency,
    competency_get,
    competency_list_visible_to,
)
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.exports import export_format, table_response
from proficio.lib.http.body_limit import takes_uploads
from proficio.lib.visibility import not_visible_is_404
from proficio.mastery.forms import AsOfForm, RatingForm
from proficio.mastery.pace import PACE_LABELS
from proficio.mastery.permissions import can_rate
from proficio.mastery.presenters import (
    cell_dom_id,
    cell_for,
    competency_panel,
    course_columns,
    evidence_url,
    gradebook_rows,
    gradebook_table,
    gradebook_view,
    level_words,
    pace_chips,
    scale_legends,
    without_teacher_feedback,
)
from proficio.mastery.selectors import (
    CompetencyStatus,
    competency_history,
    competency_pace,
    competency_paces,
    competency_status,
    evidence_correctable_ids,
    gradebook,
    gradebook_cell,
    student_mastery,
)
from proficio.mastery.selectors.family import track_label, track_of
from proficio.mastery.selectors.gradebook import SORTS as GRADEBOOK_SORTS
from proficio.mastery.selectors.gradebook import GradebookQuery
from proficio.mastery.services import evidence_record
from proficio.people.api import (
    Person,
    Section,
    guardian_of,
    keeps_records_of,
    section_served_get,
    sees_teacher_feedback,
    student_get,
)

# ---- addresses ------------------------------------------------------------------------------


def section_from_query(request: HttpRequest) -> Section | None:
    """The gradebook a person came from, if it is one they serve; anything else is ignored."""
    section_id = request.GET.get("section")
    if not section_id:
        return None
    try:
        return section_served_get(user=request.user, section_id=section_id)
    except NotVisible:
        return None


# ---- pages ----------------------------------------------------------------------------------


def _gradebook_query(request: HttpRequest, competencies: list[Competency]) -> GradebookQuery:
    """The gradebook's page, sort and filters from its address; anything unknown is ignored,
    so an old or edited bookmark still opens."""
    params = request.GET
    chosen = params.get("competency", "")
    competency = next((c for c in competencies if str(c.uuid) == chosen), None)
    page = params.get("page", "1")
    columns = params.get("cols", "1")
    sort = params.get("sort", "name")
    pace = params.get("pace", "")
    return GradebookQuery(
        page=int(page) if page.isdecimal() and page.isascii() else 1,
        columns=int(columns) if columns.isdecimal() and columns.isascii() else 1,
        sort=sort if sort in GRADEBOOK_SORTS else "name",
        search=params.get("q", "").strip()[:100],
        competency=competency,
        stage=params.get("stage", "") if competency is not None else "",
        pace=pace if pace in PACE_LABELS else "",
        every=params.get("all") == "1",
    )


@login_required
@require_safe
@not_visible_is_404
def gradebook_page(request: HttpRequest, section_id: str) -> HttpResponse:
    section = section_served_get(user=request.user, section_id=section_id)
    competencies = list(competency_list_visible_to(request.user))
    query = _gradebook_query(request, competencies)
    if format := export_format(request):
        return _gradebook_export(request, section, query, competencies, format)
    book = gradebook(
        user=request.user,
        section=section,
        query=query,
        competencies=competencies,
        page_size=settings.PROFICIO_GRADEBOOK_PAGE_SIZE,
        column_size=settings.PROFICIO_GRADEBOOK_COLUMNS,
    )
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=book.students,
        data={
            "section": str(section.uuid),
            "page": "gradebook",
            "page_number": book.page,
            "columns_page": book.column_page,
        },
    )
    return render(
        request,
        "mastery/gradebook.html",
        {
            "section": section,
            "book": book,
            "view": gradebook_view(book),
            "rows": gradebook_rows(book),
            "legends": scale_legends(book.columns),
            "chips": pace_chips(book.query.pace),
            "pace_filter": PACE_LABELS[book.query.pace] if book.query.pace else "",
            "course_columns": course_columns(book),
        },
    )


def _gradebook_export(
    request: HttpRequest,
    section: Section,
    query: GradebookQuery,
    competencies: list[Competency],
    format: str,
) -> HttpResponse:
    """The gradebook as a download: every student the filters pick across the section (every
    page) by every competency column (every page of columns); a listing of each, audited."""
    book = gradebook(
        user=request.user,
        section=section,
        query=replace(query, page=1, columns=1),
        competencies=competencies,
        page_size=10**9,
        column_size=10**9,
    )
    audit.record_views(
        actor=request.user,
        action=audit.STUDENTS_LISTED,
        students=book.students,
        data={"section": str(section.uuid), "page": "gradebook", "export": format},
    )
    headers, rows = gradebook_table(book)
    return table_response(
        name=_("Gradebook %(section)s") % {"section": section.name},
        headers=headers,
        rows=rows,
        format=format,
    )


def _render_student_competency(
    request: HttpRequest,
    *,
    student: Person,
    competency: Competency,
    status: CompetencyStatus,
    section: Section | None,
    form: RatingForm | None,
    saved: Evidence | None = None,
    status_code: int = 200,
) -> HttpResponse:
    evidence = list(evidence_of(student=student, competency=competency))
    if not sees_teacher_feedback(request.user, student):
        evidence = without_teacher_feedback(evidence)
    context = {
        "student": student,
        "competency": competency,
        "section": section,
        "panel": competency_panel(
            status, evidence, competency_pace(student=student, competency=competency)
        ),
        "form": form,
        "saved": saved,
        "saved_level": level_words(competency, saved.level) if saved else "",
        "cell_id": cell_dom_id(student, competency),
        "action": evidence_url(student, competency, section),
        "correctable": evidence_correctable_ids(user=request.user, evidence=evidence),
        "section_query": f"?section={section.uuid}" if section else "",
        "in_panel": bool(request.htmx),
        "history": competency_history(student=student, competency=competency),
    }
    if request.htmx and saved and section:
        context["cell"] = cell_for(
            student=student,
            competency=competency,
            section=section,
            record=gradebook_cell(student=student, competency=competency),
        )
    template = (
        "mastery/_student_competency.html" if request.htmx else "mastery/student_competency.html"
    )
    response = render(request, template, context, status=status_code)
    # The same address answers a panel (htmx) or a whole page; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@takes_uploads
@login_required
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def student_competency_page(
    request: HttpRequest, student_id: str, competency_id: str
) -> HttpResponse:
    """A student's evidence on one competency, with the rating form for those who may rate."""
    student = student_get(user=request.user, student_id=student_id)
    competency = competency_get(user=request.user, competency_id=competency_id)
    section = section_from_query(request)
    may_rate = can_rate(request.user, student, EvidenceSource.OBSERVATION)
    if request.method == "GET":
        audit.record_views(
            actor=request.user,
            action=audit.EVIDENCE_VIEWED,
            students=[student],
            data={"competency": competency.code},
        )
        status = competency_status(student=student, competency=competency)
        form = (
            RatingForm(competency=competency, working_stage=status.working_stage)
            if may_rate
            else None
        )
        return _render_student_competency(
            request,
            student=student,
            competency=competency,
            status=status,
            section=section,
            form=form,
        )

    if not may_rate:
        raise Http404(_("No student you may rate."))
    status = competency_status(student=student, competency=competency)
    form = RatingForm(
        request.POST, request.FILES, competency=competency, working_stage=status.working_stage
    )
    if form.is_valid():
        try:
            evidence = evidence_record(
                assessor=request.user,
                student=student,
                competency=competency,
                **form.rating(),
            )
        except InvalidInput as bad:
            form.add_service_errors(bad.errors)
        else:
            if not request.htmx:
                messages.success(request, _("Rating saved."))
                return redirect(evidence_url(student, competency, section))
            fresh = competency_status(student=student, competency=competency)
            return _render_student_competency(
                request,
                student=student,
                competency=competency,
                status=fresh,
                section=section,
                form=RatingForm(competency=competency, working_stage=fresh.working_stage),
                saved=evidence,
            )
    return _render_student_competency(
        request,
        student=student,
        competency=competency,
        status=status,
        section=section,
        form=form,
        status_code=422,
    )


@login_required
@require_safe
@not_visible_is_404
def student_page(request: HttpRequest, student_id: str) -> HttpResponse:
    """Every competency of one student: trajectory, where they are, what is next, and why."""
    as_of_form = AsOfForm(request.GET or None)
    as_of = as_of_form.cleaned_data["as_of"] if as_of_form.is_valid() else None
    student, statuses = student_mastery(user=request.user, student_id=student_id, as_of=as_of)
    audit.record_views(
        actor=request.user,
        action=audit.STUDENT_VIEWED,
        students=[student],
        data={"as_of": as_of.isoformat()} if as_of else None,
    )
    evidence = list(evidence_of(student=student, as_of=as_of))
    if not sees_teacher_feedback(request.user, student):
        evidence = without_teacher_feedback(evidence)
    by_competency: dict[int, list[Evidence]] = {}
    for row in evidence:
        by_competency.setdefault(row.competency_id, []).append(row)
    # Pace as it stood on the day shown: the same reading, over the work observed by then.
    paces = competency_paces(
        student=student, competencies=[s.competency for s in statuses], today=as_of
    )
    panels = [
        competency_panel(s, by_competency.get(s.competency.pk, []), paces.get(s.competency.pk))
        for s in statuses
    ]
    frameworks = [
        (framework, list(group))
        for framework, group in groupby(panels, key=lambda panel: panel.status.competency.framework)
    ]
    may_rate = can_rate(request.user, student, EvidenceSource.OBSERVATION)
    if guardian_of(request.user, student) and not may_rate and request.GET.get("full") != "1":
        # A family reads a short page in their own words; the whole page is one link away.
        return render(
            request,
            "mastery/student_family.html",
            {
                "student": student,
                "lines": [
                    (panel, track_of(panel.pace), track_label(track_of(panel.pace)))
                    for panel in panels
                ],
            },
        )
    return render(
        request,
        "mastery/student.html",
        {
            "student": student,
            "frameworks": frameworks,
            "as_of": as_of,
            "as_of_form": as_of_form,
            "may_rate": may_rate,
            "is_self": request.user.pk == student.pk,
            # The admins who answer for the student's whole record: export and erasure.
            "keeps_records": keeps_records_of(request.user, student),
        },
    )
