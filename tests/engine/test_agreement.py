"""Agreement statistics against the reference libraries (scikit-learn, statsmodels, the
`krippendorff` package) on random matrices with missing ratings, and against the worked
examples their authors published."""

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from proficio.engine.agreement import (
    alpha_words,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers, 12 units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
UNITS_2011 = [list(unit) for unit in zip(*KRIPPENDORFF_2011, strict=True)]

# Fleiss' κ worked example as the reference literature teaches it (10 subjects, 14 raters,
# 5 categories; P̄ = 0.378, P̄e = 0.213, κ = 0.210), counts per subject and category.
FLEISS_EXAMPLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def _units_from_counts(counts):
    return [
        [category for category, n in enumerate(row, start=1) for _ in range(n)] for row in counts
    ]


def test_krippendorffs_published_example_at_each_level():
    # The values published with the example: 0.743, 0.815, 0.849, 0.797.
    assert krippendorff_alpha(UNITS_2011, "nominal") == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(UNITS_2011, "ordinal") == pytest.approx(0.815, abs=5e-4)
    assert krippendorff_alpha(UNITS_2011, "interval") == pytest.approx(0.849, abs=5e-4)
    assert krippendorff_alpha(UNITS_2011, "ratio") == pytest.approx(0.797, abs=5e-4)


def test_fleiss_worked_example():
    assert fleiss_kappa(_units_from_counts(FLEISS_EXAMPLE)) == pytest.approx(0.210, abs=5e-4)


def test_cohens_example_with_weights_matches_scikit_learn():
    a = [1, 2, 3, 3, 2, 1, 4, 1, 2]
    b = [1, 2, 3, 3, 2, 2, 4, 1, 2]
    for weights in (None, "linear", "quadratic"):
        assert cohen_kappa(a, b, weights) == pytest.approx(
            cohen_kappa_score(a, b, weights=weights), abs=1e-9
        )


def test_percent_agreement_by_hand():
    units = [[3, 3, 2], [4, 4, None], [1, None, None]]
    # Pairs: (3,3) (3,2) (3,2) | (4,4): 2 of 4 exact; within 1: all 4.
    assert percent_agreement(units) == pytest.approx(0.5)
    assert percent_agreement(units, tolerance=1) == pytest.approx(1.0)
    assert percent_agreement([[1, None], [None, 2]]) is None


def test_nothing_to_measure_is_none_and_readings_are_in_words():
    assert krippendorff_alpha([[3, 3], [3, 3]]) is None
    assert fleiss_kappa([[2, None], [None, 1]]) is None
    assert cohen_kappa([None, 1], [2, None]) is None
    assert alpha_words(0.85).startswith("Reliable")
    assert alpha_words(0.7).startswith("Tentative")
    assert alpha_words(0.5).startswith("Not reliable")


LEVELS_SEEN = st.integers(min_value=1, max_value=4)


@st.composite
def matrices(draw, complete=False):
    units = draw(st.integers(min_value=2, max_value=12))
    raters = draw(st.integers(min_value=2, max_value=6))
    cell = LEVELS_SEEN if complete else st.one_of(st.none(), LEVELS_SEEN)
    return [[draw(cell) for _ in range(raters)] for _ in range(units)]


def _nan(matrix):
    return np.array([[np.nan if v is None else v for v in row] for row in matrix], float)


@settings(max_examples=150, deadline=None)
@given(matrices(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_matches_the_krippendorff_package(matrix, level):
    ours = krippendorff_alpha(matrix, level)
    data = _nan(matrix).T  # raters × units, as the package takes them
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    values = np.unique(data[:, pairable][~np.isnan(data[:, pairable])])
    if ours is None:
        assert not pairable.any() or values.size < 2
        return
    reference = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert math.isclose(ours, reference, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), LEVELS_SEEN), st.one_of(st.none(), LEVELS_SEEN)),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([None, "linear", "quadratic"]),
)
def test_kappa_matches_scikit_learn(pairs, weights):
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    ours = cohen_kappa(a, b, weights, labels=[1, 2, 3, 4])
    both = [(x, y) for x, y in pairs if x is not None and y is not None]
    if ours is None:
        return
    reference = cohen_kappa_score(
        [x for x, _ in both], [y for _, y in both], labels=[1, 2, 3, 4], weights=weights
    )
    assert math.isclose(ours, reference, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=150, deadline=None)
@given(matrices(complete=True))
def test_fleiss_matches_statsmodels_when_every_unit_has_every_rating(matrix):
    ours = fleiss_kappa(matrix)
    table, _ = aggregate_raters(np.array(matrix))
    if ours is None:
        return
    assert math.isclose(ours, statsmodels_fleiss(table), rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=150, deadline=None)
@given(matrices())
def test_fleiss_with_missing_ratings_is_the_mean_of_each_units_own_pairs(matrix):
    """With units of different sizes, by the definition: each unit's share of agreeing
    pairs, averaged; chance from the categories' shares of all ratings."""
    rated = [[v for v in row if v is not None] for row in matrix]
    rated = [row for row in rated if len(row) >= 2]
    ours = fleiss_kappa(matrix)
    if not rated:
        assert ours is None
        return
    observed = sum(
        sum(1 for i in range(len(r)) for j in range(len(r)) if i != j and r[i] == r[j])
        / (len(r) * (len(r) - 1))
        for r in rated
    ) / len(rated)
    everything = [v for row in rated for v in row]
    chance = sum((everything.count(c) / len(everything)) ** 2 for c in set(everything))
    if chance >= 1:
        assert ours is None
        return
    assert math.isclose(ours, (observed - chance) / (1 - chance), rel_tol=1e-9, abs_tol=1e-9)
