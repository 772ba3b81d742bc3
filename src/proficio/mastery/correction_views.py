"""Correcting a rating and withdrawing one recorded in error, from the evidence panel. Both
append a record that supersedes the rating; nothing is edited or deleted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from proficio.audit import api as audit
from proficio.evidence.api import Evidence
from proficio.frameworks.api import competency_get
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.visibility import not_visible_is_404
from proficio.mastery.forms import CorrectionForm, WithdrawalForm
from proficio.mastery.presenters import evidence_url, level_words
from proficio.mastery.selectors import evidence_correctable_get
from proficio.mastery.services import evidence_record, evidence_withdraw
from proficio.mastery.views import section_from_query
from proficio.people.api import student_get


def _rating(request: HttpRequest, student_id: str, competency_id: str, evidence_id: str):
    """The student, competency and current rating this user may correct; NotVisible else."""
    student = student_get(user=request.user, student_id=student_id)
    competency = competency_get(user=request.user, competency_id=competency_id)
    original = evidence_correctable_get(user=request.user, evidence_id=evidence_id)
    if original.student_id != student.pk or original.competency_id != competency.pk:
        raise NotVisible(f"No rating {evidence_id}.")
    if request.method == "GET":
        audit.record_views(
            actor=request.user,
            action=audit.EVIDENCE_VIEWED,
            students=[student],
            data={"competency": competency.code, "rating": str(original.uuid)},
        )
    return student, competency, original


def _page(request: HttpRequest, original: Evidence, form, *, withdrawing: bool, status=200):
    student, competency = original.student, original.competency
    section = section_from_query(request)
    return render(
        request,
        "mastery/evidence_correction.html",
        {
            "student": student,
            "competency": competency,
            "original": original,
            "original_level": level_words(competency, original.level),
            "form": form,
            "withdrawing": withdrawing,
            "back": evidence_url(student, competency, section),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def evidence_correct_page(
    request: HttpRequest, student_id: str, competency_id: str, evidence_id: str
) -> HttpResponse:
    """A corrected rating in place of one, with the reason; the form starts from the original."""
    student, competency, original = _rating(request, student_id, competency_id, evidence_id)
    if request.method == "GET":
        return _page(request, original, CorrectionForm(original=original), withdrawing=False)
    form = CorrectionForm(request.POST, original=original)
    if form.is_valid():
        try:
            evidence_record(
                assessor=request.user,
                student=student,
                competency=competency,
                **form.rating(),
                supersedes=original,
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as bad:
            form.add_service_errors(bad.errors)
        else:
            messages.success(request, _("Correction saved: it replaces the earlier rating."))
            return redirect(evidence_url(student, competency, section_from_query(request)))
    return _page(request, original, form, withdrawing=False, status=422)


@login_required
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def evidence_withdraw_page(
    request: HttpRequest, student_id: str, competency_id: str, evidence_id: str
) -> HttpResponse:
    """Withdraw a rating recorded in error, with the reason: it no longer counts."""
    student, competency, original = _rating(request, student_id, competency_id, evidence_id)
    if request.method == "GET":
        return _page(request, original, WithdrawalForm(), withdrawing=True)
    form = WithdrawalForm(request.POST)
    if form.is_valid():
        try:
            evidence_withdraw(
                actor=request.user, evidence=original, reason=form.cleaned_data["reason"]
            )
        except InvalidInput as bad:
            form.add_service_errors(bad.errors)
        else:
            messages.success(
                request, _("Rating withdrawn: it stays in the history but no longer counts.")
            )
            return redirect(evidence_url(student, competency, section_from_query(request)))
    return _page(request, original, form, withdrawing=True, status=422)
