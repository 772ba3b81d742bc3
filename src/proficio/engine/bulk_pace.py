"""The bulk form of `pace.work_history`: every (student, competency) of a chunk replayed in a
few array passes instead of one Python replay per pair (DESIGN.md §3: both paths agree).

Two steps, as the replay takes them:

- `stage_verdicts`: per rating, whether its stage is mastered once that rating is in — the
  method's value over the stage's counted ratings so far, the minimum of evidence and the
  threshold, as `work_history` checks them. Each method's value after every rating comes from
  its running form over arrays: a group's ratings sit in one row of a padded matrix (groups
  of like length together, so padding stays under half), and cumulative sums, maxima or a
  sliding window run along the rows. power_law, whose fit has no running form, refits each
  prefix of each group (`methods.power_law`), as `engine.running` does.
- `work_histories`: each stage's verdict carried from day to day, the working stage after
  every day (`pace.working_index`), the last day it moved up, whether the evidence
  establishes it, and which ratings sit at the final working stage.

Verdicts equal the per-pair replay's. Values after each rating are the running forms' to
within summation order (cumulative sums here, exact sums there: ~1e-16 relative), so a
verdict could differ only for a value within that of the threshold less `TOLERANCE` — as in
`engine.bulk`, whose values the records keep. decaying_average, latest, highest, mode and
median_recent take the very same floating-point steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from proficio.engine import bkt
from proficio.engine.explain import TOLERANCE
from proficio.engine.methods import mastery_cut, power_law, validate_parameters

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]

# A day for "none" in day arrays: before any day a rating can have.
NO_DAY = np.iinfo(np.int64).min


def stage_verdicts(
    keys: ArrayLike,
    scores: ArrayLike,
    weights: ArrayLike,
    method: str,
    params: Mapping[str, float],
    *,
    threshold: float,
    minimum_evidence: int,
) -> Bools:
    """Per row, whether its group (one student's stage) is mastered once the row is in.

    Rows run oldest first within each key (keys need not be contiguous: a stable sort by key
    keeps that order). A weight-0 row is shown but not counted: it changes no verdict, so it
    gets none (False); `work_histories` reads the verdicts of counted rows only.
    params: the method's, checked as `calculate` checks them; n_mastery's own threshold
    defaults to the policy's `threshold`, as in `evaluate`.
    """
    key_array = np.asarray(keys, dtype=np.int64)
    score_array = np.asarray(scores, dtype=np.float64)
    weight_array = np.asarray(weights, dtype=np.float64)
    if not key_array.size == score_array.size == weight_array.size:
        raise ValueError("every row needs a key, a score and a weight")
    if not np.isfinite(score_array).all():
        raise ValueError("scores must be finite numbers")
    if not (np.isfinite(weight_array).all() and (weight_array >= 0).all()):
        raise ValueError("weights must be finite numbers ≥ 0")
    params = dict(params)
    if method == "n_mastery":
        params.setdefault("threshold", threshold)
    checked = validate_parameters(method, params)
    verdicts = np.zeros(key_array.size, dtype=bool)
    by_key = np.argsort(key_array, kind="stable")
    counted = by_key[weight_array[by_key] > 0]
    if counted.size == 0:
        return verdicts
    counted_keys = key_array[counted]
    starts = _run_starts(counted_keys)
    values = np.empty(counted.size)
    counted_scores, counted_weights = score_array[counted], weight_array[counted]
    for rows, inside in _padded(starts, counted.size):
        prefix = _PREFIX[method](counted_scores[rows], counted_weights[rows], **checked)
        values[rows[inside]] = prefix[inside]
    so_far = np.arange(counted.size) - np.repeat(starts, np.diff(starts, append=counted.size)) + 1
    with np.errstate(invalid="ignore"):
        reached = (so_far >= minimum_evidence) & (
            values >= mastery_cut(method, threshold) - TOLERANCE
        )
    verdicts[counted] = reached
    return verdicts


@dataclass(frozen=True)
class WorkHistories:
    """`pace.WorkHistory` for every group, as arrays indexed by group number; days as given.

    working: the working stage's position (0 for the first stage); equal to the group's stage
    count when every stage is mastered (`completed`).
    """

    working: Ints
    completed: Bools
    established: Bools
    started_on: Ints  # the first rating's day, NO_DAY without ratings
    last_advanced_on: Ints  # NO_DAY if the working stage never moved up
    last_day: Ints  # the last rating's day, NO_DAY without ratings
    at_working_stage: Bools  # per row: counted (weight > 0) and at the final working stage


def work_histories(
    group: ArrayLike,
    day: ArrayLike,
    position: ArrayLike,
    weights: ArrayLike,
    verdict: ArrayLike,
    stage_count: ArrayLike,
    higher_implies_lower: ArrayLike,
) -> WorkHistories:
    """Replay every group's ratings day by day, as `pace.work_history` replays one.

    Per row, in replay order (groups ascending, days oldest first within a group): its group
    number, day (an integer), stage position, weight and `stage_verdicts` verdict. Per group
    (0 … len(stage_count) − 1; a group without rows has no ratings): its stage count and
    whether mastering a stage counts every stage below it as mastered.
    """
    group = np.asarray(group, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    position = np.asarray(position, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.float64)
    verdict = np.asarray(verdict, dtype=bool)
    stage_count = np.asarray(stage_count, dtype=np.int64)
    implies = np.asarray(higher_implies_lower, dtype=bool)
    groups = stage_count.size
    working = np.zeros(groups, dtype=np.int64)
    started_on = np.full(groups, NO_DAY)
    last_advanced_on = np.full(groups, NO_DAY)
    last_day = np.full(groups, NO_DAY)
    any_mastered = np.zeros(groups, dtype=bool)
    if group.size:
        if (np.diff(group) < 0).any() or ((np.diff(day) < 0) & (np.diff(group) == 0)).any():
            raise ValueError("rows must run by group, then oldest day first")
        # Events: a group's ratings of one day, after which its verdicts are read.
        new_event = np.append(True, (group[1:] != group[:-1]) | (day[1:] != day[:-1]))
        event = np.cumsum(new_event) - 1
        event_rows = np.flatnonzero(new_event)
        event_group, event_day = group[event_rows], day[event_rows]
        events = event_rows.size
        new_group = np.append(True, event_group[1:] != event_group[:-1])
        group_first_event = np.maximum.accumulate(np.where(new_group, np.arange(events), 0))
        mastered = _mastered_after_each_day(event, position, weights, verdict, group_first_event)
        mastered &= np.arange(mastered.shape[1]) < stage_count[event_group][:, None]
        after = _working_index(mastered, implies[event_group])
        before = np.zeros(events, dtype=np.int64)
        before[1:] = after[:-1]
        before[new_group] = 0
        moved_up = np.flatnonzero(after > before)
        np.maximum.at(last_advanced_on, event_group[moved_up], event_day[moved_up])
        last_event = np.append(np.flatnonzero(new_group)[1:], events) - 1
        rated_groups = event_group[last_event]
        working[rated_groups] = after[last_event]
        any_mastered[rated_groups] = mastered[last_event].any(axis=1)
        started_on[rated_groups] = event_day[group_first_event[last_event]]
        last_day[rated_groups] = event_day[last_event]
    completed = (working == stage_count) & (stage_count > 0)
    at_working = position == working[group]
    rated_at_working = np.zeros(groups, dtype=bool)
    rated_at_working[group[at_working]] = True
    return WorkHistories(
        working=working,
        completed=completed,
        established=completed | any_mastered | rated_at_working,
        started_on=started_on,
        last_advanced_on=last_advanced_on,
        last_day=last_day,
        at_working_stage=at_working & (weights > 0),
    )


def _mastered_after_each_day(
    event: Ints,
    position: Ints,
    weights: Floats,
    verdict: Bools,
    group_first_event: Ints,
) -> Bools:
    """[event, stage position] → mastered once that day's ratings are in.

    A stage's verdict is read after its last counted rating of the day and carried to the
    group's later days; stages the group has not rated are not mastered.
    """
    events = group_first_event.size
    columns = int(position.max()) + 2  # a spare column, never mastered, ends every line
    counted = np.flatnonzero(weights > 0)
    if counted.size == 0:
        return np.zeros((events, columns), dtype=bool)
    cell = event[counted] * columns + position[counted]
    order = np.argsort(cell, kind="stable")
    cell, counted = cell[order], counted[order]
    last = np.append(cell[1:] != cell[:-1], True)
    state = np.zeros(events * columns, dtype=bool)
    state[cell[last]] = verdict[counted[last]]
    touched_on = np.full(events * columns, -1, dtype=np.int64)
    touched_on[cell[last]] = cell[last] // columns
    touched_on = np.maximum.accumulate(touched_on.reshape(events, columns), axis=0)
    in_group = touched_on >= group_first_event[:, None]
    carried = np.where(in_group, touched_on * columns + np.arange(columns), 0)
    return in_group & state[carried]


def _working_index(mastered: Bools, implies: Bools) -> Ints:
    """Per row, `pace.working_index`: the first stage not mastered, counting every stage
    below the highest mastered one as mastered where `implies`."""
    columns = mastered.shape[1]
    highest = columns - 1 - np.argmax(mastered[:, ::-1], axis=1)
    below_highest = np.arange(columns) <= highest[:, None]
    filled = mastered | ((implies & mastered.any(axis=1))[:, None] & below_highest)
    return np.argmax(~filled, axis=1)


def _run_starts(sorted_values: NDArray[np.generic]) -> Ints:
    return np.flatnonzero(np.append(True, sorted_values[1:] != sorted_values[:-1]))


def _padded(starts: Ints, size: int) -> Iterator[tuple[Ints, Bools]]:
    """The rows of every group as padded matrices, one per power-of-two width: (row numbers,
    one group a line, padding repeating the group's last row; which cells are real)."""
    lengths = np.diff(starts, append=size)
    widths = 1 << np.ceil(np.log2(lengths)).astype(np.int64)
    for width in np.unique(widths).tolist():
        chosen = np.flatnonzero(widths == width)
        offsets = np.arange(width)
        inside = offsets < lengths[chosen][:, None]
        rows = starts[chosen][:, None] + np.minimum(offsets, lengths[chosen][:, None] - 1)
        yield rows, inside


# Each method's value after every rating of a group, a group a line (padding after the last
# rating, repeating it). Every rating here counts (weight > 0).


def _latest(scores: Floats, weights: Floats) -> Floats:
    return scores


def _highest(scores: Floats, weights: Floats) -> Floats:
    return np.maximum.accumulate(scores, axis=1)


def _mean(scores: Floats, weights: Floats) -> Floats:
    return np.cumsum(weights * scores, axis=1) / np.cumsum(weights, axis=1)


def _median_recent(scores: Floats, weights: Floats, n: float) -> Floats:
    window = min(int(n), scores.shape[1])
    earlier = np.full((scores.shape[0], window - 1), np.nan)
    recent = np.sort(sliding_window_view(np.hstack([earlier, scores]), window, axis=1), axis=2)
    taken = np.minimum(np.arange(scores.shape[1]) + 1, window)  # NaN padding sorts last
    upper = np.take_along_axis(recent, (taken // 2)[None, :, None], axis=2)[..., 0]
    lower = np.take_along_axis(recent, ((taken - 1) // 2)[None, :, None], axis=2)[..., 0]
    return np.where(taken % 2 == 1, upper, (lower + upper) / 2)


def _mode(scores: Floats, weights: Floats) -> Floats:
    # Per rating, how often its score has come so far; the largest (count, score) wins.
    levels, level = np.unique(scores, return_inverse=True)
    level = level.reshape(scores.shape)
    line = np.repeat(np.arange(scores.shape[0]), scores.shape[1])
    flat = level.ravel()
    order = np.lexsort((np.arange(flat.size), flat, line))
    run_start = _run_starts(line[order] * levels.size + flat[order])
    run_of = np.repeat(run_start, np.diff(run_start, append=flat.size))
    times = np.empty(flat.size, dtype=np.int64)
    times[order] = np.arange(flat.size) - run_of + 1
    ranked = times.reshape(scores.shape) * levels.size + level
    return levels[np.maximum.accumulate(ranked, axis=1) % levels.size]


def _weighted_average(scores: Floats, weights: Floats, weight: float) -> Floats:
    earlier = np.zeros_like(scores)
    earlier[:, 1:] = np.cumsum(scores, axis=1)[:, :-1] / np.arange(1, scores.shape[1])
    values = weight * scores + (1 - weight) * earlier
    values[:, 0] = scores[:, 0]
    return values


def _decaying_average(scores: Floats, weights: Floats, rate: float) -> Floats:
    values = np.empty_like(scores)
    values[:, 0] = scores[:, 0]
    for k in range(1, scores.shape[1]):
        values[:, k] = (1 - rate) * values[:, k - 1] + rate * scores[:, k]
    return values


def _n_mastery(scores: Floats, weights: Floats, n: float, threshold: float) -> Floats:
    at_or_above = scores >= threshold
    times = np.cumsum(at_or_above, axis=1)
    totals = np.cumsum(np.where(at_or_above, scores, 0.0), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(times >= n, totals / times, np.nan)


def _power_law(scores: Floats, weights: Floats) -> Floats:
    values = np.empty_like(scores)
    for line, ratings in enumerate(scores.tolist()):
        values[line] = [power_law(ratings[: k + 1]) for k in range(len(ratings))]
    return values


def _knowledge_tracing(scores: Floats, weights: Floats, right_at: float, **params: float) -> Floats:
    chain = bkt.BktParams(**params)
    right = scores >= right_at
    values = np.empty_like(scores)
    mastered = np.full(scores.shape[0], chain.prior)
    for k in range(scores.shape[1]):
        mastered = values[:, k] = bkt.step(mastered, right[:, k], chain)
    return values


_PREFIX: dict[str, Callable[..., Floats]] = {
    "latest": _latest,
    "highest": _highest,
    "mean": _mean,
    "median_recent": _median_recent,
    "mode": _mode,
    "weighted_average": _weighted_average,
    "decaying_average": _decaying_average,
    "n_mastery": _n_mastery,
    "power_law": _power_law,
    "knowledge_tracing": _knowledge_tracing,
}
