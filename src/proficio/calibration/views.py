"""Pages of the exemplar library: browsing by competency, stage and level; proposing work as
an exemplar and a second person's confirmation; a student's "what high-quality work looks
like"; and practice on a competency's exemplars before rating it."""

from decimal import Decimal, InvalidOperation
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proficio.calibration.anonymise import identifiers_of, scrub
from proficio.calibration.forms import ConfirmForm, ExemplarForm
from proficio.calibration.permissions import (
    is_staff,
    may_confirm_exemplar,
    may_withdraw_exemplar,
)
from proficio.calibration.selectors import (
    exemplar_file_get,
    exemplar_get,
    exemplar_library,
    exemplars_visible_to,
    practice_rounds_of,
)
from proficio.calibration.services import (
    exemplar_confirm,
    exemplar_propose,
    exemplar_withdraw,
    practice_submit,
)
from proficio.calibration.statistics import Levels
from proficio.calibration.viewing import staff_only, work_read
from proficio.frameworks.api import competency_get, competency_list_visible_to
from proficio.lib.errors import InvalidInput
from proficio.lib.http.body_limit import takes_uploads
from proficio.lib.http.kept_files import kept_file_response
from proficio.lib.visibility import not_visible_is_404
from proficio.mastery.api import students_mastery
from proficio.people.api import Role, roles_of, students_visible_to
from proficio.work.api import handed_in_get


def _number(value: str | None, kind=int):
    """A whole number or a finite decimal from a query or form, else None."""
    try:
        found = kind(value) if value else None
    except (ValueError, InvalidOperation):
        return None
    if isinstance(found, Decimal) and not found.is_finite():
        return None
    return found


@require_safe
@login_required
def library(request: HttpRequest) -> HttpResponse:
    """The district's exemplars by competency, stage and level; those awaiting a second
    person's confirmation first."""
    staff_only(request.user)
    competencies = list(competency_list_visible_to(request.user))
    chosen = next((c for c in competencies if str(c.uuid) == request.GET.get("competency")), None)
    stage = _number(request.GET.get("stage"))
    level = _number(request.GET.get("level"), Decimal)
    exemplars = list(
        exemplar_library(
            user=request.user,
            competency_id=chosen.pk if chosen else None,
            stage=stage,
            level=level,
        )
    )
    levels = Levels()
    return render(
        request,
        "calibration/library.html",
        {
            "competencies": competencies,
            "chosen": chosen,
            "stage": stage,
            "level": level,
            "level_choices": levels.of(chosen) if chosen else [],
            "groups": _by_competency_and_stage(exemplars, levels),
            "awaiting": list(exemplar_library(user=request.user, awaiting=True)),
            "count": len(exemplars),
        },
    )


def _by_competency_and_stage(exemplars, levels: Levels) -> list[dict]:
    groups = []
    for (competency, stage), inside in groupby(exemplars, key=lambda e: (e.competency, e.stage)):
        groups.append(
            {
                "competency": competency,
                "stage": stage,
                "exemplars": [(e, levels.label(competency, e.level)) for e in inside],
            }
        )
    return groups


@require_safe
@login_required
@not_visible_is_404
def exemplar_page(request: HttpRequest, exemplar_id: str) -> HttpResponse:
    exemplar = exemplar_get(user=request.user, exemplar_id=exemplar_id)
    return _exemplar_page(request, exemplar, ConfirmForm())


def _exemplar_page(request, exemplar, confirm_form, status=200) -> HttpResponse:
    return render(
        request,
        "calibration/exemplar.html",
        {
            "exemplar": exemplar,
            "level_label": Levels().label(exemplar.competency, exemplar.level),
            "statements": list(exemplar.statements.all()),
            "files": list(exemplar.files.all()),
            "unread": [kept for kept in exemplar.files.all() if not kept.read_for_names],
            "staff": is_staff(request.user),
            "may_confirm": may_confirm_exemplar(request.user, exemplar),
            "may_withdraw": may_withdraw_exemplar(request.user, exemplar),
            "confirm_form": confirm_form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@takes_uploads
@not_visible_is_404
def exemplar_new(request: HttpRequest) -> HttpResponse:
    """Propose work as an exemplar: a handed-in revision (?revision=), or a text or file."""
    staff_only(request.user)
    revision_id = request.GET.get("revision") or request.POST.get("revision")
    revision = handed_in_get(user=request.user, revision_id=revision_id) if revision_id else None
    competencies = list(competency_list_visible_to(request.user))
    initial = {}
    preview = ""
    if revision is not None:
        student = revision.submission.student
        preview = scrub(revision.text, identifiers_of(student))
        alignment = revision.submission.task.alignments.select_related("stage__competency").first()
        if alignment is not None:
            initial = {
                "competency": str(alignment.stage.competency.uuid),
                "stage": alignment.stage.ordinal,
            }
    form = ExemplarForm(
        request.POST or None,
        request.FILES or None,
        competencies=competencies,
        from_revision=revision is not None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            exemplar = exemplar_propose(
                actor=request.user,
                revision=revision,
                student=None if revision else _student_named(request.user, form),
                **form.exemplar(),
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
        else:
            messages.success(
                request, _("Proposed. A colleague confirms the anonymisation before it is shared.")
            )
            return redirect("calibration:exemplar", exemplar_id=exemplar.uuid)
    elif revision is not None:
        work_read(request.user, revision.submission.student, "exemplar proposal")
    return render(
        request,
        "calibration/exemplar_form.html",
        {
            "form": form,
            "revision": revision,
            "preview": preview,
            "files": list(revision.files.all()) if revision else [],
        },
        status=422 if request.method == "POST" else 200,
    )


def _student_named(user, form: ExemplarForm):
    """The student whose text or file it is, by username, among those the user may see."""
    username = form.cleaned_data.get("student", "").strip()
    return students_visible_to(user).filter(username=username).first() if username else None


@require_POST
@login_required
@not_visible_is_404
def exemplar_confirm_view(request: HttpRequest, exemplar_id: str) -> HttpResponse:
    exemplar = exemplar_get(user=request.user, exemplar_id=exemplar_id)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        exemplar_confirm(
            actor=request.user,
            exemplar=exemplar,
            anonymised=bool(form.cleaned_data.get("anonymised")),
        )
    except InvalidInput as invalid:
        form.add_service_errors(invalid.errors)
        return _exemplar_page(request, exemplar, form, status=422)
    messages.success(request, _("Published: the exemplar is in the library."))
    return redirect("calibration:exemplar", exemplar_id=exemplar.uuid)


@require_POST
@login_required
@not_visible_is_404
def exemplar_withdraw_view(request: HttpRequest, exemplar_id: str) -> HttpResponse:
    exemplar = exemplar_get(user=request.user, exemplar_id=exemplar_id)
    exemplar_withdraw(actor=request.user, exemplar=exemplar)
    messages.success(request, _("Withdrawn: the exemplar is no longer shown."))
    return redirect("calibration:library")


@require_safe
@login_required
@not_visible_is_404
def exemplar_file(request: HttpRequest, file_id: str) -> HttpResponse:
    kept = exemplar_file_get(user=request.user, file_id=file_id)
    return kept_file_response(
        request,
        kept.file.open("rb"),
        size=kept.size,
        content_type=kept.content_type,
        name=kept.name,
    )


@require_safe
@login_required
def examples(request: HttpRequest) -> HttpResponse:
    """For a student: exemplars of the stage they work at in each competency, and of the
    next one — what high-quality work looks like."""
    if Role.STUDENT not in roles_of(request.user):
        raise Http404("This page is a student's own.")
    working = {
        status.competency.pk: status.working_stage
        for status in students_mastery(students=[request.user], explained=False)[request.user.pk]
    }
    found = (
        exemplars_visible_to(request.user)
        .select_related("competency", "stage")
        .prefetch_related("files", "statements")
        .order_by("competency__code", "stage__ordinal", "-level", "pk")
    )
    levels = Levels()
    groups = []
    for competency, inside in groupby(found, key=lambda e: e.competency):
        groups.append(
            {
                "competency": competency,
                "working": working.get(competency.pk),
                "exemplars": [(e, levels.label(competency, e.level)) for e in inside],
            }
        )
    return render(request, "calibration/examples.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
@login_required
@not_visible_is_404
def practice(request: HttpRequest, competency_id: str) -> HttpResponse:
    """Calibrate before you rate: rate a competency's exemplars, then see how close you came."""
    staff_only(request.user)
    competency = competency_get(user=request.user, competency_id=competency_id)
    exemplars = list(
        exemplar_library(user=request.user, competency_id=competency.pk).order_by("?")[:6]
        if request.method == "GET"
        else exemplar_library(user=request.user, competency_id=competency.pk)
    )
    levels = Levels()
    result, rows = None, []
    errors = {}
    if request.method == "POST":
        answers = {}
        for exemplar in exemplars:
            value = _number(request.POST.get(f"level-{exemplar.uuid}"), Decimal)
            if value is not None:
                answers[exemplar] = value
        try:
            result = practice_submit(actor=request.user, competency=competency, answers=answers)
        except InvalidInput as invalid:
            errors = invalid.errors
        else:
            rated = {answer["exemplar"]: answer for answer in result.answers}
            exemplars = [e for e in exemplars if str(e.uuid) in rated]
            rows = [
                (
                    e,
                    rated[str(e.uuid)],
                    levels.label(competency, Decimal(rated[str(e.uuid)]["level"])),
                    levels.label(competency, e.level),
                    abs(rated[str(e.uuid)]["difference"]),
                )
                for e in exemplars
            ]
    return render(
        request,
        "calibration/practice.html",
        {
            "competency": competency,
            "exemplars": exemplars,
            "levels": levels.of(competency),
            "result": result,
            "rows": rows,
            "errors": errors,
            "rounds": list(
                practice_rounds_of(user=request.user, competency_ids=[competency.pk])[:5]
            ),
        },
        status=422 if errors else 200,
    )
