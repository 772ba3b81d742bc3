"""How mastery reads on a page: the view-models the mastery pages render, made from the
statuses and evidence the selectors return — gradebook cells, the stages of a trajectory,
evidence rows and a competency's panel, and the words and addresses they carry."""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from proficio.engine import format_result, format_score
from proficio.engine.methods import KNOWLEDGE_TRACING
from proficio.evidence.api import Evidence, EvidenceSource
from proficio.frameworks.api import Competency, Scale, ScaleLevel
from proficio.lib.numbers import localized_decimals
from proficio.mastery.forms import level_text
from proficio.mastery.pace import PACE_FILTERS, PACE_LABELS, Pace
from proficio.mastery.selectors import CompetencyStatus, Gradebook, GradebookCell, StageStatus
from proficio.mastery.selectors.gradebook import STAGE_COMPLETED, STAGE_NONE, GradebookQuery
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
    if status.method == KNOWLEDGE_TRACING:
        # A chance of mastery reaches no level of the scale: say the chance instead.
        phrase = _("Working at stage %(stage)s of %(total)s — %(result)s") % {
            **numbers,
            "result": format_result(status.method, working.value),
        }
    else:
        level = level_reached(levels_of(status.competency), working.value)
        phrase = _("%(label)s at stage %(stage)s of %(total)s") % {
            **numbers,
            "label": level.label if level else format_score(working.value),
        }
    if not working.sufficient:
        phrase += " — " + _("not enough evidence yet")
    return phrase


def result_text(stage: StageStatus, mastery_value: Decimal | None, method: str = "") -> str:
    """A stage's value, with more decimals when rounding would lift an unmastered value to
    the mastery level (2.998 reads "2.998", not "3", next to "not yet"); knowledge tracing's
    as a chance ("87% likely mastered")."""
    if method == KNOWLEDGE_TRACING:
        return localized_decimals(format_result(method, stage.value))
    text = format_score(stage.value)
    if stage.mastered or stage.value is None or mastery_value is None:
        return localized_decimals(text)
    places = 2
    while float(text) >= float(mastery_value) > stage.value and places < 6:
        places += 1
        text = format_score(stage.value, places)
    return localized_decimals(text)


# ---- the gradebook --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One gradebook cell: where the student works, where that stage stands (the level its
    mastery value has reached, in colour and words), and the latest rating beside it."""

    dom_id: str
    href: str
    state: str  # "empty" (no record), "working", or "completed"
    working_stage: int | None
    latest_stage: int | None
    level: ScaleLevel | None  # the working stage's level reached; None before a rating there
    level_text: str  # the latest rating, "3"; "" when none
    observed: date | None
    pace: Pace | None = None
    # Left out by the gradebook's pace filter: shown quietly, for context.
    dimmed: bool = False

    @property
    def oob_html(self) -> SafeString:
        """The cell redrawn in place after a rating, marked as the one the panel shows."""
        return cell_markup(self, oob=True)


def pace_badge_markup(key: str, label: str, title: str = "") -> str:
    """A pace badge (the markup of _pace_badge.html, for the gradebook's cells): one word,
    the stall first; the standing beside a stall is in its reason, not in words that would
    read as a contradiction ("stalled · on pace")."""
    icon = {"stalled": "‖", "behind": "↓", "ahead": "↑"}.get(key, "→")
    title_attr = f' title="{escape(title)}"' if title else ""
    return (
        f'<span class="pace pace--{escape(key)}"{title_attr}>'
        f'<span class="pace__icon" aria-hidden="true">{icon}</span>'
        f"{escape(label)}</span>"
    )


class CellWriter:
    """Writes gradebook cells, their words translated once and each day's and each pace's
    markup made once for the page: translation lookups and date formatting per cell cost
    more than the rest of a cell together."""

    def __init__(self) -> None:
        self.no_ratings = escape(_("no ratings yet"))
        self.completed = escape(_("Completed"))
        self.stage = escape(_("Stage"))
        self.rated_at = escape(_("rated at stage"))
        self.latest = escape(_("latest"))
        self.not_rated_here = escape(_("not rated here yet"))
        self.pace = escape(_("Pace:"))
        self._titles: dict[date, str] = {}
        self._badges: dict[tuple[str | None, str | None, str], str] = {}

    def title(self, day: date) -> str:
        if day not in self._titles:
            words = _("Latest rating observed %(day)s") % {"day": dateformat.format(day, "j M Y")}
            self._titles[day] = f' title="{escape(words)}"'
        return self._titles[day]

    def badge(self, pace: Pace) -> str:
        key = (pace.badge, pace.standing, pace.reason)
        if key not in self._badges:
            self._badges[key] = (
                f'<span class="cell__pace"><span class="visually-hidden">{self.pace} </span>'
                f"{pace_badge_markup(pace.badge or '', pace.label, pace.reason)}"
                "</span>"
            )
        return self._badges[key]

    def __call__(self, cell: Cell, *, oob: bool = False) -> SafeString:
        classes = f"cell cell--{cell.state}"
        if cell.dimmed:
            classes += " cell--dimmed"
        extra = ""
        if oob:
            classes += " cell--open"
        if cell.level:
            extra += f' style="--level: {escape(cell.level.colour)}"'
        if cell.observed:
            extra += self.title(cell.observed)
        if oob:
            extra += ' hx-swap-oob="true"'
        if cell.state == "empty":
            body = f'<span class="cell__none">— {self.no_ratings}</span>'
        elif cell.state == "completed":
            body = (
                '<span class="cell__stage"><span aria-hidden="true">✓ </span>'
                f"{self.completed}</span>"
            )
        else:
            body = (
                f'<span class="cell__stage"><span class="visually-hidden">{self.stage} '
                f'</span><span aria-hidden="true">S</span>{cell.working_stage}</span>'
                '<span class="cell__sep" aria-hidden="true"> · </span>'
            )
            if cell.level:
                body += (
                    f'<span class="cell__level"><span class="swatch" aria-hidden="true"></span>'
                    f"{escape(cell.level.label)}</span>"
                )
            else:
                body += f'<span class="cell__none">{self.not_rated_here}</span>'
            if cell.level_text:
                body += f' <span class="cell__note">{self.latest} {escape(cell.level_text)}'
                if cell.latest_stage != cell.working_stage:
                    body += (
                        f' (<span class="visually-hidden">{self.rated_at} </span>'
                        f'<span aria-hidden="true">S</span>{cell.latest_stage})'
                    )
                body += "</span>"
        if cell.pace is not None and cell.pace.known:
            body += self.badge(cell.pace)
        href = escape(cell.href)
        return mark_safe(  # every value above is escaped
            f'<a id="{cell.dom_id}" class="{classes}" href="{href}" hx-get="{href}"{extra}>'
            f"{body}</a>"
        )


def cell_markup(cell: Cell, *, oob: bool = False) -> SafeString:
    """One cell's link, written directly rather than through a template (see CellWriter)."""
    return CellWriter()(cell, oob=oob)


def cell_for(
    *, student: Person, competency: Competency, section: Section, record: GradebookCell | None
) -> Cell:
    return _cell(
        dom_id=cell_dom_id(student, competency),
        href=evidence_url(student, competency, section),
        levels=levels_of(competency),
        record=record,
    )


def _cell(
    *,
    dom_id: str,
    href: str,
    levels: list[ScaleLevel],
    record: GradebookCell | None,
    dimmed: bool = False,
) -> Cell:
    if record is None:
        return Cell(dom_id, href, "empty", None, None, None, "", None, dimmed=dimmed)
    return Cell(
        dom_id=dom_id,
        href=href,
        state="completed" if record.working_stage is None else "working",
        working_stage=record.working_stage,
        latest_stage=record.latest_stage,
        level=(
            level_reached(levels, record.stage_value) if record.stage_value is not None else None
        ),
        level_text=level_text(record.latest_level) if record.latest_level is not None else "",
        observed=(
            timezone.localdate(record.latest_observed_at) if record.latest_observed_at else None
        ),
        pace=record.pace,
        dimmed=dimmed,
    )


def gradebook_rows(book: Gradebook) -> list[tuple[Person, list[SafeString]]]:
    """Each of the page's students with their cells' markup; with a pace filter, the cells
    it did not pick are dimmed. The evidence address is reversed once and each cell's made
    by joining ids to it."""
    before, middle, after = _evidence_url_parts()
    query = f"?{urlencode({'section': book.section.uuid})}"
    columns = [
        (competency, f"{competency.uuid}{after}{query}", levels_of(competency))
        for competency in book.columns
    ]
    picked = book.picked
    write = CellWriter()
    rows = []
    for student in book.students:
        cells = []
        for competency, tail, levels in columns:
            pair = (student.pk, competency.pk)
            cell = _cell(
                dom_id=f"cell-{student.uuid}-{competency.uuid}",
                href=f"{before}{student.uuid}{middle}{tail}",
                levels=levels,
                record=book.cells.get(pair),
                dimmed=picked is not None and pair not in picked,
            )
            cells.append(write(cell))
        rows.append((student, cells))
    return rows


def gradebook_table(book: Gradebook) -> tuple[list[str], list[list[object]]]:
    """The gradebook as a downloaded table: a row per student of `book` and, per competency
    column, what its cell says in four plain columns (the stage worked at, where that stage
    stands, the latest rating with its stage, pace)."""
    headers = [_("Student"), _("Username")]
    columns = []
    for competency in book.every_column:
        code = competency.code
        headers += [
            _("%(code)s stage") % {"code": code},
            _("%(code)s where it stands") % {"code": code},
            _("%(code)s latest rating") % {"code": code},
            _("%(code)s pace") % {"code": code},
        ]
        columns.append((competency, levels_of(competency)))
    completed = _("Completed")
    rows = []
    for student in book.students:
        row: list[object] = [student.display_name, student.username]
        for competency, levels in columns:
            record = book.cells.get((student.pk, competency.pk))
            if record is None:
                row += [None, None, None, None]
                continue
            level = (
                level_reached(levels, record.stage_value)
                if record.stage_value is not None
                else None
            )
            latest = level_text(record.latest_level) if record.latest_level is not None else ""
            if latest and record.latest_stage != record.working_stage:
                latest += f" (S{record.latest_stage})"
            pace = record.pace
            row += [
                completed if record.working_stage is None else record.working_stage,
                level.label if level else None,
                latest or None,
                pace.label if pace is not None and pace.known else None,
            ]
        rows.append(row)
    return headers, rows


@dataclass(frozen=True)
class ColumnHead:
    """A gradebook column's header: what it sorts by and whether it is sorted now."""

    competency: Competency | None  # None: the students' names
    href: str
    aria_sort: str  # "ascending", "descending" or "none"


@dataclass(frozen=True)
class PageLink:
    number: int
    href: str
    current: bool


@dataclass(frozen=True)
class GradebookView:
    """The gradebook's controls: sortable headers, the pages, and the filter form's state."""

    name_head: ColumnHead
    heads: list[ColumnHead]
    pages: list[PageLink | None]  # None: a gap in the page numbers
    previous: str  # the previous page's address, "" on the first
    next: str  # the next page's address, "" on the last
    first_shown: int
    last_shown: int
    stage_choices: list[tuple[str, str]]
    all_href: str  # every student: the filters cleared, the sort kept
    # The pages of competency columns: addresses of the ones before and after ("" at an
    # end), and which of how many competencies this one shows, counted from 1.
    columns_previous: str
    columns_next: str
    first_column: int
    last_column: int
    column_total: int


@dataclass(frozen=True)
class CourseColumns:
    """The toggle between a section's course targets and every competency of the district."""

    showing_every: bool
    targeted: int
    every: int
    href: str  # the other choice's address


def course_columns(book: Gradebook) -> CourseColumns | None:
    """None when the course targets every competency there is (or there is no course)."""
    if not book.course_targets or book.course_targets >= book.district_competencies:
        return None
    showing_every = book.query.every
    return CourseColumns(
        showing_every=showing_every,
        targeted=book.course_targets,
        every=book.district_competencies,
        href=gradebook_href(replace(book.query, every=not showing_every, columns=1)),
    )


def gradebook_href(query: GradebookQuery, **changes: object) -> str:
    """The gradebook's address for `query` with `changes`, leaving out what is at its default
    so addresses stay short and bookmarkable; any change but the page goes back to page 1
    (the page of columns stays)."""
    values = {
        "q": query.search,
        "competency": str(query.competency.uuid) if query.competency else "",
        "stage": query.stage,
        "pace": query.pace,
        "sort": query.sort,
        "page": query.page,
        "cols": query.columns,
        "all": "1" if query.every else "",
    }
    if "page" not in changes:
        values["page"] = 1
    values.update(changes)
    kept = {
        key: value
        for key, value in values.items()
        if value and (key, value) not in (("sort", "name"), ("page", 1), ("cols", 1))
    }
    return f"?{urlencode(kept)}"


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """The first, the last and two either side of the current page, with gaps as None."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def gradebook_view(book: Gradebook) -> GradebookView:
    query = replace(book.query, columns=book.column_page)
    by_name = not (query.sort.endswith("stage") and query.competency is not None)
    name_sort = "none"
    if by_name:
        name_sort = "descending" if query.sort == "-name" else "ascending"
    name_head = ColumnHead(
        None,
        gradebook_href(query, sort="-name" if name_sort == "ascending" else "name"),
        name_sort,
    )
    heads = []
    for competency in book.columns:
        current = not by_name and query.competency is not None and query.competency == competency
        order = "none"
        if current:
            order = "descending" if query.sort.startswith("-") else "ascending"
        heads.append(
            ColumnHead(
                competency,
                gradebook_href(
                    query,
                    sort="-stage" if order == "ascending" else "stage",
                    competency=str(competency.uuid),
                    stage=query.stage if current else "",
                ),
                order,
            )
        )
    size = len(book.students)
    first = (book.page - 1) * book.page_size + 1 if size else 0
    stage_choices = [(STAGE_NONE, _("No ratings yet"))]
    if query.competency is not None:
        stage_choices += [
            (str(stage.ordinal), _("Stage %(stage)s") % {"stage": stage.ordinal})
            for stage in query.competency.stages.all()
        ]
    stage_choices.append((STAGE_COMPLETED, _("Completed")))
    return GradebookView(
        name_head=name_head,
        heads=heads,
        pages=[
            PageLink(number, gradebook_href(query, page=number), number == book.page)
            if number is not None
            else None
            for number in _page_numbers(book.page, book.pages)
        ],
        previous=gradebook_href(query, page=book.page - 1) if book.page > 1 else "",
        next=gradebook_href(query, page=book.page + 1) if book.page < book.pages else "",
        first_shown=first,
        last_shown=first + size - 1 if size else 0,
        stage_choices=stage_choices,
        all_href=gradebook_href(GradebookQuery(sort=query.sort, competency=query.competency)),
        columns_previous=(
            gradebook_href(query, page=book.page, cols=book.column_page - 1)
            if book.column_page > 1
            else ""
        ),
        columns_next=(
            gradebook_href(query, page=book.page, cols=book.column_page + 1)
            if book.column_page < book.column_pages
            else ""
        ),
        first_column=book.first_column + 1,
        last_column=book.first_column + len(book.columns),
        column_total=len(book.every_column),
    )


# Stand-ins reversed once to find where a student's and a competency's ids go in the address.
_STUDENT_MARK = UUID(int=1)
_COMPETENCY_MARK = UUID(int=2)


def _evidence_url_parts() -> tuple[str, str, str]:
    """The evidence address before the student's id, between it and the competency's, and
    after the competency's."""
    url = reverse(
        "mastery:student_competency",
        kwargs={"student_id": _STUDENT_MARK, "competency_id": _COMPETENCY_MARK},
    )
    before, rest = url.split(str(_STUDENT_MARK))
    middle, after = rest.split(str(_COMPETENCY_MARK))
    return before, middle, after


@dataclass(frozen=True)
class PaceChip:
    """One of the gradebook's pace filters. It carries no count: counting would compute the
    pace of the whole section on every page."""

    key: str
    label: str
    current: bool


def pace_chips(chosen: str) -> list[PaceChip]:
    """One chip per pace filter; `chosen` is the current one."""
    return [PaceChip(key, str(PACE_LABELS[key]), key == chosen) for key in PACE_FILTERS]


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
    # The newest counted rating at this stage that links to a piece of work, to name it.
    latest_work: Evidence | None = None


def stage_rows(status: CompetencyStatus) -> list[StageRow]:
    def state(stage: StageStatus) -> str:
        if stage.implied:
            return "implied"
        if stage.mastered:
            return "mastered"
        return "working" if stage.stage.ordinal == status.working_stage else "ahead"

    mastery_value = status.competency.effective_scale.mastery_value
    return [
        StageRow(stage, state(stage), result_text(stage, mastery_value, status.method))
        for stage in status.stages
    ]


@dataclass(frozen=True)
class EvidenceRow:
    evidence: Evidence
    level: ScaleLevel | None
    level_text: str
    corrected: bool  # replaced by a later correction or withdrawal
    withdrawn: bool = False  # taken out by a withdrawal ("recorded in error")

    @property
    def counts(self) -> bool:
        """Still part of the record mastery is computed from (not replaced, not a withdrawal)."""
        return not self.corrected and not self.evidence.withdrawn


def evidence_rows(evidence: list[Evidence], levels: list[ScaleLevel]) -> list[EvidenceRow]:
    """Newest work first, each marked when a later correction replaced it or a withdrawal
    took it out."""
    replaced = {row.supersedes_id for row in evidence if row.supersedes_id}
    withdrawn = {row.supersedes_id for row in evidence if row.withdrawn}
    return [
        EvidenceRow(
            row,
            level_named(levels, row.level),
            level_text(row.level),
            row.pk in replaced,
            row.pk in withdrawn,
        )
        for row in reversed(evidence)
    ]


def without_teacher_feedback(evidence: list[Evidence]) -> list[Evidence]:
    """The ratings as a family the district keeps teachers' written feedback from reads them:
    copies without the teachers' words (a student's own words stay with their
    self-assessment); the rows read are never changed."""
    return [row if row.source == EvidenceSource.SELF else _wordless(row) for row in evidence]


def _wordless(row: Evidence) -> Evidence:
    shown = copy.copy(row)
    shown.feedback_present = shown.feedback_next = ""
    return shown


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
        """The newest "next step" a teacher gave that still stands (not replaced by a
        correction): the student's own words are `latest_own_words`, never this."""
        return next(
            (
                row.evidence.feedback_next
                for row in self.evidence
                if row.evidence.feedback_next
                and not row.corrected
                and row.evidence.source != EvidenceSource.SELF
            ),
            "",
        )

    @property
    def latest_own_words(self) -> Evidence | None:
        """The student's newest self-assessment with words, if it still stands."""
        return next(
            (
                row.evidence
                for row in self.evidence
                if row.evidence.source == EvidenceSource.SELF
                and not row.corrected
                and (row.evidence.feedback_present or row.evidence.feedback_next)
            ),
            None,
        )


def competency_panel(
    status: CompetencyStatus, evidence: list[Evidence], pace: Pace | None = None
) -> CompetencyPanel:
    rows = evidence_rows(evidence, levels_of(status.competency))
    stages = [
        replace(
            stage,
            latest_work=next(
                (
                    row.evidence  # rows are newest first
                    for row in rows
                    if row.counts
                    and row.evidence.artifact_url
                    and row.evidence.stage_id == stage.status.stage.pk
                ),
                None,
            ),
        )
        for stage in stage_rows(status)
    ]
    return CompetencyPanel(
        status=status,
        phrase=progress_phrase(status),
        stages=stages,
        evidence=rows,
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
