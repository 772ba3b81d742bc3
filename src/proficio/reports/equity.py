"""Equity views: students grouped by sex, race or ethnicity, and the rule that keeps a small
group from being seen.

The groups come from the demographics the student information system sends (OneRoster
demographics.csv, kept as people's `Demographics`; read with `people.api.demographics_of`).
Each way of grouping (`SUBGROUPS[by]`) is a partition: every student falls in exactly one
group, "not reported" when nothing (or "unspecified") is held. Race follows the federal
"alone" reading: one race flag is that race, more than one (or the two-or-more flag) is two
or more races, none is not reported.

**Suppression.** No figure over fewer than `MINIMUM_GROUP` students is ever shown — not the
group's size, not any aggregate of it:

1. a group of fewer than ten students (an empty one too) is suppressed, and so is everything
   when the students as a whole are fewer than ten;
2. the total is shown (and the school's dashboard shows it anyway), so what the shown groups
   leave of it — the suppressed groups together — can be worked out by subtraction. So while
   the suppressed groups hold students and either only one of them does, or together they
   hold fewer than ten, the smallest group still shown is suppressed too (complementary
   suppression). What subtraction finds is then a figure over two groups or more and ten
   students or more, never over one small group.

The module is pure: the caller passes the students it may see and their demographics, and
`equity_table` measures only the groups it will show. `suppressed` applies the same rule to a
table aggregated elsewhere (in SQL, say). Where a suppressed number stands, `SUPPRESSED`
does (shown as "*", explained by `suppression_note`).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from proficio.people.api import StudentDemographics

MINIMUM_GROUP: Final = 10
NOT_REPORTED: Final = "not_reported"
TOTAL: Final = "total"


@dataclass(frozen=True)
class Subgroup:
    key: str
    label: str


_NOT_REPORTED = Subgroup(NOT_REPORTED, _("Not reported"))
# The race flags of people.Demographics, in the order federal reporting lists them.
RACES: Final = (
    Subgroup("american_indian_or_alaska_native", _("American Indian or Alaska Native")),
    Subgroup("asian", _("Asian")),
    Subgroup("black_or_african_american", _("Black or African American")),
    Subgroup(
        "native_hawaiian_or_other_pacific_islander", _("Native Hawaiian or Other Pacific Islander")
    ),
    Subgroup("white", _("White")),
)
TWO_OR_MORE_RACES: Final = Subgroup("two_or_more_races", _("Two or more races"))
HISPANIC_OR_LATINO: Final = Subgroup("hispanic_or_latino", _("Hispanic or Latino"))

# Each way of grouping students, and its groups in the order they are shown.
SUBGROUPS: Final[dict[str, tuple[Subgroup, ...]]] = {
    "sex": (
        Subgroup("female", _("Female")),
        Subgroup("male", _("Male")),
        Subgroup("other", _("Other")),
        _NOT_REPORTED,
    ),
    "race": (*RACES, TWO_OR_MORE_RACES, _NOT_REPORTED),
    "ethnicity": (
        HISPANIC_OR_LATINO,
        Subgroup("not_hispanic_or_latino", _("Not Hispanic or Latino")),
        _NOT_REPORTED,
    ),
    # Federal race/ethnicity: Hispanic or Latino of any race, then the others by race.
    "race_ethnicity": (
        Subgroup(HISPANIC_OR_LATINO.key, _("Hispanic or Latino (any race)")),
        *RACES,
        TWO_OR_MORE_RACES,
        _NOT_REPORTED,
    ),
}
BY: Final = {
    "sex": _("Sex"),
    "race": _("Race"),
    "ethnicity": _("Ethnicity"),
    "race_ethnicity": _("Race and ethnicity"),
}


def _race(held: StudentDemographics) -> str:
    flagged = [race.key for race in RACES if getattr(held, race.key) is True]
    if held.two_or_more_races is True or len(flagged) > 1:
        return TWO_OR_MORE_RACES.key
    return flagged[0] if flagged else NOT_REPORTED


def _sex(held: StudentDemographics) -> str:
    return held.sex if held.sex in ("female", "male", "other") else NOT_REPORTED


def _ethnicity(held: StudentDemographics) -> str:
    if held.hispanic_or_latino is None:
        return NOT_REPORTED
    return HISPANIC_OR_LATINO.key if held.hispanic_or_latino else "not_hispanic_or_latino"


def _race_ethnicity(held: StudentDemographics) -> str:
    return HISPANIC_OR_LATINO.key if held.hispanic_or_latino else _race(held)


_CLASSIFY: dict[str, Callable[[StudentDemographics], str]] = {
    "sex": _sex,
    "race": _race,
    "ethnicity": _ethnicity,
    "race_ethnicity": _race_ethnicity,
}


def subgroup_of(held: StudentDemographics | None, *, by: str) -> str:
    """The key of the one group of `SUBGROUPS[by]` a student falls in."""
    if by not in _CLASSIFY:
        raise ValueError(f"No grouping {by!r}; there are {', '.join(SUBGROUPS)}.")
    return NOT_REPORTED if held is None else _CLASSIFY[by](held)


def groups_of(
    students: Iterable[int],
    demographics: Mapping[int, StudentDemographics],
    *,
    by: str,
) -> dict[str, tuple[int, ...]]:
    """The students (ids, each once, in the order given) of every group of `SUBGROUPS[by]`,
    in its order, empty groups included; a student without demographics is not reported."""
    if by not in SUBGROUPS:
        raise ValueError(f"No grouping {by!r}; there are {', '.join(SUBGROUPS)}.")
    groups: dict[str, list[int]] = {group.key: [] for group in SUBGROUPS[by]}
    for student in dict.fromkeys(students):
        groups[subgroup_of(demographics.get(student), by=by)].append(student)
    return {key: tuple(members) for key, members in groups.items()}


def hidden_groups(sizes: Mapping[str, int]) -> frozenset[str]:
    """The groups to suppress, given each group's size (the groups partition the total): the
    small ones, then the smallest shown ones until no small group can be worked out from the
    total (module docstring)."""
    if sum(sizes.values()) < MINIMUM_GROUP:
        return frozenset(sizes)
    hidden = {group for group, n in sizes.items() if n < MINIMUM_GROUP}

    def derivable() -> bool:
        holding = [sizes[group] for group in hidden if sizes[group] > 0]
        return bool(holding) and (len(holding) < 2 or sum(holding) < MINIMUM_GROUP)

    while derivable():
        shown = [group for group in sizes if group not in hidden and sizes[group] > 0]
        if not shown:  # cannot happen: the total is at least ten; kept for safety
            return frozenset(sizes)
        hidden.add(min(shown, key=lambda group: sizes[group]))  # the first of equals
    return frozenset(hidden)


class Suppressed:
    """Stands where a suppressed number would be: `SUPPRESSED`, shown as "*"."""

    _instance: "Suppressed | None" = None

    def __new__(cls) -> "Suppressed":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self) -> str:
        return "*"

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED: Final = Suppressed()


def suppression_note() -> str:
    """What "*" means, for the page or export that shows it."""
    return gettext(
        "* Not shown: a group of fewer than %(n)s students, or one that would let such a "
        "group be worked out from the total."
    ) % {"n": MINIMUM_GROUP}


@dataclass(frozen=True)
class GroupRow:
    """One group's size and figures (aggregates over its students, by name), or
    `SUPPRESSED` in their place."""

    group: str  # a key of SUBGROUPS[by], or TOTAL
    label: str
    students: int | Suppressed
    figures: Mapping[str, Any] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.students is not SUPPRESSED

    def masked(self) -> "GroupRow":
        return replace(self, students=SUPPRESSED, figures=dict.fromkeys(self.figures, SUPPRESSED))


@dataclass(frozen=True)
class EquityTable:
    """Every group of `SUBGROUPS[by]`, in order, and the students as a whole."""

    by: str
    rows: tuple[GroupRow, ...]
    total: GroupRow

    @property
    def suppressing(self) -> bool:
        """Whether anything is suppressed (the page then says why: `suppression_note`)."""
        return not all(row.shown for row in (*self.rows, self.total))


def suppressed(table: EquityTable) -> EquityTable:
    """A table of every group's size and figures with what the rule hides masked: the groups
    it names, and everything when the total is under ten."""
    if not all(isinstance(row.students, int) for row in (*table.rows, table.total)):
        raise ValueError("suppressed() takes a table of sizes, none suppressed yet.")
    hidden = hidden_groups({row.group: row.students for row in table.rows})
    total = table.total
    if total.students != sum(row.students for row in table.rows):
        raise ValueError("The groups must hold the total's students, each once.")
    if total.students < MINIMUM_GROUP:
        total = total.masked()
    rows = tuple(row.masked() if row.group in hidden else row for row in table.rows)
    return replace(table, rows=rows, total=total)


def equity_table(
    students: Iterable[int],
    demographics: Mapping[int, StudentDemographics],
    *,
    by: str,
    measure: Callable[[Sequence[int]], Mapping[str, Any]] = lambda _students: {},
) -> EquityTable:
    """The students grouped `by` sex, race, ethnicity or both, each group with its size and
    `measure(its students)` (the same names for every group), suppressed by the rule:
    `measure` never sees a group that is not shown."""
    groups = groups_of(students, demographics, by=by)
    everyone = tuple(student for members in groups.values() for student in members)
    hidden = hidden_groups({key: len(members) for key, members in groups.items()})
    if len(everyone) < MINIMUM_GROUP:
        total = GroupRow(TOTAL, _("All students"), SUPPRESSED)
    else:
        total = GroupRow(TOTAL, _("All students"), len(everyone), measure(everyone))
    rows = tuple(
        GroupRow(group.key, group.label, SUPPRESSED, dict.fromkeys(total.figures, SUPPRESSED))
        if group.key in hidden
        else GroupRow(group.key, group.label, len(groups[group.key]), measure(groups[group.key]))
        for group in SUBGROUPS[by]
    )
    return EquityTable(by=by, rows=rows, total=total)
