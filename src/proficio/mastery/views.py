"""Pages for mastery: the section gradebook, one student's evidence on one competency, and
the student page. Every object comes through a selector scoped to the signed-in person."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from proficio.engine import format_score
from proficio.evidence.api import Evidence, EvidenceSource, evidence_of
from proficio.frameworks.api import Competency, ScaleLevel, competency_get
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.visibility import not_visible_is_404
from proficio.mastery.forms import AsOfForm, RatingForm, level_text
from proficio.mastery.pace import PACE_FILTERS, PACE_LABELS, Pace, matching_cells, student_pace
from proficio.mastery.permissions import can_rate
from proficio.mastery.selectors import (
    CompetencyStatus,
    GradebookCell,
    StageStatus,
    evidence_for,
    gradebook,
    mastery_history,
    student_mastery,
)
from proficio.mastery.services import evidence_record
from proficio.people.api import Person, Section, section_served_get, student_get

# Float arithmetic can land a hair under a level (1.9999999 for 2); that still reads as the level.
TOLERANCE = 1e-9


# ---- how mastery reads on a page ------------------------------------------------------------


def levels_of(competency: Competency) -> list[ScaleLevel]:
    return list(competency.effective_scale.levels.all())


def level_named(levels: Iterable[ScaleLevel], value: Decimal | None) -> ScaleLevel | None:
    """The scale level with exactly this value (a rating is always on the scale)."""
    return next((level for level in levels if level.value == value), None)


def level_reached(levels: list[ScaleLevel], value: float) -> ScaleLevel | None:
    """The highest level a computed value has reached: 2.65 on a 1–4 scale reads "2 Developing"."""
    reached = [level for level in levels if float(level.value) <= value + TOLERANCE]
    return reached[-1] if reached else (levels[0] if levels else None)


def progress_phrase(status: CompetencyStatus) -> str:
    """One line in growth language: "Developing at stage 3 of 6"."""
    total = len(status.competency.stages.all())
    if total == 0:
        return _("No stages described yet")
    if status.completed:
        return _("Completed all %(total)s stages") % {"total": total}
    working = status.working
    numbers = {"stage": status.working_stage, "total": total}
    if not any(stage.evidence_count for stage in status.stages):
        return _("Starting at stage %(stage)s of %(total)s — no ratings yet") % numbers
    if working is None or working.value is None:
        return _("Working at stage %(stage)s of %(total)s — no ratings at this stage yet") % numbers
    level = level_reached(levels_of(status.competency), working.value)
    phrase = _("%(label)s at stage %(stage)s of %(total)s") % {
        **numbers,
        "label": level.label if level else format_score(working.value),
    }
    if not working.sufficient:
        phrase += " — " + _("not enough evidence yet")
    return phrase


@dataclass(frozen=True)
class Cell:
    """One gradebook cell: where the student works and how the latest rating went."""

    dom_id: str
    href: str
    state: str  # "empty" (no record), "working", or "completed"
    working_stage: int | None
    latest_stage: int | None
    level: ScaleLevel | None
    level_text: str
    observed: date | None
    pace: Pace | None = None
    # Left out by the gradebook's pace filter: shown quietly, for context.
    dimmed: bool = False


@dataclass(frozen=True)
class PaceChip:
    """One of the gradebook's pace filters, with how many students it would show."""

    key: str
    label: str
    students: int
    current: bool


def cell_for(
    *, student: Person, competency: Competency, section: Section, record: GradebookCell | None
) -> Cell:
    href = evidence_url(student, competency, section)
    dom_id = cell_dom_id(student, competency)
    if record is None:
        return Cell(dom_id, href, "empty", None, None, None, "", None)
    level = level_named(levels_of(competency), record.latest_level)
    return Cell(
        dom_id=dom_id,
        href=href,
        state="completed" if record.working_stage is None else "working",
        working_stage=record.working_stage,
        latest_stage=record.latest_stage,
        level=level,
        level_text=level_text(record.latest_level) if record.latest_level is not None else "",
        observed=(
            timezone.localdate(record.latest_observed_at) if record.latest_observed_at else None
        ),
        pace=record.pace,
    )


@dataclass(frozen=True)
class StageView:
    status: StageStatus
    state: str  # "mastered", "implied", "working" or "ahead"
    value_text: str


def result_text(stage: StageStatus, mastery_value: Decimal | None) -> str:
    """A stage's value, with more decimals when rounding would lift an unmastered value to
    the mastery level (2.998 reads "2.998", not "3", next to "not yet")."""
    text = format_score(stage.value)
    if stage.mastered or stage.value is None or mastery_value is None:
        return text
    places = 2
    while float(text) >= float(mastery_value) > stage.value and places < 6:
        places += 1
        text = format_score(stage.value, places)
    return text


def stage_views(status: CompetencyStatus) -> list[StageView]:
    def state(stage: StageStatus) -> str:
        if stage.implied:
            return "implied"
        if stage.mastered:
            return "mastered"
        return "working" if stage.stage.ordinal == status.working_stage else "ahead"

    mastery_value = status.competency.effective_scale.mastery_value
    return [
        StageView(stage, state(stage), result_text(stage, mastery_value)) for stage in status.stages
    ]


@dataclass(frozen=True)
class EvidenceRow:
    evidence: Evidence
    level: ScaleLevel | None
    level_text: str
    corrected: bool


def evidence_rows(evidence: list[Evidence], levels: list[ScaleLevel]) -> list[EvidenceRow]:
    """Newest work first, each marked when a later correction replaced it."""
    replaced = {row.supersedes_id for row in evidence if row.supersedes_id}
    return [
        EvidenceRow(row, level_named(levels, row.level), level_text(row.level), row.pk in replaced)
        for row in reversed(evidence)
    ]


@dataclass(frozen=True)
class CompetencyView:
    status: CompetencyStatus
    phrase: str
    stages: list[StageView]
    evidence: list[EvidenceRow]
    pace: Pace | None = None

    @property
    def latest_next_step(self) -> str:
        """The newest "next step" feedback still standing (not replaced by a correction)."""
        return next(
            (
                row.evidence.feedback_next
                for row in self.evidence
                if row.evidence.feedback_next and not row.corrected
            ),
            "",
        )


def competency_view(
    status: CompetencyStatus, evidence: list[Evidence], pace: Pace | None = None
) -> CompetencyView:
    return CompetencyView(
        status=status,
        phrase=progress_phrase(status),
        stages=stage_views(status),
        evidence=evidence_rows(evidence, levels_of(status.competency)),
        pace=pace,
    )


# ---- addresses ------------------------------------------------------------------------------


def cell_dom_id(student: Person, competency: Competency) -> str:
    return f"cell-{student.uuid}-{competency.uuid}"


def evidence_url(student: Person, competency: Competency, section: Section | None) -> str:
    url = reverse(
        "mastery:student_competency",
        kwargs={"student_id": student.uuid, "competency_id": competency.uuid},
    )
    return f"{url}?{urlencode({'section': section.uuid})}" if section else url


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


@login_required
@require_safe
@not_visible_is_404
def gradebook_page(request: HttpRequest, section_id: str) -> HttpResponse:
    section = section_served_get(user=request.user, section_id=section_id)
    book = gradebook(user=request.user, section=section)
    chosen = request.GET.get("pace", "")
    matching = matching_cells({pair: cell.pace for pair, cell in book.cells.items() if cell.pace})
    picked = matching.get(chosen)  # None: no filter, or one we do not know
    students, competencies = book.students, book.competencies
    if picked is not None:
        # Only the students and competencies the filter picks, so the table stays small.
        student_ids = {student_id for student_id, _ in picked}
        competency_ids = {competency_id for _, competency_id in picked}
        students = [student for student in students if student.pk in student_ids]
        competencies = [c for c in competencies if c.pk in competency_ids]
    rows = [
        (
            student,
            [
                replace(
                    cell_for(
                        student=student,
                        competency=competency,
                        section=section,
                        record=book.cell(student, competency),
                    ),
                    dimmed=picked is not None and (student.pk, competency.pk) not in picked,
                )
                for competency in competencies
            ],
        )
        for student in students
    ]
    chips = [
        PaceChip(
            key=key,
            label=str(PACE_LABELS[key]),
            students=len({student_id for student_id, _ in matching[key]}),
            current=key == chosen,
        )
        for key in PACE_FILTERS
    ]
    scales = {competency.effective_scale.pk: competency for competency in book.competencies}
    legends = [
        (
            competency.effective_scale,
            [(level, level_text(level.value)) for level in levels_of(competency)],
        )
        for competency in scales.values()
    ]
    return render(
        request,
        "mastery/gradebook.html",
        {
            "section": section,
            "book": book,
            "rows": rows,
            "legends": legends,
            "competencies": competencies,
            "chips": chips,
            "pace_filter": PACE_LABELS[chosen] if picked is not None else "",
        },
    )


def _level_words(competency: Competency, value: Decimal) -> str:
    level = level_named(levels_of(competency), value)
    return f"{level_text(value)} {level.label}" if level else level_text(value)


def _competency_status(user: Person, student: Person, competency: Competency) -> CompetencyStatus:
    _, statuses = student_mastery(user=user, student_id=str(student.uuid))
    return next(status for status in statuses if status.competency.pk == competency.pk)


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
    evidence = evidence_for(user=request.user, student_id=str(student.uuid), competency=competency)
    context = {
        "student": student,
        "competency": competency,
        "section": section,
        "view": competency_view(
            status,
            evidence,
            student_pace(user=request.user, student_id=str(student.uuid)).get(competency.pk),
        ),
        "form": form,
        "saved": saved,
        "saved_level": _level_words(competency, saved.level) if saved else "",
        "cell_id": cell_dom_id(student, competency),
        "action": evidence_url(student, competency, section),
        "in_panel": bool(request.htmx),
        "history": mastery_history(
            user=request.user, student_id=str(student.uuid), competency_id=str(competency.uuid)
        ),
    }
    if request.htmx and saved and section:
        book = gradebook(user=request.user, section=section)
        context["cell"] = cell_for(
            student=student,
            competency=competency,
            section=section,
            record=book.cell(student, competency),
        )
    template = (
        "mastery/_student_competency.html" if request.htmx else "mastery/student_competency.html"
    )
    response = render(request, template, context, status=status_code)
    # The same address answers a panel (htmx) or a whole page; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


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
        status = _competency_status(request.user, student, competency)
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
    status = _competency_status(request.user, student, competency)
    form = RatingForm(request.POST, competency=competency, working_stage=status.working_stage)
    if form.is_valid():
        try:
            evidence = evidence_record(
                assessor=request.user,
                student=student,
                competency=competency,
                stage=form.cleaned_data["stage"],
                level=form.cleaned_data["level"],
                observed_at=form.observed_at(),
                source=form.cleaned_data["source"],
                feedback_present=form.cleaned_data["feedback_present"],
                feedback_next=form.cleaned_data["feedback_next"],
            )
        except InvalidInput as bad:
            form.add_service_errors(bad.errors)
        else:
            if not request.htmx:
                messages.success(request, _("Rating saved."))
                return redirect(evidence_url(student, competency, section))
            fresh = _competency_status(request.user, student, competency)
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
    evidence = list(evidence_of(student=student, as_of=as_of))
    by_competency: dict[int, list[Evidence]] = {}
    for row in evidence:
        by_competency.setdefault(row.competency_id, []).append(row)
    # Pace as it stood on the day shown: the same reading, over the work observed by then.
    paces = student_pace(user=request.user, student_id=student_id, today=as_of)
    views = [
        competency_view(s, by_competency.get(s.competency.pk, []), paces.get(s.competency.pk))
        for s in statuses
    ]
    frameworks = [
        (framework, list(group))
        for framework, group in groupby(views, key=lambda view: view.status.competency.framework)
    ]
    return render(
        request,
        "mastery/student.html",
        {
            "student": student,
            "frameworks": frameworks,
            "as_of": as_of,
            "as_of_form": as_of_form,
            "may_rate": can_rate(request.user, student, EvidenceSource.OBSERVATION),
            "is_self": request.user.pk == student.pk,
        },
    )
