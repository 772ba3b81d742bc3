import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proficio.engine.display import format_score, round_half_up
from proficio.engine.explain import Evaluation, evaluate
from proficio.engine.methods import METHODS, mastery_cut

SEP_12 = date(2026, 9, 12)
OCT_3 = date(2026, 10, 3)
OCT_20 = date(2026, 10, 20)
NOV_2 = date(2026, 11, 2)
LABELS = {1.0: "Beginning", 2.0: "Developing", 3.0: "Proficient", 4.0: "Advanced"}


def _dates(count: int) -> list[date]:
    return [SEP_12 + timedelta(days=7 * week) for week in range(count)]


# display


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.675, "2.68"), (0.125, "0.13"), (2.665, "2.67"), (1.005, "1.01"), (-2.675, "-2.68")],
)
def test_round_half_up_rounds_halves_away_from_zero_unlike_round(
    value: float, expected: str
) -> None:
    assert round_half_up(value) == Decimal(expected)


def test_round_half_up_to_other_places() -> None:
    assert round_half_up(2.5, places=0) == Decimal("3")
    assert round_half_up(2.9965, places=3) == Decimal("2.997")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.65, "2.65"),
        (2.6500000000000004, "2.65"),
        (3.0, "3"),
        (2.5, "2.5"),
        (2.675, "2.68"),
        (100.0, "100"),
        (0.004, "0"),
        (-0.001, "0"),
        (None, "—"),
    ],
)
def test_format_score_shows_at_most_two_places_without_trailing_zeros(
    value: float | None, expected: str
) -> None:
    assert format_score(value) == expected


# sufficiency


def test_too_little_evidence_is_not_mastered_but_still_shows_the_value() -> None:
    result = evaluate(
        method="latest", scores=[4], observed=[SEP_12], threshold=3, minimum_evidence=2
    )
    assert result.value == 4
    assert not result.sufficient
    assert not result.mastered
    assert result.explanation.startswith("Not enough evidence yet: 1 of the 2 ratings needed.")


def test_reaching_the_minimum_evidence_is_sufficient() -> None:
    result = evaluate(
        method="latest",
        scores=[2, 4],
        observed=[SEP_12, OCT_3],
        threshold=3,
        minimum_evidence=2,
    )
    assert result.sufficient
    assert result.mastered
    assert "not enough evidence yet" not in result.explanation.lower()


def test_only_ratings_with_weight_count_as_evidence() -> None:
    result = evaluate(
        method="mean",
        scores=[4, 4],
        observed=[SEP_12, OCT_3],
        weights=[1, 0],
        threshold=3,
        minimum_evidence=2,
    )
    assert result.evidence_count == 1
    assert not result.mastered
    assert "not enough evidence yet" in result.explanation.lower()
    assert "4 on 3 Oct 2026 (not counted)" in result.explanation


def test_ratings_that_all_have_weight_zero_give_no_value() -> None:
    result = evaluate(
        method="mean", scores=[3, 4], observed=[SEP_12, OCT_3], weights=[0, 0], threshold=3
    )
    assert result.value is None
    assert result.evidence_count == 0
    assert "not enough evidence yet" in result.explanation.lower()


def test_no_ratings_at_all() -> None:
    result = evaluate(method="decaying_average", scores=[], observed=[], threshold=3)
    assert result == Evaluation(
        value=None,
        mastered=False,
        sufficient=False,
        evidence_count=0,
        explanation="No ratings yet.",
    )


# threshold


def test_a_value_a_float_hair_under_the_threshold_counts_as_reaching_it() -> None:
    result = evaluate(method="power_law", scores=[2, 4], observed=[SEP_12, OCT_3], threshold=4)
    assert result.value is not None
    assert result.value < 4  # the fit lands at 3.9999999999999996
    assert result.mastered
    assert result.explanation.endswith("Mastered.")


def test_a_value_clearly_under_the_threshold_is_not_mastered() -> None:
    result = evaluate(method="latest", scores=[2.999999], observed=[SEP_12], threshold=3)
    assert not result.mastered


def test_a_value_that_rounds_to_the_threshold_is_shown_with_enough_places() -> None:
    result = evaluate(
        method="mean", scores=[3, 3, 2.99], observed=[SEP_12, OCT_3, OCT_20], threshold=3
    )
    assert not result.mastered
    assert result.explanation.endswith("Not mastered yet: 2.997 is below 3.")


# explanation


def test_explanation_of_a_decaying_average_reads_step_by_step() -> None:
    result = evaluate(
        method="decaying_average",
        scores=[2, 3],
        observed=[SEP_12, OCT_3],
        threshold=3,
    )
    assert result.explanation == (
        "Method: Decaying average (each new rating counts 65%). "
        "Ratings, oldest first: 2 on 12 Sep 2026, 3 on 3 Oct 2026. "
        "Start at 2; then 0.35 × 2 + 0.65 × 3 = 2.65. "
        "Mastery needs 3. "
        "Not mastered yet: 2.65 is below 3."
    )


def test_explanation_shows_every_decaying_step_with_the_rate_used() -> None:
    result = evaluate(
        method="decaying_average",
        params={"rate": 0.5},
        scores=[4, 0, 3],
        observed=[SEP_12, OCT_3, OCT_20],
        threshold=3,
    )
    assert "each new rating counts 50%" in result.explanation
    assert "Start at 4; then 0.5 × 4 + 0.5 × 0 = 2; then 0.5 × 2 + 0.5 × 3 = 2.5." in (
        result.explanation
    )


def test_explanation_of_a_mean_shows_the_sum() -> None:
    result = evaluate(
        method="mean", scores=[2, 3, 3], observed=[SEP_12, OCT_3, OCT_20], threshold=3
    )
    assert "Average of all ratings" in result.explanation
    assert "(2 + 3 + 3) ÷ 3 = 2.67" in result.explanation


def test_explanation_of_a_weighted_mean_shows_each_weight() -> None:
    result = evaluate(
        method="mean",
        scores=[2, 3, 4],
        observed=[SEP_12, OCT_3, OCT_20],
        weights=[2, 1, 0],
        threshold=3,
    )
    assert "2 on 12 Sep 2026 (weight 2)" in result.explanation
    assert "(2 × 2 + 1 × 3) ÷ 3 = 2.33" in result.explanation


def test_explanation_of_a_weighted_average_shows_the_earlier_average() -> None:
    result = evaluate(
        method="weighted_average",
        scores=[2, 3, 3],
        observed=[SEP_12, OCT_3, OCT_20],
        threshold=3,
    )
    assert "the most recent rating counts 65%, the average of the earlier ones 35%" in (
        result.explanation
    )
    assert "(2 + 3) ÷ 2 = 2.5, so 0.65 × 3 + 0.35 × 2.5 = 2.83." in result.explanation


def test_explanation_of_n_mastery_counts_ratings_at_the_threshold() -> None:
    dates = [SEP_12, OCT_3, OCT_20, NOV_2]
    reached = evaluate(method="n_mastery", scores=[3, 2, 4, 3], observed=dates, threshold=3)
    assert "Ratings at or above 3: 3 of 4; their average is (3 + 4 + 3) ÷ 3 = 3.33." in (
        reached.explanation
    )
    short = evaluate(method="n_mastery", scores=[3, 2, 4, 2], observed=dates, threshold=3)
    assert short.value is None
    assert "So far 2 ratings at or above 3; 3 needed." in short.explanation
    assert short.explanation.endswith("Not mastered yet: there is no result yet.")


def test_explanation_of_the_median_names_the_middle() -> None:
    odd = evaluate(method="median_recent", scores=[1, 4, 2, 3], observed=_dates(4), threshold=3)
    assert "The last 3 ratings from lowest to highest: 2, 3, 4; the middle one is 3." in (
        odd.explanation
    )
    even = evaluate(
        method="median_recent",
        params={"n": 4},
        scores=[1, 4, 2, 3],
        observed=_dates(4),
        threshold=3,
    )
    assert "the middle two average (2 + 3) ÷ 2 = 2.5." in even.explanation


def test_explanation_of_a_mode_tie_says_the_higher_wins() -> None:
    result = evaluate(method="mode", scores=[3, 2, 2, 3], observed=_dates(4), threshold=3)
    assert "2 and 3 appear equally often (2 of 4 each); the tie goes to the higher, 3." in (
        result.explanation
    )


def test_explanation_of_the_power_law_names_the_trend() -> None:
    result = evaluate(method="power_law", scores=[1, 2, 3], observed=_dates(3), threshold=3)
    assert "rising trend" in result.explanation
    assert f"it gives {format_score(result.value)}." in result.explanation


def test_labels_name_the_levels_and_the_threshold() -> None:
    result = evaluate(
        method="highest",
        scores=[2, 4],
        observed=[SEP_12, OCT_3],
        threshold=3,
        labels=LABELS,
    )
    assert "2 (Developing) on 12 Sep 2026, 4 (Advanced) on 3 Oct 2026" in result.explanation
    assert "Mastery needs 3 (Proficient)." in result.explanation
    assert result.explanation.endswith("Mastered.")


def test_enough_evidence_at_the_threshold_but_too_few_ratings_says_so() -> None:
    result = evaluate(
        method="latest", scores=[3], observed=[SEP_12], threshold=3, minimum_evidence=3
    )
    assert result.explanation.endswith("more ratings are needed.")


def test_scores_and_dates_must_pair_up() -> None:
    with pytest.raises(ValueError, match="1 dates for 2 scores"):
        evaluate(method="latest", scores=[2, 3], observed=[SEP_12], threshold=3)


def test_evaluation_is_frozen() -> None:
    result = evaluate(method="latest", scores=[3], observed=[SEP_12], threshold=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.mastered = False  # type: ignore[misc]


@pytest.mark.parametrize("method", sorted(METHODS))
@given(
    scores=st.lists(st.sampled_from([0, 0.5, 1, 2, 2.5, 3, 3.5, 4]), min_size=1, max_size=8),
    threshold=st.sampled_from([2.5, 3, 3.5]),
    minimum_evidence=st.integers(min_value=0, max_value=4),
)
def test_every_explanation_lists_the_dates_and_agrees_with_the_verdict(
    method: str, scores: list[float], threshold: float, minimum_evidence: int
) -> None:
    observed = _dates(len(scores))
    result = evaluate(
        method=method,
        scores=scores,
        observed=observed,
        threshold=threshold,
        minimum_evidence=minimum_evidence,
    )
    for day in observed:
        assert f"{day.day} {day:%b %Y}" in result.explanation
    cut = mastery_cut(method, threshold)
    assert result.mastered == (
        result.sufficient and result.value is not None and result.value >= cut - 1e-9
    )
    assert result.explanation.endswith("Mastered.") == result.mastered
    assert result.sufficient == (len(scores) >= minimum_evidence)


def test_n_mastery_counts_at_the_policys_own_threshold_unless_told_otherwise():
    days = [date(2026, 9, d) for d in (1, 2, 3)]
    result = evaluate(
        method="n_mastery", scores=[70, 80, 90], observed=days, params={"n": 2}, threshold=75
    )
    assert result.value == pytest.approx(85) and result.mastered
