import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proficio.engine.bulk import compute
from proficio.engine.methods import METHOD_PARAMETERS, METHODS, calculate

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Table:
    keys: list[int]
    order: list[float] | list[int]
    scores: list[float]
    weights: list[float] | None = None


def per_group(table: Table, method: str, params: dict[str, float]) -> dict[int, float | None]:
    """The reference: calculate on each group's scores sorted by (order, input row)."""
    rows_of_key: dict[int, list[int]] = defaultdict(list)
    for row, key in enumerate(table.keys):
        rows_of_key[key].append(row)
    expected = {}
    for key, rows in rows_of_key.items():
        rows.sort(key=lambda row: (table.order[row], row))
        weights = None if table.weights is None else [table.weights[row] for row in rows]
        scores = [table.scores[row] for row in rows]
        expected[key] = calculate(method, scores, weights, **params)
    return expected


def bulk(table: Table, method: str, params: dict[str, float]) -> dict[int, float]:
    keys, values = compute(
        np.array(table.keys, dtype=np.int64),
        table.order,
        table.scores,
        method,
        table.weights,
        **params,
    )
    assert keys.dtype == np.int64
    assert values.dtype == np.float64
    assert keys.tolist() == sorted(set(table.keys))
    return dict(zip(keys.tolist(), values.tolist(), strict=True))


def _scale(table: Table, key: int) -> float:
    """The group's largest |score| (at least 1): what a sum's rounding is relative to."""
    return max([1.0] + [abs(s) for k, s in zip(table.keys, table.scores, strict=True) if k == key])


def assert_same_as_per_group(table: Table, method: str, params: dict[str, float]) -> None:
    got = bulk(table, method, params)
    for key, want in per_group(table, method, params).items():
        if want is None:
            assert math.isnan(got[key]), (key, got[key])
        else:
            slack = TOLERANCE * max(abs(want), _scale(table, key))
            assert abs(got[key] - want) <= slack, (key, got[key], want)


# Random tables

levels = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0])
any_scores = st.floats(min_value=-100, max_value=100, allow_nan=False, allow_subnormal=False)
key_pools = st.one_of(
    # Narrow keys: their distance from the smallest is packed beside order and row.
    st.lists(st.integers(-3, 12), min_size=1, max_size=8, unique=True),
    # Keys too spread to leave room for order: numbered 0, 1, … by a first sort.
    st.lists(st.integers(-(2**44), 2**44), min_size=1, max_size=8, unique=True),
    # Keys spread over all of int64, large and negative alike.
    st.lists(st.integers(INT64_MIN, INT64_MAX), min_size=1, max_size=8, unique=True),
)
order_values = st.sampled_from(
    [
        st.integers(0, 5),  # few values: many ties
        st.integers(INT64_MIN, INT64_MAX),
        # Extremes beside close values: only leading bits fit, so groups get re-sorted exactly.
        st.one_of(st.integers(0, 9), st.sampled_from([INT64_MIN, INT64_MAX])),
        st.one_of(
            st.sampled_from([0.0, -0.0, 1.5, -2.0, 1e300, -1e300, 5e-324]),
            st.floats(allow_nan=False, allow_infinity=False),
        ),
    ]
)
weight_values = st.one_of(
    st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    st.floats(min_value=0, max_value=10, allow_subnormal=False),
)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    pool = draw(key_pools)
    size = draw(st.integers(min_value=1, max_value=40))
    rows = st.lists(st.sampled_from(pool), min_size=size, max_size=size)

    def column(values: st.SearchStrategy) -> st.SearchStrategy[list]:
        return st.lists(values, min_size=size, max_size=size)

    return Table(
        keys=draw(rows),
        order=draw(column(draw(order_values))),
        scores=draw(column(st.one_of(levels, any_scores))),
        weights=draw(st.none() | column(weight_values)),
    )


def _params_for(method: str) -> st.SearchStrategy[dict[str, float]]:
    """Any valid parameters for method, drawn from each parameter's allowed range."""
    drawn = {}
    for name, spec in METHOD_PARAMETERS[method].items():
        if spec.integer:
            drawn[name] = st.integers(min_value=int(spec.low or 1), max_value=10)
        else:
            drawn[name] = st.floats(
                min_value=spec.low if spec.low is not None else -5,
                max_value=spec.high if spec.high is not None else 5,
                exclude_min=not spec.low_inclusive,
                exclude_max=not spec.high_inclusive,
            )
    return st.fixed_dictionaries(drawn)


@pytest.mark.parametrize("method", sorted(METHODS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_bulk_gives_what_the_per_group_path_gives(method: str, data: st.DataObject) -> None:
    assert_same_as_per_group(data.draw(tables()), method, data.draw(_params_for(method)))


# Every way of sorting, on tables large enough to need it

SORTING_CASES = {
    "narrow keys, whole order": (np.arange(-3, 40), np.arange(20)),
    "narrow keys, order beside extremes": (
        np.arange(-3, 40),
        np.concatenate([np.arange(10), [INT64_MIN, INT64_MAX]]),
    ),
    "numbered keys, float order beside extremes": (
        np.arange(-20, 20) * 2**40,
        np.array([-1e300, 1e300, 0.0, -0.0, 0.25, 0.5, 1.0, 2.0]),
    ),
    "keys over all of int64": (
        np.array([INT64_MIN, -1, 0, 7, INT64_MAX]),
        np.arange(6) * 1_000_000_007,
    ),
}


@pytest.mark.parametrize("case", sorted(SORTING_CASES))
@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_way_of_sorting_gives_the_per_group_numbers(case: str, method: str) -> None:
    key_pool, order_pool = SORTING_CASES[case]
    rng = np.random.default_rng(5)
    size = 600
    table = Table(
        keys=rng.choice(key_pool, size).tolist(),
        order=rng.choice(order_pool, size).tolist(),
        scores=rng.choice([1.0, 2.0, 2.5, 3.0, 4.0], size).tolist(),
    )
    params = {"n": 2} if method == "n_mastery" else {}
    assert_same_as_per_group(table, method, params)


# Hand examples


def test_rows_with_equal_order_keep_their_input_row_order() -> None:
    # Row 2 is oldest; rows 0 and 1 share an order, so row 1 (later in the input) is newest.
    table = Table(keys=[7, 7, 7], order=[5, 5, 1], scores=[2.0, 3.0, 4.0])
    assert bulk(table, "latest", {}) == {7: 3.0}
    assert bulk(table, "decaying_average", {"rate": 0.5}) == {7: (4 * 0.5 + 2 * 0.5) * 0.5 + 1.5}


def test_groups_come_back_in_key_order_whatever_the_row_order() -> None:
    table = Table(keys=[9, -4, 9, 2**40], order=[2, 1, 1, 0], scores=[4.0, 1.0, 2.0, 3.0])
    keys, values = compute(table.keys, table.order, table.scores, "latest")
    assert keys.tolist() == [-4, 9, 2**40]
    assert values.tolist() == [1.0, 4.0, 3.0]


def test_a_group_without_a_value_is_nan() -> None:
    table = Table(keys=[1, 1, 2, 2, 2], order=[1, 2, 1, 2, 3], scores=[4, 4, 3, 1, 3])
    assert bulk(table, "n_mastery", {"n": 2, "threshold": 3}) == {1: 4.0, 2: 3.0}
    got = bulk(table, "n_mastery", {"n": 3, "threshold": 3})
    assert math.isnan(got[1])
    assert math.isnan(got[2])


def test_mean_weighs_rows_and_other_methods_leave_weight_zero_rows_out() -> None:
    table = Table(
        keys=[1, 1, 1, 2],
        order=[1, 2, 3, 1],
        scores=[2.0, 4.0, 1.0, 3.0],
        weights=[1.0, 3.0, 0.0, 0.0],
    )
    assert bulk(table, "latest", {})[1] == 4.0  # the newest row has weight 0
    assert bulk(table, "mean", {})[1] == pytest.approx((2 + 3 * 4) / 4)
    # Group 2 has only a weight-0 row: no value by any method, as in the per-group path.
    for method in METHODS:
        assert math.isnan(bulk(table, method, {})[2])


def test_each_method_on_one_group() -> None:
    table = Table(keys=[3] * 5, order=[5, 4, 3, 2, 1], scores=[4.0, 3.0, 3.0, 2.0, 1.0])
    # Oldest first the scores are 1, 2, 3, 3, 4.
    expected = {
        "latest": 4.0,
        "highest": 4.0,
        "mean": 2.6,
        "median_recent": 3.0,
        "mode": 3.0,
        "weighted_average": 0.65 * 4 + 0.35 * 2.25,
        "n_mastery": 10 / 3,
    }
    for method, value in expected.items():
        assert bulk(table, method, {})[3] == pytest.approx(value)


def test_mode_ties_go_to_the_higher_score() -> None:
    table = Table(keys=[1] * 4 + [2] * 3, order=[0] * 7, scores=[3, 1, 3, 1, 2, 4, 1])
    assert bulk(table, "mode", {}) == {1: 3.0, 2: 4.0}


@pytest.mark.parametrize(
    "levels",
    [
        [-2.0, -0.5, -0.0, 0.0, 1.5, 4.0],  # exact in float32, either sign
        [0.1, 2.35, -1.05, 3.0],  # not exact in float32
        [-1e300, 2.0, 1e300],  # beyond float32
    ],
)
@pytest.mark.parametrize("method", ["mode", "median_recent"])
def test_scores_on_any_scale_are_sorted_within_groups_alike(
    levels: list[float], method: str
) -> None:
    rng = np.random.default_rng(8)
    size = 300
    table = Table(
        keys=rng.integers(0, 40, size).tolist(),
        order=rng.integers(0, 5, size).tolist(),
        scores=rng.choice(levels, size).tolist(),
    )
    assert_same_as_per_group(table, method, {"n": 4} if method == "median_recent" else {})


def test_median_recent_of_an_even_window_is_the_mean_of_the_middle_two() -> None:
    table = Table(keys=[1] * 5, order=[1, 2, 3, 4, 5], scores=[1, 4, 2, 3, 5])
    assert bulk(table, "median_recent", {"n": 4}) == {1: 3.5}


def test_power_law_shifts_scores_of_zero_or_below_as_the_per_group_path_does() -> None:
    table = Table(keys=[1] * 4 + [2] * 2, order=[1, 2, 3, 4, 1, 2], scores=[0, 1, 2, 3, 0, 0])
    got = bulk(table, "power_law", {})
    assert got[1] == pytest.approx(3)
    assert got[2] == 0


@pytest.mark.parametrize("method", ["decaying_average", "power_law", "weighted_average"])
def test_long_groups_neither_overflow_nor_drift(method: str) -> None:
    rng = np.random.default_rng(3)
    size = 5000
    table = Table(
        keys=[1] * size + [2] * 3,
        order=list(range(size + 3)),
        scores=rng.choice([1.0, 2.0, 3.0, 4.0], size + 3).tolist(),
    )
    assert_same_as_per_group(table, method, {})


def test_no_rows_give_no_groups() -> None:
    keys, values = compute([], [], [], "mean")
    assert keys.dtype == np.int64
    assert values.dtype == np.float64
    assert keys.size == values.size == 0


@pytest.mark.parametrize("method", sorted(METHODS))
def test_the_callers_arrays_are_left_as_they_were(method: str) -> None:
    keys = np.array([5, 1, 5, 1, 5], dtype=np.int64)
    order = np.array([3, 2, 1, 2, 2**62], dtype=np.int64)
    scores = np.array([1.0, 2.0, 3.0, 4.0, 2.0])
    weights = np.array([1.0, 0.0, 2.0, 1.0, 1.0])
    copies = [array.copy() for array in (keys, order, scores, weights)]
    compute(keys, order, scores, method, weights)
    compute(keys, order, scores, method)
    for array, copy in zip((keys, order, scores, weights), copies, strict=True):
        assert np.array_equal(array, copy)


# Bad input


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("average", {}, "unknown method 'average'"),
        ("latest", {"rate": 0.7}, "latest does not take rate"),
        ("decaying_average", {"rate": 0.4}, r"rate must be a number ≥ 0\.5 and < 1"),
        ("median_recent", {"n": 0}, "n must be a whole number"),
    ],
)
def test_parameters_are_checked_as_the_per_group_path_checks_them(
    method: str, params: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        calculate(method, [3.0], **params)
    with pytest.raises(ValueError, match=message):
        compute([1], [1], [3.0], method, **params)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"keys": [1, 2]}, r"every row needs a key, an order and a score; got 2 keys, 3 order"),
        ({"weights": [1.0, 1.0]}, "got 3 keys, 3 order, 3 scores, 2 weights"),
        ({"scores": [1.0, math.nan, 2.0]}, "scores must be finite numbers"),
        ({"scores": [1.0, math.inf, 2.0]}, "scores must be finite numbers"),
        ({"scores": ["a", "b", "c"]}, "scores must be finite numbers"),
        ({"weights": [1.0, -1.0, 1.0]}, "weights must be finite numbers ≥ 0"),
        ({"weights": [1.0, math.nan, 1.0]}, "weights must be finite numbers ≥ 0"),
        ({"keys": [1.0, 2.0, 3.0]}, "keys must be integers that fit in int64"),
        ({"keys": np.array([1, 2, 2**63], dtype=np.uint64)}, "keys must be integers"),
        ({"order": [1.0, math.nan, 2.0]}, "order must be finite numbers"),
        ({"order": ["a", "b", "c"]}, "order must be numbers"),
        ({"keys": [[1, 2, 3]]}, r"keys must be one-dimensional, got shape \(1, 3\)"),
    ],
)
def test_bad_columns_are_refused_with_a_clear_error(columns: dict, message: str) -> None:
    given_columns = {"keys": [1, 2, 1], "order": [1, 2, 3], "scores": [1.0, 2.0, 3.0]}
    given_columns.update(columns)
    with pytest.raises(ValueError, match=message):
        compute(method="mean", **given_columns)
