import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proficio.engine.methods import (
    METHOD_PARAMETERS,
    METHODS,
    ParamSpec,
    calculate,
    decaying_average,
    highest,
    latest,
    mean,
    median_recent,
    mode,
    n_mastery,
    power_law,
    power_law_fit,
    validate_parameters,
    weighted_average,
)

levels = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0])
any_scores = st.floats(min_value=-100, max_value=100, allow_nan=False, allow_subnormal=False)
score_lists = st.lists(st.one_of(levels, any_scores), min_size=1, max_size=30)


def _within(value: float, low: float, high: float) -> bool:
    # Summing and dividing floats may land an ulp outside the exact bounds.
    slack = 1e-9 * (1 + abs(low) + abs(high))
    return low - slack <= value <= high + slack


# latest, highest


def test_latest_is_the_last_score() -> None:
    assert latest([4, 1, 2]) == 2


def test_highest_is_the_largest_score_wherever_it_falls() -> None:
    assert highest([2, 4, 3]) == 4


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_returns_none_for_no_scores(method: str) -> None:
    assert calculate(method, []) is None


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_accepts_tuples_and_numpy_arrays_alike(method: str) -> None:
    scores = [2.0, 3.0, 3.5, 3.0]
    params = {"n": 1} if method == "n_mastery" else {}
    from_list = calculate(method, scores, **params)
    assert calculate(method, tuple(scores), **params) == from_list
    assert calculate(method, np.array(scores), **params) == from_list
    assert type(from_list) is float


@pytest.mark.parametrize(
    "method",
    [
        "latest",
        "highest",
        "mean",
        "median_recent",
        "mode",
        "weighted_average",
        "decaying_average",
        "power_law",
    ],
)
def test_a_single_score_is_the_result(method: str) -> None:
    assert calculate(method, [2.5]) == 2.5


def test_scores_must_be_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        latest([3, math.nan])


# mean


def test_mean_is_the_arithmetic_mean() -> None:
    assert mean([2, 3, 3]) == pytest.approx(8 / 3)


def test_mean_weighs_each_score_and_ignores_weight_zero() -> None:
    assert mean([2, 3, 4], weights=[2, 1, 0]) == pytest.approx((2 * 2 + 3) / 3)


def test_mean_with_every_weight_zero_has_no_value() -> None:
    assert mean([2, 3], weights=[0, 0]) is None


def test_mean_rejects_negative_weights() -> None:
    with pytest.raises(ValueError, match="weights"):
        mean([2, 3], weights=[1, -1])


def test_mean_rejects_a_weight_count_that_does_not_match_the_scores() -> None:
    with pytest.raises(ValueError, match="2 weights for 3 scores"):
        mean([2, 3, 4], weights=[1, 1])


# median_recent


def test_median_recent_takes_the_middle_of_the_last_n() -> None:
    assert median_recent([1, 4, 2, 3, 5], n=3) == 3  # last three: 2, 3, 5


def test_median_recent_of_an_even_count_averages_the_middle_two() -> None:
    assert median_recent([1, 4, 2, 3, 5], n=4) == 3.5  # last four: 2, 3, 4, 5


def test_median_recent_uses_what_exists_when_fewer_than_n() -> None:
    assert median_recent([2, 4], n=3) == 3


def test_median_recent_defaults_to_the_last_three() -> None:
    assert median_recent([4, 4, 1, 2, 3]) == 2


@pytest.mark.parametrize("n", [0, -1, 2.5])
def test_median_recent_needs_a_whole_n_of_at_least_one(n: float) -> None:
    with pytest.raises(ValueError, match="n must be a whole number"):
        median_recent([2, 3], n=n)


# mode


def test_mode_is_the_most_frequent_score() -> None:
    assert mode([1, 2, 2, 3]) == 2


@pytest.mark.parametrize(
    ("scores", "expected"), [([3, 1, 3, 1], 3), ([4, 2, 2, 4, 1], 4), ([1, 3, 2], 3)]
)
def test_mode_ties_go_to_the_higher_score(scores: list[float], expected: float) -> None:
    assert mode(scores) == expected


# weighted_average


def test_weighted_average_mixes_the_latest_with_the_mean_of_earlier_scores() -> None:
    assert weighted_average([2, 3, 4]) == pytest.approx(0.65 * 4 + 0.35 * 2.5)


def test_weighted_average_uses_the_given_weight() -> None:
    assert weighted_average([1, 2, 4], weight=0.25) == pytest.approx(0.25 * 4 + 0.75 * 1.5)


@pytest.mark.parametrize("weight", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_weighted_average_weight_must_lie_strictly_between_zero_and_one(weight: float) -> None:
    with pytest.raises(ValueError, match="weight"):
        weighted_average([2, 3], weight=weight)


# decaying_average


def test_decaying_average_steps_through_every_score() -> None:
    assert decaying_average([2, 3]) == pytest.approx(0.35 * 2 + 0.65 * 3)  # 2.65
    assert decaying_average([2, 3, 3]) == pytest.approx(0.35 * 2.65 + 0.65 * 3)  # 2.8775


def test_decaying_average_differs_from_weighted_average() -> None:
    # Same default 0.65, different formulas: here earlier scores fade step by step.
    assert decaying_average([1, 4, 2]) == pytest.approx(0.35 * (0.35 * 1 + 0.65 * 4) + 0.65 * 2)
    assert weighted_average([1, 4, 2]) == pytest.approx(0.65 * 2 + 0.35 * 2.5)


def test_decaying_average_accepts_the_lowest_rate() -> None:
    assert decaying_average([2, 4], rate=0.5) == 3


@pytest.mark.parametrize("rate", [0.49, 1.0, 0.0, math.nan, math.inf])
def test_decaying_average_rate_must_lie_in_half_open_range(rate: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        decaying_average([2, 3], rate=rate)


# n_mastery


def test_n_mastery_averages_the_scores_at_or_above_the_threshold() -> None:
    assert n_mastery([3, 2, 4, 3], n=3, threshold=3) == pytest.approx(10 / 3)


def test_n_mastery_counts_a_score_equal_to_the_threshold() -> None:
    assert n_mastery([2, 3, 4, 2.5], n=2, threshold=2.5) == pytest.approx((3 + 4 + 2.5) / 3)


def test_n_mastery_has_no_value_with_fewer_than_n_scores_in_all() -> None:
    assert n_mastery([4, 4], n=3, threshold=3) is None


def test_n_mastery_has_no_value_with_fewer_than_n_scores_at_threshold() -> None:
    assert n_mastery([1, 2, 3, 4, 2], n=3, threshold=3) is None


def test_n_mastery_defaults_to_three_at_three() -> None:
    assert n_mastery([3, 4]) is None
    assert n_mastery([3, 4, 3.5]) == pytest.approx(3.5)


@pytest.mark.parametrize(
    ("params", "name"), [({"n": 0}, "n"), ({"threshold": math.nan}, "threshold")]
)
def test_n_mastery_rejects_bad_parameters(params: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        n_mastery([3, 3, 3], **params)


# power_law


def test_power_law_reads_an_exact_power_curve_at_the_last_point() -> None:
    assert power_law([2, 4, 6]) == pytest.approx(6)  # y = 2x
    assert power_law([1, math.sqrt(2), math.sqrt(3), 2]) == pytest.approx(2)  # y = √x


def test_power_law_matches_a_least_squares_fit_in_log_space() -> None:
    scores = [1.0, 2.0, 2.0, 3.0, 2.5]
    x = np.arange(1, len(scores) + 1)
    b, ln_a = np.polyfit(np.log(x), np.log(scores), 1)
    assert power_law(scores) == pytest.approx(math.exp(ln_a) * len(scores) ** b)


def test_power_law_of_equal_scores_is_that_score_exactly() -> None:
    assert power_law([3, 3, 3]) == 3
    assert power_law([0, 0]) == 0


def test_power_law_shifts_scores_when_the_lowest_is_zero_or_below() -> None:
    # Shifted by 1 − lowest the scores become 1, 2, 3, 4 = x, read at x = 4, shift taken off.
    assert power_law([0, 1, 2, 3]) == pytest.approx(3)
    assert power_law([-1, 0, 1, 2]) == pytest.approx(2)
    assert power_law_fit([0, 1, 2, 3]).shift == 1


def test_power_law_with_a_zero_stays_on_a_sensible_scale() -> None:
    # The shifted fit reads 3.88; a floor of 0.01 in log space would read about 7.9.
    assert power_law_fit([0, 2, 3, 3]).ln_a + power_law_fit([0, 2, 3, 3]).b * math.log(4) == (
        pytest.approx(math.log(4.88), abs=0.01)
    )
    assert power_law([0, 2, 3, 3]) == pytest.approx(3)  # and the reading stays within the scores


def test_power_law_never_reads_beyond_the_scores_shown() -> None:
    assert power_law([0, 4, 4, 4]) == pytest.approx(4)  # the bare curve would say 5.72
    assert power_law([4, 1, 1, 1]) >= 1
    steep = power_law([0.0] * 40 + [1e300])
    assert steep is not None and 0 <= steep <= 1e300  # a curve this steep must not overflow


@given(score_lists)
def test_power_law_is_finite_and_within_the_scores(scores: list[float]) -> None:
    value = power_law(scores)
    assert value is not None
    assert math.isfinite(value)
    assert min(scores) - 1e-9 * max(1.0, abs(min(scores))) <= value
    assert value <= max(scores) + 1e-9 * max(1.0, abs(max(scores)))


@given(
    a=st.floats(min_value=0.5, max_value=5),
    b=st.floats(min_value=-1, max_value=1),
    count=st.integers(min_value=2, max_value=20),
)
def test_power_law_recovers_any_exact_power_curve(a: float, b: float, count: int) -> None:
    scores = [a * x**b for x in range(1, count + 1)]
    assert power_law(scores) == pytest.approx(a * count**b)


# Properties shared by the averaging methods


def _scores_used(method: str, scores: list[float], params: dict[str, float]) -> list[float]:
    if method == "median_recent":
        return scores[-int(params["n"]) :]
    if method == "n_mastery":
        return [score for score in scores if score >= params["threshold"]]
    return scores


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


# Knowledge tracing's value is a probability, not a level: tests/engine/test_tracing.py.
bounded_methods = sorted(set(METHODS) - {"power_law", "knowledge_tracing"})


@pytest.mark.parametrize("method", bounded_methods)
@given(data=st.data(), scores=score_lists)
def test_result_lies_within_the_scores_it_used(
    method: str, data: st.DataObject, scores: list[float]
) -> None:
    params = data.draw(_params_for(method))
    value = calculate(method, scores, **params)
    if value is not None:
        used = _scores_used(method, scores, params)
        assert _within(value, min(used), max(used))


@given(
    constant=st.one_of(levels, any_scores),
    count=st.integers(min_value=1, max_value=30),
    rate=st.floats(min_value=0.5, max_value=1, exclude_max=True),
)
def test_decaying_average_of_a_constant_is_that_constant(
    constant: float, count: int, rate: float
) -> None:
    assert decaying_average([constant] * count, rate=rate) == pytest.approx(constant, abs=1e-9)


@pytest.mark.parametrize("method", sorted(METHODS))
@given(data=st.data(), scores=score_lists)
def test_calculate_gives_what_the_method_gives(
    method: str, data: st.DataObject, scores: list[float]
) -> None:
    params = data.draw(_params_for(method))
    assert calculate(method, scores, **params) == METHODS[method](scores, **params)


@given(scores=score_lists, data=st.data())
def test_a_weight_zero_score_has_no_effect_on_the_mean(
    scores: list[float], data: st.DataObject
) -> None:
    weights = data.draw(
        st.lists(st.sampled_from([0, 1, 2]), min_size=len(scores), max_size=len(scores))
    )
    moved = [
        score + 50 if weight == 0 else score for score, weight in zip(scores, weights, strict=True)
    ]
    assert mean(moved, weights) == mean(scores, weights)
    assert (mean(scores, weights) is None) == (sum(weights) == 0)


# calculate and parameters


def test_calculate_gives_mean_the_weights() -> None:
    assert calculate("mean", [2, 4], weights=[3, 1]) == pytest.approx(2.5)


def test_calculate_leaves_weight_zero_scores_out_of_other_methods() -> None:
    assert calculate("latest", [2, 3], weights=[1, 0]) == 2
    assert calculate("highest", [2, 4, 3], weights=[1, 0, 5]) == 3


def test_calculate_rejects_an_unknown_method_by_name() -> None:
    with pytest.raises(ValueError, match="unknown method 'average'"):
        calculate("average", [3])


def test_calculate_rejects_a_parameter_the_method_does_not_take() -> None:
    with pytest.raises(ValueError, match="latest does not take rate"):
        calculate("latest", [3], rate=0.7)


def test_calculate_checks_parameter_ranges() -> None:
    with pytest.raises(ValueError, match=r"rate must be a number ≥ 0\.5 and < 1"):
        calculate("decaying_average", [3], rate=0.4)


def test_every_method_has_its_parameters_described() -> None:
    assert METHOD_PARAMETERS.keys() == METHODS.keys()


@pytest.mark.parametrize("method", sorted(METHODS))
def test_validate_parameters_fills_in_every_default(method: str) -> None:
    defaults = {name: spec.default for name, spec in METHOD_PARAMETERS[method].items()}
    assert validate_parameters(method, {}) == defaults


def test_documented_defaults() -> None:
    assert validate_parameters("median_recent", {}) == {"n": 3}
    assert validate_parameters("weighted_average", {}) == {"weight": 0.65}
    assert validate_parameters("decaying_average", {}) == {"rate": 0.65}
    assert validate_parameters("n_mastery", {}) == {"n": 3, "threshold": 3.0}


def test_validate_parameters_keeps_given_values_and_fills_the_rest() -> None:
    assert validate_parameters("n_mastery", {"n": 2}) == {"n": 2, "threshold": 3.0}


def test_validate_parameters_takes_whole_numbers_from_form_input() -> None:
    checked = validate_parameters("median_recent", {"n": "4"})
    assert checked == {"n": 4}
    assert type(checked["n"]) is int


@pytest.mark.parametrize(
    ("method", "params", "name"),
    [
        ("median_recent", {"n": 2.5}, "n"),
        ("weighted_average", {"weight": math.nan}, "weight"),
        ("decaying_average", {"rate": "fast"}, "rate"),
        ("n_mastery", {"threshold": math.inf}, "threshold"),
    ],
)
def test_validate_parameters_names_the_bad_parameter(
    method: str, params: dict[str, object], name: str
) -> None:
    with pytest.raises(ValueError, match=f"^{name} must be"):
        validate_parameters(method, params)


def test_param_specs_are_frozen_and_their_defaults_are_valid() -> None:
    for specs in METHOD_PARAMETERS.values():
        for name, spec in specs.items():
            assert spec.check(name, spec.default) == spec.default
            assert spec.label
    with pytest.raises(dataclasses.FrozenInstanceError):
        METHOD_PARAMETERS["decaying_average"]["rate"].default = 0.9  # type: ignore[misc]


def test_param_spec_describes_its_range_for_a_form() -> None:
    spec = ParamSpec(default=0.65, low=0, high=1, low_inclusive=False, label="Weight")
    assert spec.describe() == "a number > 0 and ≤ 1"
    assert ParamSpec(default=3, low=1, integer=True, label="Count").describe() == (
        "a whole number ≥ 1"
    )
