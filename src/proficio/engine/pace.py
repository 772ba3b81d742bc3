"""Pace: where a student works on a trajectory against where their age-grade expects them,
and whether their progress has stalled (DESIGN.md §2).

Pure functions over plain values. A trajectory is given as `(ordinal, typical_grade)`
pairs; ratings as `Rating` tuples ordered oldest → newest by the day the work was done.
Every verdict carries a one-line reason in plain words for the page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate, groupby
from typing import Generic, NamedTuple, TypeVar

from proficio.engine.display import format_score
from proficio.engine.explain import TOLERANCE, _day
from proficio.engine.methods import mastery_cut
from proficio.engine.running import Running, running_form
from proficio.engine.words import _, gettext_noop, ngettext

AHEAD = "ahead"
ON_PACE = "on_pace"
BEHIND = "behind"

DEFAULT_STALL_WEEKS = 6
DEFAULT_STALL_RATINGS = 2
# The most recent ratings a school may ask for before a stall is flagged.
MAX_STALL_RATINGS = 20


class StageGrade(NamedTuple):
    """One stage of a trajectory and the age-grade it is typical for (None if not set)."""

    ordinal: int
    typical_grade: int | None


class Rating(NamedTuple):
    """One counted rating: the day the work was done, its stage, level and weight."""

    day: date
    stage: int
    level: float
    weight: float = 1.0


def grade_words(grade: int) -> str:
    """0 is kindergarten; below that, pre-kindergarten."""
    if grade == 0:
        return _("kindergarten")
    return _("pre-kindergarten") if grade < 0 else _("grade %(grade)s") % {"grade": grade}


def _stages_words(count: int) -> str:
    return ngettext("%(count)s stage", "%(count)s stages", count) % {"count": count}


# ---- where a student is expected to work ------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """The stage a student of one age-grade is expected to work at.

    `index` counts stages from 0 in ordinal order; it equals the number of stages
    (and `stage` is None) when the grade lies beyond every stage of the trajectory.
    """

    age_grade: int
    index: int
    stage: int | None
    stage_grade: int | None

    def words(self, total: int) -> str:
        """'stage 3 is typical for grade 5', or what the grade expects when it is not exact."""
        grade = grade_words(self.age_grade)
        if self.stage is None:
            return _("by %(grade)s every one of the %(stages)s is expected to be mastered") % {
                "grade": grade,
                "stages": _stages_words(total),
            }
        if self.stage_grade == self.age_grade:
            return _("stage %(stage)s is typical for %(grade)s") % {
                "stage": self.stage,
                "grade": grade,
            }
        return _("stage %(stage)s (typical for %(typical)s) is the first at or above %(grade)s") % {
            "stage": self.stage,
            "typical": grade_words(self.stage_grade),
            "grade": grade,
        }


def _ordered(stages: Sequence[StageGrade]) -> list[StageGrade]:
    ordered = sorted(StageGrade(*stage) for stage in stages)
    ordinals = [stage.ordinal for stage in ordered]
    if len(set(ordinals)) != len(ordinals):
        raise ValueError(f"stage ordinals must be distinct, got {ordinals}")
    return ordered


def expected_stage(stages: Sequence[StageGrade], age_grade: int | None) -> Expectation | None:
    """The first stage whose typical grade is ≥ the student's age-grade.

    None (pace unknown) when the student has no age-grade or the trajectory has no
    stages or a stage without a typical grade. A grade past the last stage's expects
    the whole trajectory to be mastered.
    """
    ordered = _ordered(stages)
    if age_grade is None or not ordered or any(s.typical_grade is None for s in ordered):
        return None
    for index, stage in enumerate(ordered):
        if stage.typical_grade >= age_grade:
            return Expectation(age_grade, index, stage.ordinal, stage.typical_grade)
    return Expectation(age_grade, len(ordered), None, None)


# ---- ahead, on pace or behind -----------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Ahead, on pace or behind (`status`), or None when pace cannot be told; and why."""

    status: str | None
    reason: str


NO_AGE_GRADE = gettext_noop("No age-grade is recorded, so there is no pace to compare with.")
NO_TYPICAL_GRADES = gettext_noop(
    "Not every stage has a typical grade, so there is no pace to compare with."
)
NO_RATINGS = gettext_noop(
    "Not enough ratings yet to place the work on the trajectory, so pace cannot be told."
)


def classify(
    *,
    stages: Sequence[StageGrade],
    age_grade: int | None,
    working_stage: int | None,
    completed: bool,
    tolerance: int = 0,
) -> Standing:
    """Compare the working stage with the expected one: ahead, on pace or behind.

    `working_stage` is the lowest stage not yet mastered; `completed` means every stage
    is mastered (then `working_stage` is ignored). A working stage of None without
    `completed` means the ratings do not place the student yet (see
    `WorkHistory.placed_stage`): pace unknown. Up to `tolerance` stages below the
    expected stage still count as on pace.
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must be ≥ 0, got {tolerance!r}")
    ordered = _ordered(stages)
    expected = expected_stage(ordered, age_grade)
    if expected is None:
        return Standing(None, _(NO_AGE_GRADE if age_grade is None else NO_TYPICAL_GRADES))
    ordinals = [stage.ordinal for stage in ordered]
    if completed:
        index = len(ordinals)
        where = _("Completed all %(stages)s") % {"stages": _stages_words(len(ordinals))}
    elif working_stage is None:
        return Standing(None, _(NO_RATINGS))
    elif working_stage not in ordinals:
        raise ValueError(f"working stage {working_stage} is not one of the stages {ordinals}")
    else:
        index = ordinals.index(working_stage)
        where = _("Working at stage %(stage)s") % {"stage": working_stage}
    words = {"where": where, "expectation": expected.words(len(ordinals))}
    if index > expected.index:
        return Standing(AHEAD, _("%(where)s; %(expectation)s — ahead.") % words)
    if index == expected.index:
        if completed:
            as_expected = _("%(where)s, as expected by %(grade)s — on pace.")
            return Standing(ON_PACE, as_expected % {**words, "grade": grade_words(age_grade)})
        return Standing(ON_PACE, _("%(where)s; %(expectation)s — on pace.") % words)
    if expected.index - index <= tolerance:
        allowed = _("up to %(stages)s below still counts as on pace") % {
            "stages": _stages_words(tolerance)
        }
        within = _("%(where)s; %(expectation)s, and %(allowed)s — on pace.")
        return Standing(ON_PACE, within % {**words, "allowed": allowed})
    return Standing(BEHIND, _("%(where)s; %(expectation)s — behind.") % words)


# ---- when mastery moved -----------------------------------------------------------------------


MasteryTest = Callable[[Sequence[float], Sequence[float]], bool]


def _running_form(
    *, method: str, params: Mapping[str, float], threshold: float
) -> Callable[[], Running]:
    params = dict(params)
    if method == "n_mastery":
        # As in `evaluate`: "n times at mastery" means at the policy's own level by default.
        params.setdefault("threshold", threshold)
    return running_form(method, params)


def _reaches(running: Running, *, cut: float, minimum_evidence: int) -> bool:
    if running.counted < minimum_evidence:
        return False
    value = running.value()
    return value is not None and value >= cut - TOLERANCE


def mastery_test(
    *, method: str, params: Mapping[str, float], threshold: float, minimum_evidence: int
) -> MasteryTest:
    """A check `(levels, weights) -> mastered` reaching the verdict `evaluate` reaches.

    The parameters are checked once here, and no explanation is written.
    """
    empty = _running_form(method=method, params=params, threshold=threshold)
    cut = mastery_cut(method, threshold)

    def mastered(levels: Sequence[float], weights: Sequence[float]) -> bool:
        if len(levels) != len(weights):
            raise ValueError(f"got {len(weights)} weights for {len(levels)} levels")
        running = empty()
        for level, weight in zip(levels, weights, strict=True):
            running.add(float(level), float(weight))
        return _reaches(running, cut=cut, minimum_evidence=minimum_evidence)

    return mastered


def working_index(mastered: Sequence[bool], higher_implies_lower: bool) -> int:
    """The index of the lowest stage not mastered (the number of stages when all are).

    With `higher_implies_lower`, mastering a stage counts every stage below it as mastered.
    """
    direct = list(mastered)
    if higher_implies_lower and any(direct):
        top = max(index for index, done in enumerate(direct) if done)
        direct[:top] = [True] * top
    return next((index for index, done in enumerate(direct) if not done), len(direct))


@dataclass(frozen=True)
class WorkHistory:
    """Where a student works now and when that last moved up, from their ratings."""

    working_stage: int | None  # None once every stage is mastered
    completed: bool
    started_on: date | None  # the day of the first rating
    last_advanced_on: date | None  # the last day the working stage moved up
    # The working stage rests on evidence: a stage is mastered or the working stage is rated.
    # Otherwise it is only the first stage by default, e.g. for work rated at stage 4 alone.
    established: bool = False

    @property
    def placed_stage(self) -> int | None:
        """The working stage when the evidence establishes it, for `classify`; else None."""
        return self.working_stage if self.established else None


def work_history(
    *,
    stages: Sequence[int],
    ratings: Sequence[Rating],
    method: str,
    params: Mapping[str, float],
    threshold: float,
    minimum_evidence: int,
    higher_implies_lower: bool,
) -> WorkHistory:
    """Replay the ratings day by day, as mastery "as of" each day would compute them.

    The day a stage becomes mastered is the day of the rating that made it so; the
    working stage moves up on that day. Ratings must run oldest → newest.
    """
    empty = _running_form(method=method, params=params, threshold=threshold)
    cut = mastery_cut(method, threshold)
    ordinals = sorted(stages)
    index_of = {ordinal: index for index, ordinal in enumerate(ordinals)}
    # Each stage's value is kept up to date rating by rating: linear in the ratings.
    running = [empty() for _ in ordinals]
    rated = [False] * len(ordinals)
    mastered = [False] * len(ordinals)
    position = working_index(mastered, higher_implies_lower)
    last_advanced_on = None
    previous_day = None
    for day, same_day in groupby(ratings, key=lambda rating: rating.day):
        if previous_day is not None and day < previous_day:
            raise ValueError(f"ratings must run oldest → newest; {day} follows {previous_day}")
        previous_day = day
        touched = set()
        for rating in same_day:
            if rating.stage not in index_of:
                raise ValueError(f"rating at stage {rating.stage}, not one of {ordinals}")
            index = index_of[rating.stage]
            running[index].add(float(rating.level), float(rating.weight))
            rated[index] = True
            touched.add(index)
        changed = False
        for index in touched:
            verdict = _reaches(running[index], cut=cut, minimum_evidence=minimum_evidence)
            changed = changed or verdict != mastered[index]
            mastered[index] = verdict
        if changed:
            now = working_index(mastered, higher_implies_lower)
            if now > position:
                last_advanced_on = day
            position = now
    completed = bool(ordinals) and position == len(ordinals)
    return WorkHistory(
        working_stage=None if completed or not ordinals else ordinals[position],
        completed=completed,
        started_on=ratings[0].day if ratings else None,
        last_advanced_on=last_advanced_on,
        established=completed or any(mastered) or bool(ordinals and rated[position]),
    )


# ---- stalled ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StallCheck:
    stalled: bool
    reason: str


def window_start(today: date, stall_weeks: int) -> date:
    """The last day before the stall window; the window is the days after it up to today."""
    return today - timedelta(weeks=stall_weeks)


def is_stalled(
    *,
    history: WorkHistory,
    ratings: Sequence[Rating],
    today: date,
    stall_weeks: int = DEFAULT_STALL_WEEKS,
    threshold: float,
    minimum_ratings: int = DEFAULT_STALL_RATINGS,
    labels: Mapping[float, str] | None = None,
) -> StallCheck:
    """Stalled: no growth to see at the working stage for `stall_weeks` weeks.

    All of these hold: no new stage was reached in the window (the `stall_weeks` weeks up
    to `today`); the student was already rated at the working stage before it; at least
    `minimum_ratings` ratings at that stage fall in it; every one of them is below the
    mastery threshold; and none is above the best rating at that stage from before.
    A student who has just reached a stage, or whose ratings there are rising, is not stalled.
    `ratings` are the student's counted ratings on the competency, any order.
    """
    if stall_weeks < 1:
        raise ValueError(f"stall_weeks must be ≥ 1, got {stall_weeks!r}")
    if minimum_ratings < 1:
        raise ValueError(f"minimum_ratings must be ≥ 1, got {minimum_ratings!r}")
    weeks = ngettext("%(count)s week", "%(count)s weeks", stall_weeks) % {"count": stall_weeks}
    start = window_start(today, stall_weeks)
    if history.completed:
        return StallCheck(False, _("Every stage is mastered."))
    if history.last_advanced_on is not None and history.last_advanced_on > start:
        reached = _("A new stage was reached on %(day)s.")
        return StallCheck(False, reached % {"day": _day(history.last_advanced_on)})
    stage = history.working_stage
    at_stage = [r for r in ratings if r.stage == stage and r.weight > 0 and r.day <= today]
    before = [rating.level for rating in at_stage if rating.day <= start]
    recent = [rating.level for rating in at_stage if rating.day > start]
    if not before:
        began = _("Work at stage %(stage)s began in the last %(weeks)s; too soon to tell.")
        return StallCheck(False, began % {"stage": stage, "weeks": weeks})
    if len(recent) < minimum_ratings:
        few = _(
            "%(ratings)s at stage %(stage)s in the last %(weeks)s; %(needed)s are needed to tell."
        )
        return StallCheck(
            False,
            few
            % {
                "ratings": _ratings(len(recent)),
                "stage": stage,
                "weeks": weeks,
                "needed": minimum_ratings,
            },
        )
    if max(recent) >= threshold - TOLERANCE:
        reached = _("A recent rating at stage %(stage)s reached %(level)s.")
        return StallCheck(False, reached % {"stage": stage, "level": _level(threshold, labels)})
    best_before = max(before)
    if max(recent) > best_before:
        growing = _(
            "Growing: a recent rating at stage %(stage)s is %(level)s, above the best before, "
            "%(best)s."
        )
        return StallCheck(
            False,
            growing
            % {
                "stage": stage,
                "level": _level(max(recent), labels),
                "best": _level(best_before, labels),
            },
        )
    since = (
        _day(history.last_advanced_on)
        if history.last_advanced_on
        else _("the first rating on %(day)s") % {"day": _day(history.started_on)}
    )
    count = len(recent)
    words = {
        "since": since,
        "stage": stage,
        "weeks": weeks,
        "level": _level(threshold, labels),
        "count": count,
    }
    if count == 1:
        stalled = _(
            "Needs support: no new stage since %(since)s; the one rating at stage %(stage)s "
            "in the last %(weeks)s is below %(level)s"
        )
    elif count == 2:
        stalled = _(
            "Needs support: no new stage since %(since)s; both ratings at stage %(stage)s "
            "in the last %(weeks)s are below %(level)s"
        )
    else:
        stalled = _(
            "Needs support: no new stage since %(since)s; all %(count)s ratings at stage "
            "%(stage)s in the last %(weeks)s are below %(level)s"
        )
    # Below mastery, none can be above a best that reached it: no need to say so then.
    no_rise = (
        _(", none above the %(best)s shown before") % {"best": _level(best_before, labels)}
        if best_before < threshold - TOLERANCE
        else ""
    )
    return StallCheck(True, stalled % words + no_rise + ".")


# A day as a date, or as its ISO text where days are stored: both order the same way.
Day = TypeVar("Day", date, str)


class StallSpan(NamedTuple, Generic[Day]):
    """When a student's ratings leave them stalled, as window starts rather than days.

    `is_stalled` with `stall_weeks` W and `minimum_ratings` m, on a day `today` no earlier
    than the last rating, holds exactly when `start` ≤ today − W < `ends[m − 1]`: from
    `start` on, every condition but the count of recent ratings holds and keeps holding;
    `ends[k]` is the day of the (k + 1)-th latest rating at the working stage, after which
    fewer than k + 1 ratings are left in the window. `start` is None when never stalled.
    Stored with a student's pace facts, it lets a database tell who is stalled.
    """

    start: Day | None
    ends: list[Day]


def stall_span(
    *,
    at_stage: Sequence[tuple[Day, float]],
    last_advanced_on: Day | None,
    completed: bool,
    threshold: float,
) -> StallSpan[Day]:
    """`is_stalled`'s verdict for every day and setting at once (see `StallSpan`).

    `at_stage` holds the (day, level) of each counted rating with weight at the working
    stage. Each condition changes only at a rating's day or the day a stage was reached,
    and all but the count of recent ratings turn true once and stay so as the window moves
    later: the span begins at the first of those days where they hold.
    """
    ordered = sorted(at_stage)
    ends = [day for day, _ in reversed(ordered)]
    if completed or not ordered:
        return StallSpan(None, ends)
    days = [day for day, _ in ordered]
    levels = [level for _, level in ordered]
    best_upto = list(accumulate(levels, max))  # the best before a window after that rating
    best_from = list(accumulate(reversed(levels), max))[::-1]  # the best in such a window
    floor = last_advanced_on
    for start in sorted({*days, floor} if floor is not None else set(days)):
        before = bisect_right(days, start)
        if before == len(days):
            break
        if (floor is not None and start < floor) or not before:
            continue
        if best_from[before] < threshold - TOLERANCE and best_from[before] <= best_upto[before - 1]:
            return StallSpan(start, ends)
    return StallSpan(None, ends)


def _level(value: float, labels: Mapping[float, str] | None) -> str:
    label = labels.get(value) if labels else None
    return f"{format_score(value)} ({label})" if label else format_score(value)


def _ratings(count: int) -> str:
    return ngettext("%(count)s rating", "%(count)s ratings", count) % {"count": count}
