"""The equity view of the school dashboard (issue 16, item 3): for one competency, the
students of each group — by sex, race, ethnicity or the federal race/ethnicity form
(reports.equity) — ahead, on pace, behind or not known yet, and stalled with and without a
support.

Counted in SQL like the dashboard: students by their demographics (one GROUP BY), working
stages by age-grade and demographics (one GROUP BY), stalled pairs from the stored stall
spans; only the grouped rows are classified here, each into its group by
`reports.equity.subgroup_of`, so the rule that sorts a student into a group stays in one place.

**Suppression**, in two steps:

1. Groups: `reports.equity.suppressed` — a group of fewer than ten students is never shown,
   nor one that would let such a group be worked out from the total.
2. Cells inside a shown group (and in the all-students row): a count of 1 to 9 students is
   suppressed ("*", its share too); a 0 is shown. Counts that add up to a shown figure —
   ahead + on pace + behind + not known is the group's size, and each column adds up to the
   all-students row — would let a suppressed count be worked out by subtraction, so while
   the suppressed counts of such a line add up to fewer than ten (and more than none), the
   smallest count still shown in it is suppressed too, line after line, until no line
   gives one away (`cells_hidden`). The chart draws no bar for a group with a suppressed
   count.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proficio.engine.pace import AHEAD, BEHIND, ON_PACE
from proficio.mastery.api import stalled_pairs, working_stage_counts
from proficio.pathways.api import supported_competencies
from proficio.people.api import StudentDemographics, demographics_of, students_counted
from proficio.reports.dashboard import (
    PACE_WORDS,
    SUMMARY_SECONDS,
    UNKNOWN,
    DashboardScope,
    scope_competencies,
    stage_grades,
    standing_of,
    summary_key,
    tolerance_groups,
)
from proficio.reports.equity import (
    BY,
    MINIMUM_GROUP,
    RACES,
    SUBGROUPS,
    SUPPRESSED,
    TOTAL,
    TWO_OR_MORE_RACES,
    EquityTable,
    GroupRow,
    Suppressed,
    subgroup_of,
    suppressed,
)

# The demographics each way of grouping reads.
_RACE_FIELDS = (*(race.key for race in RACES), TWO_OR_MORE_RACES.key)
FIELDS = {
    "sex": ("sex",),
    "race": _RACE_FIELDS,
    "ethnicity": ("hispanic_or_latino",),
    "race_ethnicity": ("hispanic_or_latino", *_RACE_FIELDS),
}
STALLED_SUPPORTED = "stalled_supported"
STALLED_UNSUPPORTED = "stalled_unsupported"
PARTITION = (AHEAD, ON_PACE, BEHIND, UNKNOWN)
COLUMNS = (*PARTITION, STALLED_SUPPORTED, STALLED_UNSUPPORTED)
COLUMN_WORDS = {
    **PACE_WORDS,
    STALLED_SUPPORTED: gettext_lazy("Stalled, with a support"),
    STALLED_UNSUPPORTED: gettext_lazy("Stalled, without a support"),
}
SIZE = "students"

Count = int | Suppressed


@dataclass(frozen=True)
class EquityCell:
    count: Count
    share: float | Suppressed | None  # of the group's students; None when it has none

    @property
    def hidden(self) -> bool:
        return self.count is SUPPRESSED

    @property
    def percent(self) -> int | None:
        return None if self.hidden or self.share is None else round(100 * self.share)


@dataclass(frozen=True)
class EquityLine:
    group: str
    label: str
    students: Count
    cells: dict[str, EquityCell]

    @property
    def shown(self) -> bool:
        return self.students is not SUPPRESSED

    @property
    def drawable(self) -> bool:
        """Whether its pace bar can be drawn: no count of it suppressed."""
        return self.shown and not any(self.cells[key].hidden for key in PARTITION)

    def cell_list(self) -> list[EquityCell]:
        return [self.cells[key] for key in COLUMNS]


@dataclass(frozen=True)
class EquityView:
    scope: DashboardScope
    by: str
    by_label: str
    competency: object
    competencies: list
    rows: list[EquityLine]
    total: EquityLine
    counted_at: datetime | None = None

    @property
    def suppressing(self) -> bool:
        lines = [*self.rows, self.total]
        return any(not line.shown or any(c.hidden for c in line.cells.values()) for line in lines)

    @property
    def lines(self) -> list[EquityLine]:
        return [*self.rows, self.total]


def demographics_from(fields: Sequence[str], values: Iterable) -> StudentDemographics:
    """A grouped row's demographic values as `StudentDemographics` (NULL: not reported)."""
    given = dict(zip(fields, values, strict=True))
    if given.get("sex") is None:
        given.pop("sex", None)
    return StudentDemographics(**given)


def cells_hidden(
    values: dict[tuple[str, str], int],
    hidden: set[tuple[str, str]],
    lines: Sequence[tuple[tuple[str, str] | None, Sequence[tuple[str, str]]]],
) -> set[tuple[str, str]]:
    """Complementary suppression over lines of cells that add up to a shown figure: each
    line is (its total's cell — None when the total is shown anyway, like a group's size —
    and its cells). While the suppressed counts of a line whose total is shown add up to 1–9,
    the smallest count still shown in it (above 0) is suppressed too; failing that, its
    total. Repeated until no line lets a count under ten be worked out."""
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for total, members in lines:
            if total is not None and total in hidden:
                continue
            holding = sum(values[cell] for cell in members if cell in hidden)
            if not 0 < holding < MINIMUM_GROUP:
                continue
            shown = [cell for cell in members if cell not in hidden and values[cell] > 0]
            if shown:
                hidden.add(min(shown, key=lambda cell: values[cell]))
            elif total is not None:
                hidden.add(total)
            else:
                continue
            changed = True
    return hidden


def suppress(
    by: str, sizes: dict[str, int], counts: dict[str, dict[str, int]]
) -> tuple[list[EquityLine], EquityLine]:
    """Every group of `SUBGROUPS[by]` (and the students as a whole) with its size and
    counts, suppressed by the two rules of the module."""
    groups = SUBGROUPS[by]
    table = suppressed(
        EquityTable(
            by=by,
            rows=tuple(GroupRow(group.key, group.label, sizes[group.key]) for group in groups),
            total=GroupRow(TOTAL, _("All students"), sum(sizes.values())),
        )
    )
    counts = {**counts, TOTAL: {c: sum(counts[g.key][c] for g in groups) for c in COLUMNS}}
    sizes = {**sizes, TOTAL: sum(sizes.values())}
    masked = {row.group for row in (*table.rows, table.total) if not row.shown}
    values = {(row, column): counts[row][column] for row in counts for column in COLUMNS}
    hidden = {
        (row, column)
        for (row, column), value in values.items()
        if row in masked or 0 < value < MINIMUM_GROUP
    }
    lines: list[tuple[tuple[str, str] | None, list[tuple[str, str]]]] = [
        (None, [(row, column) for column in PARTITION]) for row in counts if row not in masked
    ]
    lines += [((TOTAL, column), [(g.key, column) for g in groups]) for column in COLUMNS]
    hidden = cells_hidden(values, hidden, lines)

    def line(row: GroupRow) -> EquityLine:
        size = sizes[row.group]
        cells = {}
        for column in COLUMNS:
            if (row.group, column) in hidden:
                cells[column] = EquityCell(SUPPRESSED, SUPPRESSED)
            else:
                value = counts[row.group][column]
                cells[column] = EquityCell(value, value / size if size else None)
        return EquityLine(row.group, str(row.label), row.students, cells)

    return [line(row) for row in table.rows], line(table.total)


def count_groups(
    scope: DashboardScope, competency, *, by: str, today: date
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Each group's size, and its students by pace and stalled with or without a support on
    `competency`, counted in SQL (none of it suppressed yet)."""
    fields = FIELDS[by]
    keys = [group.key for group in SUBGROUPS[by]]
    sizes = dict.fromkeys(keys, 0)
    for profile, students in students_counted(scope.students(), by=fields).items():
        sizes[subgroup_of(demographics_from(fields, profile), by=by)] += students
    counts = {key: dict.fromkeys(COLUMNS, 0) for key in keys}
    if competency is not None:
        grades = stage_grades(competency)
        for group, tolerance in tolerance_groups(scope):
            for count in working_stage_counts(
                students=group, competencies=[competency], by=["age_grade", *fields]
            ):
                grade, *values = count.profile
                standing = standing_of(competency, grades, count, grade, tolerance)
                if standing != UNKNOWN:
                    key = subgroup_of(demographics_from(fields, values), by=by)
                    counts[key][standing] += count.students
        stalled = {
            student_id
            for student_id, _competency in stalled_pairs(
                district_id=scope.district.pk,
                students=scope.students(),
                competencies=[competency],
                today=today,
            )
        }
        supports = supported_competencies(user=scope.person, student_ids=stalled, on=today)
        held = demographics_of(stalled)
        for student_id in stalled:
            key = subgroup_of(held.get(student_id), by=by)
            covered = {competency.pk, None} & supports.get(student_id, set())
            counts[key][STALLED_SUPPORTED if covered else STALLED_UNSUPPORTED] += 1
    for key in keys:
        known = sum(counts[key][standing] for standing in (AHEAD, ON_PACE, BEHIND))
        counts[key][UNKNOWN] = max(sizes[key] - known, 0)
    return sizes, counts


def equity_view(
    scope: DashboardScope,
    *,
    by: str,
    competency_id: str | None = None,
    today: date | None = None,
) -> EquityView:
    """The groups of `by` on one competency (the first by default) of the scope."""
    if by not in SUBGROUPS:
        by = "sex"
    today = today or timezone.localdate()
    competencies = scope_competencies(scope)
    competency = next((c for c in competencies if str(c.uuid) == competency_id), None)
    competency = competency or (competencies[0] if competencies else None)
    if competency is not None:
        key = f"proficio:dashboard-equity:{summary_key(scope, [competency], today)}:{by}"
        kept = cache.get(key)
        if kept is None:
            kept = (*count_groups(scope, competency, by=by, today=today), timezone.now())
            cache.set(key, kept, SUMMARY_SECONDS)
        sizes, counts, counted_at = kept
    else:
        sizes, counts = count_groups(scope, None, by=by, today=today)
        counted_at = timezone.now()
    rows, total = suppress(by, sizes, counts)
    return EquityView(
        scope=scope,
        by=by,
        by_label=str(BY[by]),
        competency=competency,
        competencies=competencies,
        rows=rows,
        total=total,
        counted_at=counted_at,
    )


def equity_table(view: EquityView) -> tuple[list[str], list[list]]:
    """The equity view as its export gives it: what the page shows, "*" where it shows "*"."""
    headers = [view.by_label, _("Students")]
    for column in COLUMNS:
        headers += [str(COLUMN_WORDS[column]), _("%(what)s (%%)") % {"what": COLUMN_WORDS[column]}]
    rows = []
    for line in view.lines:
        row: list = [line.label, str(line.students) if not line.shown else line.students]
        for cell in line.cell_list():
            if cell.hidden:
                row += [str(SUPPRESSED), str(SUPPRESSED)]
            else:
                row += [cell.count, cell.percent]
        rows.append(row)
    return headers, rows
