"""How far raters agree (issue 15): teachers reading the same work against the same stage.

Every function takes plain values. `ratings` is a units × raters matrix — one row per piece
of work, one column per rater — with None where a rater did not rate that unit. Each
returns a float, or None when there is nothing to measure (no unit rated twice, or no
variation at all to measure agreement against).

- `percent_agreement`: the share of pairs of ratings of one unit that agree exactly, or within
  `tolerance` (1 for "adjacent" agreement on a level scale).
- `cohen_kappa`: Cohen's κ for two raters, unweighted or with linear or quadratic weights
  over the ordered labels (as scikit-learn's `cohen_kappa_score`).
- `fleiss_kappa`: Fleiss' κ for many raters. Units may have different numbers of ratings:
  each unit's agreement is over its own pairs (with a constant number it is Fleiss 1971, as
  statsmodels' `fleiss_kappa`).
- `krippendorff_alpha`: Krippendorff's α at the nominal, ordinal, interval or ratio level,
  from the coincidence matrix (as the `krippendorff` package), any number of raters and
  missing ratings.

Conventional readings (Krippendorff 2004): α ≥ 0.8 reliable, ≥ 0.667 tentative, below that
not enough agreement to draw conclusions from (`alpha_words`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from proficio.engine.words import _

Rating = float | int | None
Matrix = Sequence[Sequence[Rating]]
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _array(ratings: Matrix) -> NDArray[np.float64]:
    """The matrix as floats, NaN where a rating is missing."""
    rows = [[math.nan if value is None else float(value) for value in row] for row in ratings]
    if not rows:
        return np.empty((0, 0))
    width = {len(row) for row in rows}
    if len(width) != 1:
        raise ValueError("every unit needs a place for every rater (None where missing)")
    values = np.array(rows, dtype=float)
    if np.isinf(values).any():
        raise ValueError("ratings must be finite numbers or None")
    return values


def _counts(values: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """(the distinct values, sorted; units × values counts of each)."""
    present = values[~np.isnan(values)]
    categories = np.unique(present)
    counts = np.zeros((values.shape[0], categories.size), dtype=np.int64)
    if categories.size:
        rows, cols = np.nonzero(~np.isnan(values))
        which = np.searchsorted(categories, values[rows, cols])
        np.add.at(counts, (rows, which), 1)
    return categories, counts


def percent_agreement(ratings: Matrix, tolerance: float = 0) -> float | None:
    """The share of pairs of ratings of the same unit that differ by at most `tolerance`.

    Every unit rated at least twice counts with all its pairs. None when no unit is.
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must be ≥ 0, got {tolerance!r}")
    values = _array(ratings)
    agreeing = total = 0
    for row in values:
        rated = row[~np.isnan(row)]
        if rated.size < 2:
            continue
        gaps = np.abs(rated[:, None] - rated[None, :])
        upper = np.triu_indices(rated.size, k=1)
        agreeing += int((gaps[upper] <= tolerance + 1e-12).sum())
        total += upper[0].size
    return agreeing / total if total else None


def cohen_kappa(
    a: Sequence[Rating],
    b: Sequence[Rating],
    weights: str | None = None,
    labels: Sequence[float] | None = None,
) -> float | None:
    """Cohen's κ between two raters over the units both rated.

    `weights`: None (unweighted), "linear" or "quadratic", over the positions of the labels
    in order. `labels`: the categories, in order (by default those that occur). None when
    no unit is rated by both, or when both always gave one and the same rating.
    """
    if len(a) != len(b):
        raise ValueError(f"got {len(a)} ratings from one rater and {len(b)} from the other")
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    pairs = [
        (float(x), float(y)) for x, y in zip(a, b, strict=True) if x is not None and y is not None
    ]
    if not pairs:
        return None
    first = np.array([x for x, _ in pairs])
    second = np.array([y for _, y in pairs])
    categories = (
        np.array(sorted(float(label) for label in labels))
        if labels is not None
        else np.unique(np.concatenate([first, second]))
    )
    if not np.isin(first, categories).all() or not np.isin(second, categories).all():
        raise ValueError("every rating must be one of the labels")
    size = categories.size
    observed = np.zeros((size, size))
    np.add.at(
        observed, (np.searchsorted(categories, first), np.searchsorted(categories, second)), 1
    )
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    position = np.arange(size)
    if weights is None:
        disagreement = 1.0 - np.eye(size)
    elif weights == "linear":
        disagreement = np.abs(position[:, None] - position[None, :]).astype(float)
    else:
        disagreement = ((position[:, None] - position[None, :]) ** 2).astype(float)
    chance = (disagreement * expected).sum()
    if chance == 0:
        return None
    return 1.0 - (disagreement * observed).sum() / chance


def fleiss_kappa(ratings: Matrix, labels: Sequence[float] | None = None) -> float | None:
    """Fleiss' κ over every unit rated at least twice; the categories are `labels` (by
    default those that occur). None when no unit is rated twice or agreement by chance is
    certain (one category only)."""
    values = _array(ratings)
    categories, counts = _counts(values)
    if labels is not None:
        known = np.array(sorted(float(label) for label in labels))
        if not np.isin(categories, known).all():
            raise ValueError("every rating must be one of the labels")
        widened = np.zeros((counts.shape[0], known.size), dtype=np.int64)
        widened[:, np.searchsorted(known, categories)] = counts
        counts = widened
    per_unit = counts.sum(axis=1)
    rated = per_unit >= 2
    if not rated.any():
        return None
    counts, per_unit = counts[rated], per_unit[rated]
    agreement = ((counts * (counts - 1)).sum(axis=1)) / (per_unit * (per_unit - 1))
    observed = agreement.mean()
    shares = counts.sum(axis=0) / counts.sum()
    chance = (shares**2).sum()
    if chance >= 1:
        return None
    return float((observed - chance) / (1 - chance))


def _distances(categories: NDArray[np.float64], frequency: NDArray[np.float64], level: str):
    """The squared difference δ² between every two values, at a level of measurement."""
    c, k = categories[:, None], categories[None, :]
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = ((c - k) / (c + k)) ** 2
        return np.nan_to_num(ratio)
    # Ordinal: the frequencies from one value to the other, less half of both ends.
    cumulative = np.concatenate([[0.0], np.cumsum(frequency)])
    low = np.minimum(np.arange(categories.size)[:, None], np.arange(categories.size)[None, :])
    high = np.maximum(np.arange(categories.size)[:, None], np.arange(categories.size)[None, :])
    between = cumulative[high + 1] - cumulative[low]
    ends = (frequency[low] + frequency[high]) / 2
    return (between - ends) ** 2


def krippendorff_alpha(ratings: Matrix, level: str = "ordinal") -> float | None:
    """Krippendorff's α at `level` ("nominal", "ordinal", "interval" or "ratio"), from the
    coincidence matrix of every unit rated at least twice. None when there is nothing to
    measure: no unit rated twice, or a single value throughout."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    values = _array(ratings)
    categories, counts = _counts(values)
    pairable = counts.sum(axis=1)
    keep = pairable >= 2
    if not keep.any() or categories.size < 2:
        return None
    counts = counts[keep].astype(float)
    weight = 1.0 / (counts.sum(axis=1) - 1)
    coincidences = counts.T @ (counts * weight[:, None]) - np.diag(
        (counts * weight[:, None]).sum(axis=0)
    )
    frequency = coincidences.sum(axis=0)
    total = frequency.sum()
    distance = _distances(categories, frequency, level)
    observed = (coincidences * distance).sum() / total
    expected = (np.outer(frequency, frequency) * distance).sum() / (total * (total - 1))
    if expected == 0:
        return None
    return float(1.0 - observed / expected)


def alpha_words(alpha: float | None) -> str:
    """The conventional reading of an α (Krippendorff 2004), in words."""
    if alpha is None:
        return _("Not enough ratings, or too little variety in them, to tell.")
    if alpha >= 0.8:
        return _("Reliable: the raters read the work alike.")
    if alpha >= 0.667:
        return _("Tentative: enough agreement for tentative conclusions only.")
    return _("Not reliable: the raters read the work too differently to rely on.")
