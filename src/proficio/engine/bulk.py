"""The bulk path of the mastery engine: every group of a district in one vectorised pass.

`compute` gives, for each group key, the number `methods.calculate` gives for that group's
scores (DESIGN.md §3: per-student and bulk paths give the same numbers). It agrees with the
per-group path to within 1e-9 of the larger of the value and the group's scale (its largest
|score|, and at least 1, the unit of a rating scale); the only differences are the order in
which sums are added (`math.fsum` there, `np.add.reduceat` here) and the closed forms below.

Order of rows within a group: by `order` ascending (oldest first); rows with equal `order`
keep their input row order (a stable sort on (key, order, row)). Feed rows in the order that
should break ties, e.g. by (recorded_at, id) to match the per-student path.

How each method is computed, with s₁ … s_L a group's scores oldest first:

- latest, highest, mean, n_mastery: the last row of each group, `np.maximum.reduceat`, and
  segment sums and counts (`np.add.reduceat`).
- weighted_average: w·s_L + (1 − w)·(Σ_{j<L} s_j)/(L − 1), the earlier sum taken with each
  group's last score zeroed rather than subtracted, so nothing cancels.
- decaying_average: the recurrence unrolled, d_L = (1−r)^(L−1)·s₁ + Σ_{j≥2} r·(1−r)^(L−j)·s_j.
  Exponents count back from the group's end, so every factor lies in [0, 1]: a long group's
  oldest terms underflow to 0 exactly where they stop mattering, and nothing overflows.
- median_recent(n): the last min(n, L) rows of each group sorted by (group, score) in one
  sort of packed integer codes; the middle one, or the mean of the middle two.
- mode: the same sort over all rows; run lengths of equal (group, score) codes; per group
  the largest (run length, score) code, so a tie goes to the higher score.
- power_law: least squares on ln y = ln a + b·ln x with x = 1 … L, from segment sums of the
  centred ln x and ln y (two passes, as the per-group path); read at x = L. Scores shifted by
  1 − lowest when the lowest is ≤ 0, and equal scores give that score, as in `power_law`.
- knowledge_tracing: every group's right/wrong answers stepped together, one position at a
  time (`bkt.trace_last`): a loop over the longest group's length, not over groups.

Sorting: one sort of uint64 codes that pack (key, leading bits of order, row), several times
faster than `np.lexsort`. Keys are packed as their distance from the smallest key, or numbered
0, 1, … when spread too wide. When the order does not fit whole beside key and row, rows of a
group sharing the leading bits come out by row number; the few groups where that puts a later
order first are then sorted exactly. Methods whose result does not depend on order (highest,
mean, mode, n_mastery) leave order out of the sort.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from proficio.engine import bkt
from proficio.engine.methods import validate_parameters

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Codes = NDArray[np.uint64]

# A group code and a row position are packed into one uint64, 32 bits each at most.
MAX_ROWS = 2**32 - 1

_SIGN_BIT = np.uint64(1 << 63)
_SIGN_BIT_32 = np.uint32(1 << 31)
# Leading bits of order packed beside the key: with fewer, more groups need an exact re-sort,
# so keys spread too wide to leave this many are numbered 0, 1, … first.
ORDER_BITS_WANTED = 16

_ORDER_FREE = frozenset({"highest", "mean", "mode", "n_mastery"})


def compute(
    keys: ArrayLike,
    order: ArrayLike,
    scores: ArrayLike,
    method: str,
    weights: ArrayLike | None = None,
    **params: float,
) -> tuple[Ints, Floats]:
    """Every group's value by `method`: (unique keys ascending, values), NaN where None.

    keys: an integer group key per row (e.g. one number per (student, competency, stage)).
    order: when each row was observed (integers or floats, e.g. epoch microseconds); equal
    values keep their input row order. scores: finite numbers. weights: ≥ 0 per row; as in
    `calculate`, mean weighs by them and every other method leaves weight-0 rows out.
    params: the method's parameters, checked like `calculate` checks them.
    """
    checked = validate_parameters(method, params)
    key_array, order_array, score_array, weight_array = _checked_arrays(
        keys, order, scores, weights
    )
    if key_array.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    unique_keys, by_group, starts = _grouped(
        key_array, None if method in _ORDER_FREE else order_array
    )
    if weight_array is None:
        return unique_keys, _KERNELS[method](score_array, by_group, starts, **checked)
    if method == "mean":
        return unique_keys, _weighted_mean(score_array, weight_array, by_group, starts)
    counted = _take(weight_array, by_group) > 0
    group_of_row = _segment_of_row(starts, by_group.size)[counted]
    values = np.full(starts.size, np.nan)
    if group_of_row.size:
        counted_starts = _run_starts(group_of_row)
        values[group_of_row[counted_starts]] = _KERNELS[method](
            score_array, by_group[counted], counted_starts, **checked
        )
    return unique_keys, values


# Checking input


def _checked_arrays(
    keys: ArrayLike, order: ArrayLike, scores: ArrayLike, weights: ArrayLike | None
) -> tuple[Ints, Ints | Floats, Floats, Floats | None]:
    key_array = _integers("keys", keys)
    order_array = _order(order)
    score_array = _finite("scores", scores)
    arrays = {"keys": key_array, "order": order_array, "scores": score_array}
    weight_array = None
    if weights is not None:
        weight_array = _finite("weights", weights, "weights must be finite numbers ≥ 0")
        if (weight_array < 0).any():
            raise ValueError("weights must be finite numbers ≥ 0")
        arrays["weights"] = weight_array
    for name, array in arrays.items():
        if array.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    sizes = {array.size for array in arrays.values()}
    if len(sizes) > 1:
        given = ", ".join(f"{array.size} {name}" for name, array in arrays.items())
        raise ValueError(f"every row needs a key, an order and a score; got {given}")
    if key_array.size > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} rows per call, got {key_array.size}")
    return key_array, order_array, score_array, weight_array


def _integers(name: str, values: ArrayLike) -> Ints:
    array = np.asarray(values)
    if array.size == 0:  # np.asarray([]) is float64; no rows have no wrong type
        return np.empty(array.shape, np.int64)
    if array.dtype.kind not in "iu" or not np.can_cast(array.dtype, np.int64):
        raise ValueError(f"{name} must be integers that fit in int64, got {array.dtype}")
    return array.astype(np.int64, copy=False)


def _order(order: ArrayLike) -> Ints | Floats:
    array = np.asarray(order)
    if array.dtype.kind in "iu":
        return _integers("order", array)
    if array.dtype.kind != "f":
        raise ValueError(f"order must be numbers (e.g. epoch microseconds), got {array.dtype}")
    return _finite("order", array)


def _finite(name: str, values: ArrayLike, message: str = "") -> Floats:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(message or f"{name} must be finite numbers") from None
    # NaN carries through min and max, and an infinity is one of them: no mask needed.
    if array.size and not (np.isfinite(array.min()) and np.isfinite(array.max())):
        raise ValueError(message or f"{name} must be finite numbers")
    return array


# Grouping


def _grouped(keys: Ints, order: Ints | Floats | None) -> tuple[Ints, Ints, Ints]:
    """The distinct keys ascending, the row numbers sorted by (key, order, row), and where
    each key's rows start among them.

    One sort of uint64 codes packing (key, leading bits of order, row). When the order does
    not fit whole, rows of one key whose orders share their leading bits come out by row;
    the few keys where that puts a later order first are then sorted exactly.
    Without order, rows of a key stay in input order.
    """
    size = keys.size
    row_bits = _bits(size - 1)
    order_codes = None if order is None else _sortable(order)
    span_bits = 0 if order_codes is None else _bits(int(order_codes.max()))
    packed, key_of_code = _key_codes(keys, row_bits + min(span_bits, ORDER_BITS_WANTED))
    order_bits = min(span_bits, 64 - _bits(int(packed.max())) - row_bits)
    dropped_bits = span_bits - order_bits
    if order_codes is not None and order_bits:
        packed <<= order_bits
        order_codes >>= dropped_bits
        packed |= order_codes
    packed <<= row_bits
    rows = np.arange(size, dtype=np.uint64)
    packed |= rows
    packed.sort()
    by_group = np.bitwise_and(packed, (1 << row_bits) - 1, out=rows).view(np.int64)
    packed >>= row_bits
    shared_leading_bits = None
    if order is not None and dropped_bits:
        shared_leading_bits = np.flatnonzero(packed[1:] == packed[:-1]) + 1
    packed >>= order_bits
    starts = _run_starts(packed)
    if order is not None and shared_leading_bits is not None:
        _sort_within_shared_bits(by_group, starts, shared_leading_bits, order)
    return key_of_code(packed[starts]), by_group, starts


def _sort_within_shared_bits(
    by_group: Ints, starts: Ints, shared: Ints, order: Ints | Floats
) -> None:
    """Sort exactly, in place, each group where rows sharing leading order bits are out of order.

    shared: the positions (in group order) whose row has the same key and leading order bits
    as the row before, so the two came out by row number rather than by order.
    """
    later_first = shared[order[by_group[shared]] < order[by_group[shared - 1]]]
    if later_first.size == 0:
        return
    groups = np.unique(np.searchsorted(starts, later_first, side="right") - 1)
    group_starts = starts[groups]
    lengths = _segment_ends(starts, by_group.size)[groups] - group_starts
    offsets = np.cumsum(lengths) - lengths
    positions = np.repeat(group_starts - offsets, lengths) + np.arange(lengths.sum())
    rows = by_group[positions]
    exact = np.lexsort((rows, order[rows], np.repeat(groups, lengths)))
    by_group[positions] = rows[exact]


def _key_codes(keys: Ints, reserved_bits: int) -> tuple[Codes, Callable[[Codes], Ints]]:
    """Codes that sort like the keys and leave reserved_bits free in a uint64, and their keys.

    The key's distance from the smallest key when that fits, else the keys numbered 0, 1, …
    """
    lowest = int(keys.min())
    key_bits = _bits(int(keys.max()) - lowest)
    # Wrapping uint64 arithmetic gives each distance from the smallest exactly: all < 2**64.
    lowest_code = np.uint64(lowest % 2**64)
    codes = keys.view(np.uint64) - lowest_code
    if key_bits + reserved_bits <= 64:
        return codes, lambda distances: (distances + lowest_code).view(np.int64)
    row_bits = _bits(codes.size - 1)
    if key_bits + row_bits > 64:
        distinct, numbers = np.unique(keys, return_inverse=True)
        return numbers.astype(np.uint64), lambda numbers: distinct[numbers.view(np.int64)]
    codes <<= row_bits
    codes |= np.arange(codes.size, dtype=np.uint64)
    codes.sort()
    rows = (codes & ((1 << row_bits) - 1)).view(np.int64)
    first_of_key = _run_starts(codes >> row_bits)
    rows_per_key = np.diff(first_of_key, append=codes.size)
    numbers = np.empty(codes.size, dtype=np.uint64)
    numbers[rows] = np.repeat(np.arange(first_of_key.size, dtype=np.uint64), rows_per_key)
    distinct = _take(keys, rows[first_of_key])
    return numbers, lambda numbers: distinct[numbers.view(np.int64)]


def _sortable(order: Ints | Floats) -> Codes:
    """uint64 codes that sort like the order (integers or finite floats), the smallest 0."""
    if order.dtype == np.float64:
        codes = (order + 0.0).view(np.uint64)  # + 0.0 turns -0.0 into 0.0, which it equals
        # IEEE bits sort like the numbers once a negative has every bit flipped, else the sign.
        codes ^= (np.uint64(0) - (codes >> 63)) | _SIGN_BIT
        codes -= codes.min()
        return codes
    return order.view(np.uint64) - np.uint64(int(order.min()) % 2**64)


def _take(values: NDArray[np.generic], rows: Ints) -> NDArray[np.generic]:
    """values[rows] for row numbers known to be in range (np.take skips the bounds check)."""
    return np.take(values, rows, mode="clip")


def _bits(largest: int) -> int:
    return int(largest).bit_length()


def _run_starts(sorted_codes: NDArray[np.generic]) -> Ints:
    """Where each run of equal values starts in a sorted array."""
    changes = np.empty(sorted_codes.size, dtype=bool)
    changes[0] = True
    np.not_equal(sorted_codes[1:], sorted_codes[:-1], out=changes[1:])
    return np.flatnonzero(changes)


def _segment_ends(starts: Ints, size: int) -> Ints:
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1] = size
    return ends


def _segment_of_row(starts: Ints, size: int) -> Ints:
    return np.repeat(np.arange(starts.size), np.diff(starts, append=size))


def _rows_to_end(starts: Ints, size: int) -> Ints:
    """Per row, how many rows of its group come after it (0 for the newest)."""
    ends = _segment_ends(starts, size)
    rows_to_end = np.repeat(ends - 1, ends - starts)
    rows_to_end -= np.arange(size)
    return rows_to_end


def _sorted_within(
    segment_of_row: Ints, scores: Floats
) -> tuple[Codes, int, Callable[[Codes], Floats]]:
    """(segment, score) codes sorted ascending, the score code's bit width, and the way from a
    score code back to its score.
    """
    score_codes, score_bits, score_of_code = _score_codes(scores)
    codes = segment_of_row.astype(np.uint64)
    codes <<= score_bits
    codes |= score_codes
    codes.sort()
    return codes, score_bits, score_of_code


def _score_codes(scores: Floats) -> tuple[Codes, int, Callable[[Codes], Floats]]:
    """Codes that sort like the scores, their bit width, and the way back to scores.

    Scores exact in float32 (levels such as 1, 2.5 or 3.75) use those 32 bits, made to sort
    like the numbers; others are numbered by `np.unique`, which sorts them once more.
    """
    with np.errstate(over="ignore"):  # a score beyond float32 becomes inf: not exact
        narrow = (scores + 0.0).astype(np.float32)  # + 0.0: -0.0 is 0.0, as Counter counts it
    if np.array_equal(narrow, scores):
        bits = narrow.view(np.uint32)
        bits ^= (np.uint32(0) - (bits >> 31)) | _SIGN_BIT_32
        return bits.astype(np.uint64), 32, _float32_of_code
    levels, numbers = np.unique(scores, return_inverse=True)

    def level_of_code(codes: Codes) -> Floats:
        return levels[codes.view(np.int64)]

    return numbers.astype(np.uint64), _bits(levels.size - 1), level_of_code


def _float32_of_code(codes: Codes) -> Floats:
    bits = codes.astype(np.uint32)
    # A set top bit marks a number ≥ 0, whose sign bit alone was flipped; else every bit was.
    bits ^= (np.uint32(0) - ((bits >> 31) ^ 1)) | _SIGN_BIT_32
    return bits.view(np.float32).astype(np.float64)


# The methods. Each takes the scores (in input order), the row numbers in group order
# (oldest first where that matters) and where each group starts among them (none empty),
# and returns one value per group.


def _latest(scores: Floats, rows: Ints, starts: Ints) -> Floats:
    return _take(scores, _take(rows, _segment_ends(starts, rows.size) - 1))


def _highest(scores: Floats, rows: Ints, starts: Ints) -> Floats:
    return np.maximum.reduceat(_take(scores, rows), starts)


def _mean(scores: Floats, rows: Ints, starts: Ints) -> Floats:
    return np.add.reduceat(_take(scores, rows), starts) / np.diff(starts, append=rows.size)


def _weighted_mean(scores: Floats, weights: Floats, rows: Ints, starts: Ints) -> Floats:
    weights_in_group_order = _take(weights, rows)
    totals = np.add.reduceat(weights_in_group_order, starts)
    sums = np.add.reduceat(weights_in_group_order * _take(scores, rows), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, sums / totals, np.nan)


def _median_recent(scores: Floats, rows: Ints, starts: Ints, n: int) -> Floats:
    window = np.minimum(np.diff(starts, append=rows.size), n)
    recent = rows[_rows_to_end(starts, rows.size) < n]
    codes, score_bits, score_of_code = _sorted_within(
        np.repeat(np.arange(starts.size), window), _take(scores, recent)
    )
    ordered = score_of_code(codes & ((1 << score_bits) - 1))
    window_starts = np.cumsum(window) - window
    upper = ordered[window_starts + window // 2]
    lower = ordered[window_starts + (window - 1) // 2]
    return np.where(window % 2 == 1, upper, (lower + upper) / 2)


def _mode(scores: Floats, rows: Ints, starts: Ints) -> Floats:
    in_order = _take(scores, rows)
    codes, score_bits, score_of_code = _sorted_within(_segment_of_row(starts, rows.size), in_order)
    runs = _run_starts(codes)
    run_lengths = np.diff(runs, append=codes.size).astype(np.uint64)
    run_codes = codes[runs]
    score_mask = (1 << score_bits) - 1
    # Largest (run length, score) per group: the most frequent score, ties to the higher.
    ranked_runs = (run_lengths << score_bits) | (run_codes & score_mask)
    best = np.maximum.reduceat(ranked_runs, _run_starts(run_codes >> score_bits))
    return score_of_code(best & score_mask)


def _weighted_average(scores: Floats, rows: Ints, starts: Ints, weight: float) -> Floats:
    in_order = _take(scores, rows)
    last_rows = _segment_ends(starts, rows.size) - 1
    earlier_count = last_rows - starts
    latest = in_order[last_rows]
    in_order[last_rows] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        earlier_mean = np.add.reduceat(in_order, starts) / earlier_count
    return np.where(earlier_count > 0, weight * latest + (1 - weight) * earlier_mean, latest)


def _decaying_average(scores: Floats, rows: Ints, starts: Ints, rate: float) -> Floats:
    lengths = np.diff(starts, append=rows.size)
    powers = np.power(1 - rate, np.arange(lengths.max(), dtype=np.float64))
    terms = _take(rate * powers, _rows_to_end(starts, rows.size))
    terms[starts] = powers[lengths - 1]  # the first score is d₁ itself, never mixed in
    terms *= _take(scores, rows)
    return np.add.reduceat(terms, starts)


def _n_mastery(scores: Floats, rows: Ints, starts: Ints, n: int, threshold: float) -> Floats:
    in_order = _take(scores, rows)
    at_or_above = in_order >= threshold
    counts = np.add.reduceat(at_or_above, starts, dtype=np.int64)
    in_order *= at_or_above
    sums = np.add.reduceat(in_order, starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts >= n, sums / counts, np.nan)


def _power_law(scores: Floats, rows: Ints, starts: Ints) -> Floats:
    in_order = _take(scores, rows)
    lengths = np.diff(starts, append=rows.size)
    lowest = np.minimum.reduceat(in_order, starts)
    highest = np.maximum.reduceat(in_order, starts)
    shift = np.where(lowest <= 0, 1 - lowest, 0.0)
    group = _segment_of_row(starts, rows.size)
    ln_x = np.log((np.arange(rows.size) - starts[group] + 1).astype(np.float64))
    ln_y = np.log(in_order + shift[group])
    x_mean = np.add.reduceat(ln_x, starts) / lengths
    y_mean = np.add.reduceat(ln_y, starts) / lengths
    ln_x -= x_mean[group]
    ln_y -= y_mean[group]
    covariance = np.add.reduceat(ln_x * ln_y, starts)
    variance = np.add.reduceat(ln_x * ln_x, starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = covariance / variance
        # In log space and clamped to the scores' own range, as methods.PowerLawFit.at does.
        ln_reading = (y_mean - b * x_mean) + b * np.log(lengths.astype(np.float64))
        ln_reading = np.clip(ln_reading, np.log(lowest + shift), np.log(highest + shift))
        fitted = np.exp(ln_reading) - shift
    return np.where(lowest == highest, lowest, fitted)


def _knowledge_tracing(
    scores: Floats,
    rows: Ints,
    starts: Ints,
    right_at: float,
    prior: float,
    learn: float,
    guess: float,
    slip: float,
    forget: float,
) -> Floats:
    params = bkt.BktParams(prior=prior, learn=learn, guess=guess, slip=slip, forget=forget)
    return bkt.trace_last(_take(scores, rows) >= right_at, starts, params)


_KERNELS: dict[str, Callable[..., Floats]] = {
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
