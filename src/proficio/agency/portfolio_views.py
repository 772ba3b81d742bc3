"""Pages of the portfolio: the student's own (a baseline prompt, growth per competency, the
pieces), read by staff and by guardians (what the student shares); adding, changing and
removing a piece; a piece's file; the portfolio as a zip."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.agency.archive import portfolio_zip
from proficio.agency.forms import PieceChangeForm, PieceForm
from proficio.agency.pdf import portfolio_pdf
from proficio.agency.selectors import baseline_due, growth_pairs, piece_get, portfolio_of
from proficio.agency.services import piece_add, piece_change, piece_remove
from proficio.agency.viewing import record_view, student_only
from proficio.evidence.api import EvidenceSource, evidence_standing
from proficio.frameworks.api import competency_list_visible_to
from proficio.lib.errors import InvalidInput
from proficio.lib.http.body_limit import takes_uploads
from proficio.lib.http.kept_files import kept_file_response
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import is_self, school_year_start, student_get
from proficio.work.api import revisions_of_student

RATINGS_OFFERED = 100


@require_safe
@login_required
def my_portfolio(request: HttpRequest) -> HttpResponse:
    student_only(request.user)
    return _portfolio_page(request, request.user)


@require_safe
@login_required
@not_visible_is_404
def student_portfolio(request: HttpRequest, student_id: str) -> HttpResponse:
    student = student_get(user=request.user, student_id=student_id)
    record_view(request.user, student, "portfolio")
    return _portfolio_page(request, student)


def _portfolio_page(request: HttpRequest, student) -> HttpResponse:
    pieces = portfolio_of(user=request.user, student=student)
    start = school_year_start(district_id=student.district_id, on=timezone.localdate())
    own = is_self(request.user, student)
    return render(
        request,
        "agency/portfolio.html",
        {
            "student": student,
            "own": own,
            "pieces": pieces,
            "growth": growth_pairs(pieces, year_start=start),
            "baseline_due": own and baseline_due(pieces, year_start=start),
            "year_start": start,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@takes_uploads
def piece_new(request: HttpRequest) -> HttpResponse:
    """The student adds a piece."""
    student_only(request.user)
    student = request.user
    ratings = list(
        evidence_standing()
        .filter(student=student)
        .exclude(source=EvidenceSource.SELF)
        .select_related("competency", "stage")
        .order_by("-observed_at", "-pk")[:RATINGS_OFFERED]
    )
    form = PieceForm(
        request.POST or None,
        request.FILES or None,
        revisions=revisions_of_student(student),
        evidence=ratings,
        competencies=list(competency_list_visible_to(student)),
        initial={"baseline": request.GET.get("baseline") == "1"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            piece = piece_add(student=student, **form.piece())
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("Added to your portfolio."))
            return redirect("agency:piece", piece_id=piece.uuid)
    status = 422 if request.method == "POST" else 200
    return render(request, "agency/piece_form.html", {"form": form}, status=status)


@require_safe
@login_required
@not_visible_is_404
def piece_page(request: HttpRequest, piece_id: str) -> HttpResponse:
    piece = piece_get(user=request.user, piece_id=piece_id)
    own = is_self(request.user, piece.student)
    record_view(request.user, piece.student, "portfolio")
    form = (
        PieceChangeForm(
            initial={
                "reflection": piece.reflection,
                "shared_with_family": piece.shared_with_family,
            }
        )
        if own
        else None
    )
    return render(
        request,
        "agency/piece.html",
        {"piece": piece, "student": piece.student, "own": own, "form": form},
    )


@require_POST
@login_required
@not_visible_is_404
def piece_change_view(request: HttpRequest, piece_id: str) -> HttpResponse:
    piece = piece_get(user=request.user, piece_id=piece_id)
    if not is_self(request.user, piece.student):
        raise Http404("Only the student changes their portfolio.")
    form = PieceChangeForm(request.POST)
    if form.is_valid():
        try:
            piece_change(student=request.user, piece=piece, **form.cleaned_data)
        except InvalidInput as invalid:
            messages.error(request, next(iter(invalid.errors.values())))
        else:
            messages.success(request, _("Saved."))
    return redirect("agency:piece", piece_id=piece.uuid)


@require_POST
@login_required
@not_visible_is_404
def piece_remove_view(request: HttpRequest, piece_id: str) -> HttpResponse:
    piece = piece_get(user=request.user, piece_id=piece_id)
    if not is_self(request.user, piece.student):
        raise Http404("Only the student changes their portfolio.")
    piece_remove(student=request.user, piece=piece)
    messages.success(request, _("Taken out of your portfolio. The work itself is kept."))
    return redirect("agency:portfolio")


@require_safe
@login_required
@not_visible_is_404
def piece_file(request: HttpRequest, piece_id: str) -> HttpResponse:
    """A piece's own file, for whoever may see the piece."""
    piece = piece_get(user=request.user, piece_id=piece_id)
    if not piece.file:
        raise Http404("This piece has no file of its own.")
    record_view(request.user, piece.student, "portfolio file")
    return kept_file_response(
        request,
        piece.file.open("rb"),
        size=piece.size or piece.file.size,
        content_type=piece.content_type,
        name=piece.file_name,
    )


@require_safe
@login_required
@not_visible_is_404
def portfolio_download(request: HttpRequest, student_id: str) -> HttpResponse:
    """The portfolio as a zip: what the asker may see of it, with an index."""
    student = student_get(user=request.user, student_id=student_id)
    pieces = portfolio_of(user=request.user, student=student)
    record_view(request.user, student, "portfolio zip")
    # Closed by the response once sent (FileResponse closes its file), so no `with` here.
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    portfolio_zip(pieces, archive, owner=student.display_name)
    archive.seek(0)
    name = f"portfolio-{student.username}-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(archive, as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
@not_visible_is_404
def portfolio_pdf_view(request: HttpRequest, student_id: str) -> HttpResponse:
    """The portfolio as a PDF to print: the pieces the asker may see."""
    student = student_get(user=request.user, student_id=student_id)
    pieces = portfolio_of(user=request.user, student=student)
    record_view(request.user, student, "portfolio pdf")
    # Closed by the response once sent (FileResponse closes its file), so no `with` here.
    document = tempfile.TemporaryFile()  # noqa: SIM115
    portfolio_pdf(student=student, pieces=pieces, destination=document)
    document.seek(0)
    name = f"portfolio-{student.username}-{timezone.localdate():%Y-%m-%d}.pdf"
    response = FileResponse(document, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response
