"""How mastery reads on a page: the view-models the mastery pages render, made from the
statuses and evidence the selectors return — gradebook cells, the stages of a trajectory,
evidence rows and a competency's panel, and the words and addresses they carry."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from proficio.engine import format_score
from proficio.evidence.api import Evidence
from proficio.frameworks.api import Competency, Scale, ScaleLevel
from proficio.mastery.forms import level_text
from proficio.mastery.pace import PACE_FILTERS, PACE_LABELS, Pace
from proficio.mastery.selectors import CompetencyStatus, Gradebook, GradebookCell, StageStatus
from proficio.people.api import Person, Section

# Float arithmetic can land a hair under a level (1.9999999 for 2); that still reads as the level.
TOLERANCE = 1e-9


# ---- levels and words -----------------------------------------------------------------------


def levels_of(competency: Competency) -> list[ScaleLevel]:
    return list(competency.effective_scale.levels.all())


def level_named(levels: Iterable[ScaleLevel], value: Decimal | None) -> ScaleLevel | None:
    """The scale level with exactly this value (a rating is always on the scale)."""
    return next((level for level in levels if level.value == value), None)


def level_reached(levels: list[ScaleLevel], value: float) -> ScaleLevel | None:
    """The highest level a computed value has reached: 2.65 on a 1–4 scale reads "2 Developing"."""
    reached = [level for level in levels if float(level.value) <= value + TOLERANCE]
    return reached[-1] if reached else (levels[0] if levels else None)


def level_words(competency: Competency, value: Decimal) -> str:
    """A rating in words with its level's label: "3 Proficient"."""
    level = level_named(levels_of(competency), value)
    return f"{level_text(value)} {level.label}" if level else level_text(value)


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


# ---- the gradebook --------------------------------------------------------------------------


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


def gradebook_rows(
    book: Gradebook,
    section: Section,
    students: list[Person],
    competencies: list[Competency],
    picked: set[tuple[int, int]] | None,
) -> list[tuple[Person, list[Cell]]]:
    """Each student's cells; `picked`, the (student id, competency id) pairs a pace filter
    chose (None: no filter), leaves the other cells dimmed."""
    return [
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


def pace_chips(matching: Mapping[str, set[tuple[int, int]]], chosen: str) -> list[PaceChip]:
    """One chip per pace filter, with the students it picks; `chosen` is the current one."""
    return [
        PaceChip(
            key=key,
            label=str(PACE_LABELS[key]),
            students=len({student_id for student_id, _ in matching[key]}),
            current=key == chosen,
        )
        for key in PACE_FILTERS
    ]


def scale_legends(
    competencies: list[Competency],
) -> list[tuple[Scale, list[tuple[ScaleLevel, str]]]]:
    """Each scale the competencies are rated on, once, with its levels in words."""
    scales = {competency.effective_scale.pk: competency for competency in competencies}
    return [
        (
            competency.effective_scale,
            [(level, level_text(level.value)) for level in levels_of(competency)],
        )
        for competency in scales.values()
    ]


# ---- a student's competency -----------------------------------------------------------------


@dataclass(frozen=True)
class StageRow:
    """One stage of a trajectory as a page lists it: its status, state and value in words."""

    status: StageStatus
    state: str  # "mastered", "implied", "working" or "ahead"
    value_text: str


def stage_rows(status: CompetencyStatus) -> list[StageRow]:
    def state(stage: StageStatus) -> str:
        if stage.implied:
            return "implied"
        if stage.mastered:
            return "mastered"
        return "working" if stage.stage.ordinal == status.working_stage else "ahead"

    mastery_value = status.competency.effective_scale.mastery_value
    return [
        StageRow(stage, state(stage), result_text(stage, mastery_value)) for stage in status.stages
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
class CompetencyPanel:
    """One competency of a student as a page shows it: where they stand, in a phrase and
    stage by stage, with the evidence behind it and their pace."""

    status: CompetencyStatus
    phrase: str
    stages: list[StageRow]
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


def competency_panel(
    status: CompetencyStatus, evidence: list[Evidence], pace: Pace | None = None
) -> CompetencyPanel:
    return CompetencyPanel(
        status=status,
        phrase=progress_phrase(status),
        stages=stage_rows(status),
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
