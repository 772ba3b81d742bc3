import dataclasses
import math
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from proficio.engine.rules import (
    RULES,
    ChildResult,
    Rollup,
    rollup,
    rollup_all,
    rollup_mean,
    rollup_points,
)


def _child(
    name: str,
    value: float | None = None,
    *,
    mastered: bool = False,
    points: float = 1.0,
    required: bool = False,
) -> ChildResult:
    return ChildResult(name=name, value=value, mastered=mastered, points=points, required=required)


# ChildResult


def test_child_result_is_frozen_and_keeps_values_as_floats() -> None:
    child = _child("Fractions", Decimal("2.5"), points=2)
    assert child.value == 2.5
    assert type(child.value) is float
    assert type(child.points) is float
    with pytest.raises(dataclasses.FrozenInstanceError):
        child.mastered = True  # type: ignore[misc]


def test_child_result_rejects_negative_points_naming_the_child() -> None:
    with pytest.raises(ValueError, match="points of 'Fractions' must be ≥ 0"):
        _child("Fractions", points=-1)


@pytest.mark.parametrize("value", [math.nan, math.inf, "three"])
def test_child_result_rejects_a_value_that_is_not_a_finite_number(value: object) -> None:
    with pytest.raises(ValueError, match="value of 'Fractions' must be a finite number"):
        _child("Fractions", value)  # type: ignore[arg-type]


# all


def test_all_is_mastered_when_every_child_is() -> None:
    result = rollup_all([_child("A", 3, mastered=True), _child("B", 4, mastered=True)])
    assert result == Rollup(
        value=1.0,
        mastered=True,
        sufficient=True,
        explanation=(
            "Rule: every part must be mastered. Already mastered: A and B. "
            "2 of 2 parts mastered. Mastered."
        ),
    )


def test_all_with_one_child_to_go_names_it_and_gives_the_share_mastered() -> None:
    result = rollup_all(
        [_child("A", 3, mastered=True), _child("B", 2), _child("C", 4, mastered=True)]
    )
    assert result.value == pytest.approx(2 / 3)
    assert not result.mastered
    assert result.sufficient
    assert result.explanation == (
        "Rule: every part must be mastered. Already mastered: A and C. "
        "Still working on: B. 2 of 3 parts mastered. Not mastered yet: still needs B."
    )


def test_all_with_no_children_has_not_enough_evidence() -> None:
    result = rollup_all([])
    assert result.value is None
    assert not result.mastered
    assert not result.sufficient
    assert result.explanation.startswith("Not enough evidence yet: there are no parts")


# points


def test_points_adds_the_points_of_mastered_children() -> None:
    result = rollup_points(
        [
            _child("A", mastered=True, points=2, required=True),
            _child("B", mastered=True, points=3),
            _child("C", points=2),
            _child("D", mastered=True, points=1),
        ],
        base=5,
    )
    assert result == Rollup(
        value=6.0,
        mastered=True,
        sufficient=True,
        explanation=(
            "Rule: mastery needs every required part mastered and 5 points from mastered parts. "
            "Already mastered: A (2 points, required), B (3 points) and D (1 point). "
            "Still working on: C (2 points). "
            "Points: 2 + 3 + 1 = 6 of the 5 needed. Mastered."
        ),
    )


def test_points_is_not_mastered_while_a_required_child_is_missing_whatever_the_points() -> None:
    result = rollup_points(
        [
            _child("A", mastered=True, points=5),
            _child("B", mastered=True, points=3),
            _child("C", points=1, required=True),
        ],
        base=5,
    )
    assert result.value == 8
    assert not result.mastered
    assert result.explanation.endswith(
        "Points: 5 + 3 = 8 of the 5 needed. Not mastered yet: still needs required part C."
    )


def test_points_short_of_the_base_says_how_many_more_are_needed() -> None:
    result = rollup_points(
        [_child("A", mastered=True, points=2), _child("B", points=3), _child("C", points=1)],
        base=4,
    )
    assert result.value == 2
    assert not result.mastered
    assert result.explanation.endswith(
        "Points: 2 of the 4 needed. Not mastered yet: still needs 2 more points."
    )


def test_points_names_every_missing_required_child_and_the_shortfall_together() -> None:
    result = rollup_points(
        [_child("A", points=2, required=True), _child("B", points=2, required=True)], base=3
    )
    assert result.value == 0
    assert result.explanation.endswith(
        "Points: 0 of the 3 needed. Not mastered yet: still needs required parts A and B "
        "and 3 more points."
    )


def test_points_with_every_child_required_needs_every_child() -> None:
    children = [_child("A", points=1, required=True), _child("B", points=1, required=True)]
    one_mastered = [dataclasses.replace(children[0], mastered=True), children[1]]
    assert not rollup_points(one_mastered, base=1).mastered
    mastered = [dataclasses.replace(child, mastered=True) for child in children]
    assert rollup_points(mastered, base=1).mastered


def test_points_base_equal_to_the_total_needs_every_point() -> None:
    children = [_child("A", mastered=True, points=2), _child("B", points=3)]
    assert not rollup_points(children, base=5).mastered
    all_mastered = [dataclasses.replace(child, mastered=True) for child in children]
    assert rollup_points(all_mastered, base=5).mastered


def test_points_base_may_equal_a_total_that_floats_round_up() -> None:
    children = [_child("A", mastered=True, points=0.1), _child("B", mastered=True, points=0.2)]
    assert rollup_points(children, base=0.3).mastered


@pytest.mark.parametrize("base", [0, -1, 6, math.nan, math.inf, "five"])
def test_points_base_must_be_positive_and_within_the_total(base: object) -> None:
    children = [_child("A", points=2), _child("B", points=3)]
    with pytest.raises(ValueError, match="base must be"):
        rollup_points(children, base=base)  # type: ignore[arg-type]


def test_points_with_no_children_has_no_reachable_base() -> None:
    with pytest.raises(ValueError, match=r"base must be a number > 0 and ≤ the total points \(0\)"):
        rollup_points([], base=1)


# mean


def test_mean_averages_the_children_values() -> None:
    result = rollup_mean([_child("A", 3.5), _child("B", 2.5), _child("C", 4)], threshold=3)
    assert result.value == pytest.approx(10 / 3)
    assert result.mastered
    assert result.sufficient
    assert result.explanation == (
        "Rule: the average of the parts' results must reach 3. "
        "Results: A: 3.5; B: 2.5; C: 4. Average: (3.5 + 2.5 + 4) ÷ 3 = 3.33. Mastered."
    )


def test_mean_exactly_at_the_threshold_is_mastered() -> None:
    assert rollup_mean([_child("A", 3.5), _child("B", 2.5)], threshold=3).mastered
    # Float arithmetic can land a hair under the threshold; that still counts.
    assert rollup_mean([_child("A", 3 - 1e-12)], threshold=3).mastered


def test_mean_below_the_threshold_shows_enough_decimals_to_see_the_gap() -> None:
    result = rollup_mean([_child("A", 2.995), _child("B", 2.995)], threshold=3)
    assert not result.mastered
    # 2.995 rounds to 3 for display; the verdict must not read "3 is below 3".
    assert result.explanation.endswith("Not mastered yet: 2.995 is below 3.")


def test_mean_with_a_child_missing_a_value_is_not_enough_evidence_yet() -> None:
    result = rollup_mean([_child("A", 3.5), _child("B"), _child("C", 3)], threshold=3)
    assert result.value == 3.25
    assert not result.mastered
    assert not result.sufficient
    assert result.explanation == (
        "Not enough evidence yet: 2 of 3 parts have a result; waiting on B. "
        "Rule: the average of the parts' results must reach 3. "
        "Results: A: 3.5; B: no result yet; C: 3. Average: (3.5 + 3) ÷ 2 = 3.25. "
        "Not mastered yet: the average reaches 3, but every part needs a result first."
    )


def test_mean_with_no_values_has_no_value() -> None:
    result = rollup_mean([_child("A"), _child("B")], threshold=3)
    assert result.value is None
    assert not result.sufficient
    assert result.explanation.endswith("Not mastered yet: no part has a result yet.")


def test_mean_with_no_children_has_not_enough_evidence() -> None:
    result = rollup_mean([], threshold=3)
    assert (result.value, result.mastered, result.sufficient) == (None, False, False)
    assert result.explanation.startswith("Not enough evidence yet: there are no parts")


def test_mean_ignores_mastered_flags_and_points() -> None:
    children = [_child("A", 4, points=10), _child("B", 2, mastered=True)]
    assert rollup_mean(children, threshold=3).value == 3


@pytest.mark.parametrize("threshold", [math.nan, math.inf, None])
def test_mean_threshold_must_be_a_finite_number(threshold: object) -> None:
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        rollup_mean([_child("A", 3)], threshold=threshold)  # type: ignore[arg-type]


# rollup by name


def test_rollup_dispatches_by_name() -> None:
    children = [_child("A", 3, mastered=True, points=2), _child("B", 2, points=1)]
    assert rollup("all", children) == rollup_all(children)
    assert rollup("points", children, base=2) == rollup_points(children, base=2)
    assert rollup("mean", children, threshold=2.5) == rollup_mean(children, threshold=2.5)


def test_rollup_rejects_an_unknown_rule() -> None:
    with pytest.raises(ValueError, match="unknown rule 'any'; known rules: all, points, mean"):
        rollup("any", [])


def test_rollup_rejects_a_parameter_the_rule_does_not_take() -> None:
    with pytest.raises(ValueError, match="all does not take base; it takes no parameters"):
        rollup("all", [], base=1)
    with pytest.raises(ValueError, match="points does not take threshold; it takes base"):
        rollup("points", [], base=1, threshold=3)


def test_rollup_rejects_a_missing_parameter() -> None:
    with pytest.raises(ValueError, match="mean needs threshold"):
        rollup("mean", [])


# properties

names = st.sampled_from(["Reading", "Writing", "Fractions", "Graphs", "Maps"])
values = st.one_of(st.none(), st.sampled_from([0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]))
children_lists = st.lists(
    st.builds(
        ChildResult,
        name=names,
        value=values,
        mastered=st.booleans(),
        points=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]),
        required=st.booleans(),
    ),
    max_size=8,
)


@given(children_lists)
def test_all_is_mastered_exactly_when_the_share_mastered_is_one(
    children: list[ChildResult],
) -> None:
    result = rollup_all(children)
    if children:
        share = sum(child.mastered for child in children) / len(children)
        assert result.value == pytest.approx(share)
    assert result.mastered == (bool(children) and result.value == 1)


@given(children_lists, st.floats(min_value=0.01, max_value=1), st.sampled_from([0.5, 1.0, 2.0]))
def test_adding_a_mastered_optional_child_never_unmasters_points(
    children: list[ChildResult], share_of_total: float, points: float
) -> None:
    total = sum(child.points for child in children)
    assume(total > 0)
    base = share_of_total * total
    extra = ChildResult(name="Extra", value=3.0, mastered=True, points=points)
    before = rollup_points(children, base)
    after = rollup_points([*children, extra], base)
    assert after.value == pytest.approx(before.value + points)
    if before.mastered:
        assert after.mastered


@given(children_lists, st.sampled_from(list(RULES)))
def test_every_explanation_ends_with_its_verdict(children: list[ChildResult], rule: str) -> None:
    total = sum(child.points for child in children)
    assume(rule != "points" or total > 0)
    params = {"all": {}, "points": {"base": total / 2}, "mean": {"threshold": 2.5}}[rule]
    result = rollup(rule, children, **params)
    assert result.explanation.strip()
    last_sentence = result.explanation.rsplit(". ", 1)[-1]
    if result.mastered:
        assert last_sentence == "Mastered."
    else:
        assert last_sentence.startswith("Not mastered yet")
