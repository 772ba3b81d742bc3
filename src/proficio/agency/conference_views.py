"""Pages of student-led conferences: the student's list and drafting, a conference's page
(the agenda; the student's edits and sharing; recording it; acknowledging; the family's
note), the full-screen presentation and the script to rehearse."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from proficio.agency.conferences import (
    conference_acknowledge,
    conference_draft,
    conference_edit,
    conference_get,
    conference_record,
    conference_share,
    conferences_of,
    family_note_add,
    may_record,
    next_step_to_goal,
)
from proficio.agency.forms import ConferenceForm, FamilyNoteForm, RecordForm
from proficio.agency.pdf import conference_pdf
from proficio.agency.selectors import portfolio_of
from proficio.agency.viewing import record_view, student_only
from proficio.lib.errors import InvalidInput
from proficio.lib.visibility import not_visible_is_404
from proficio.people.api import guardian_of, is_self, student_get


@require_safe
@login_required
def my_conferences(request: HttpRequest) -> HttpResponse:
    student_only(request.user)
    return _list(request, request.user)


@require_safe
@login_required
@not_visible_is_404
def student_conferences(request: HttpRequest, student_id: str) -> HttpResponse:
    student = student_get(user=request.user, student_id=student_id)
    record_view(request.user, student, "conference")
    return _list(request, student)


def _list(request: HttpRequest, student) -> HttpResponse:
    return render(
        request,
        "agency/conferences.html",
        {
            "student": student,
            "own": is_self(request.user, student),
            "conferences": conferences_of(user=request.user, student=student),
        },
    )


@require_POST
@login_required
def conference_new(request: HttpRequest) -> HttpResponse:
    """The student asks Proficio to draft their next conference."""
    student_only(request.user)
    conference = conference_draft(student=request.user)
    messages.success(request, _("Your agenda is drafted from your record: make it yours."))
    return redirect("agency:conference", conference_id=conference.uuid)


def _page(request, conference, *, form=None, record_form=None, note_form=None, status=200):
    student = conference.student
    own = is_self(request.user, student)
    if own and form is None and conference.held_at is None:
        form = ConferenceForm(
            pieces=portfolio_of(user=request.user, student=student),
            initial={
                "pieces": [str(p.uuid) for p in conference.pieces.all()],
                "script": conference.script,
                "questions": conference.questions,
                "scheduled_for": conference.scheduled_for,
            },
        )
    participant = next(
        (p for p in conference.participants.all() if p.person_id == request.user.pk), None
    )
    return render(
        request,
        "agency/conference.html",
        {
            "conference": conference,
            "student": student,
            "own": own,
            "agenda": conference.agenda,
            "form": form,
            "record_form": record_form
            or (
                RecordForm(
                    initial={
                        "notes": conference.notes,
                        "next_steps": "\n".join(s.text for s in conference.next_steps.all()),
                    }
                )
                if may_record(request.user, conference)
                else None
            ),
            "participant": participant,
            "note_form": note_form
            or (FamilyNoteForm() if guardian_of(request.user, student) else None),
        },
        status=status,
    )


@require_safe
@login_required
@not_visible_is_404
def conference_page(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = conference_get(user=request.user, conference_id=conference_id)
    record_view(request.user, conference.student, "conference")
    return _page(request, conference)


@require_POST
@login_required
@not_visible_is_404
def conference_edit_view(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = conference_get(user=request.user, conference_id=conference_id)
    if not is_self(request.user, conference.student):
        raise Http404("Only the student edits their agenda.")
    form = ConferenceForm(
        request.POST, pieces=portfolio_of(user=request.user, student=request.user)
    )
    if form.is_valid():
        try:
            conference_edit(student=request.user, conference=conference, **form.chosen())
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            if request.POST.get("share") == "1":
                conference_share(student=request.user, conference=conference)
                messages.success(request, _("Shared: the people coming can read your agenda."))
            else:
                messages.success(request, _("Saved."))
            return redirect("agency:conference", conference_id=conference.uuid)
    return _page(request, conference, form=form, status=422)


@require_POST
@login_required
@not_visible_is_404
def conference_record_view(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = conference_get(user=request.user, conference_id=conference_id)
    if not may_record(request.user, conference):
        raise Http404("Only the student and their staff record the conference.")
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            conference_record(
                actor=request.user,
                conference=conference,
                notes=form.cleaned_data["notes"],
                next_steps=form.cleaned_data["next_steps"].splitlines(),
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("The conference is recorded."))
            return redirect("agency:conference", conference_id=conference.uuid)
    return _page(request, conference, record_form=form, status=422)


@require_POST
@login_required
@not_visible_is_404
def conference_acknowledge_view(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = conference_get(user=request.user, conference_id=conference_id)
    try:
        conference_acknowledge(participant=request.user, conference=conference)
    except InvalidInput as invalid:
        messages.error(request, next(iter(invalid.errors.values())))
    else:
        messages.success(request, _("Thank you: your acknowledgement is recorded."))
    return redirect("agency:conference", conference_id=conference.uuid)


@require_POST
@login_required
@not_visible_is_404
def family_note_view(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = conference_get(user=request.user, conference_id=conference_id)
    form = FamilyNoteForm(request.POST)
    if form.is_valid():
        try:
            family_note_add(
                guardian=request.user, conference=conference, text=form.cleaned_data["text"]
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(request, _("Your note is kept with the conference."))
            return redirect("agency:conference", conference_id=conference.uuid)
    return _page(request, conference, note_form=form, status=422)


@require_POST
@login_required
@not_visible_is_404
def next_step_goal_view(request: HttpRequest, conference_id: str, step_id: int) -> HttpResponse:
    conference = conference_get(user=request.user, conference_id=conference_id)
    step = next((s for s in conference.next_steps.all() if s.pk == step_id), None)
    if step is None:
        raise Http404("No such next step.")
    goal = next_step_to_goal(actor=request.user, step=step)
    messages.success(request, _("It is a goal now."))
    return redirect("agency:goal", goal_id=goal.uuid)


@require_safe
@login_required
@not_visible_is_404
def conference_present(request: HttpRequest, conference_id: str) -> HttpResponse:
    """The agenda as full-screen slides the student presents from, on any screen or phone."""
    conference = conference_get(user=request.user, conference_id=conference_id)
    record_view(request.user, conference.student, "conference")
    return render(
        request,
        "agency/conference_present.html",
        {"conference": conference, "student": conference.student, "agenda": conference.agenda},
    )


@require_safe
@login_required
@not_visible_is_404
def conference_script(request: HttpRequest, conference_id: str) -> HttpResponse:
    """The student's script beside the agenda, to rehearse."""
    conference = conference_get(user=request.user, conference_id=conference_id)
    if not is_self(request.user, conference.student):
        raise Http404("The script is the student's.")
    return render(
        request,
        "agency/conference_script.html",
        {"conference": conference, "student": conference.student, "agenda": conference.agenda},
    )


@require_safe
@login_required
@not_visible_is_404
def conference_pdf_view(request: HttpRequest, conference_id: str) -> HttpResponse:
    """The conference as a PDF to print."""
    conference = conference_get(user=request.user, conference_id=conference_id)
    record_view(request.user, conference.student, "conference")
    # Closed by the response once sent (FileResponse closes its file), so no `with` here.
    document = tempfile.TemporaryFile()  # noqa: SIM115
    conference_pdf(conference=conference, destination=document)
    document.seek(0)
    day = timezone.localdate(conference.scheduled_for or conference.drafted_at)
    name = f"conference-{conference.student.username}-{day:%Y-%m-%d}.pdf"
    response = FileResponse(document, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response
