"""A method's value over a growing list of ratings, kept up to date one rating at a time.

Replaying a student's ratings day by day (`pace.work_history`) asks for the value after
each day. Calling the method on every earlier rating again makes that quadratic; these
running forms keep just what each method needs, so each new rating costs O(1) (O(n) for
median_recent's last n, O(ratings so far) for power_law, whose fit has no running form).

Each returns exactly the number `methods.calculate` returns for the same ratings, bit for
bit: the sums `calculate` takes with `math.fsum` (correctly rounded) are kept exact here as
non-overlapping partial sums and rounded once when read, which rounds to the same float.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Callable, Mapping
from statistics import median

from proficio.engine import bkt
from proficio.engine.methods import power_law, validate_parameters


class _ExactSum:
    """A sum of floats kept exact as non-overlapping partials (Shewchuk; `math.fsum`'s own)."""

    def __init__(self) -> None:
        self._partials: list[float] = []

    def add(self, x: float) -> None:
        kept = 0
        for y in self._partials:
            if abs(x) < abs(y):
                x, y = y, x
            high = x + y
            low = y - (high - x)
            if low:
                self._partials[kept] = low
                kept += 1
            x = high
        self._partials[kept:] = [x]

    def value(self) -> float:
        return math.fsum(self._partials)


class Running(ABC):
    """The value of one method over the ratings added so far (weight 0: visible, not counted)."""

    def __init__(self) -> None:
        self.counted = 0  # ratings with weight > 0

    def add(self, level: float, weight: float) -> None:
        if not math.isfinite(level):
            raise ValueError("scores must be finite numbers")
        if not (math.isfinite(weight) and weight >= 0):
            raise ValueError("weights must be finite numbers ≥ 0")
        if weight > 0:
            self.counted += 1
            self._count(level)

    @abstractmethod
    def _count(self, level: float) -> None:
        """Take in one counted rating."""

    @abstractmethod
    def value(self) -> float | None:
        """The method's value over the ratings so far; None while there is none to take."""


class _Latest(Running):
    def __init__(self) -> None:
        super().__init__()
        self._last: float | None = None

    def _count(self, level: float) -> None:
        self._last = level

    def value(self) -> float | None:
        return self._last


class _Highest(Running):
    def __init__(self) -> None:
        super().__init__()
        self._best: float | None = None

    def _count(self, level: float) -> None:
        self._best = level if self._best is None else max(self._best, level)

    def value(self) -> float | None:
        return self._best


class _Mean(Running):
    """Weighted by every rating's weight, as `methods.mean`; a weight-0 rating adds 0."""

    def __init__(self) -> None:
        super().__init__()
        self._weighted = _ExactSum()
        self._weights = _ExactSum()

    def add(self, level: float, weight: float) -> None:
        super().add(level, weight)
        self._weighted.add(weight * level)
        self._weights.add(weight)

    def _count(self, level: float) -> None:
        """The sums take every rating, counted or not (see `add`)."""

    def value(self) -> float | None:
        total = self._weights.value()
        return None if total == 0 else self._weighted.value() / total


class _MedianRecent(Running):
    def __init__(self, n: float) -> None:
        super().__init__()
        self._recent: deque[float] = deque(maxlen=int(n))

    def _count(self, level: float) -> None:
        self._recent.append(level)

    def value(self) -> float | None:
        return float(median(self._recent)) if self._recent else None


class _Mode(Running):
    def __init__(self) -> None:
        super().__init__()
        self._counts: Counter[float] = Counter()
        self._best: tuple[int, float] | None = None

    def _count(self, level: float) -> None:
        # Counts only grow, so the most frequent can only become the level just counted.
        self._counts[level] += 1
        candidate = (self._counts[level], level)
        self._best = candidate if self._best is None else max(self._best, candidate)

    def value(self) -> float | None:
        return None if self._best is None else self._best[1]


class _WeightedAverage(Running):
    def __init__(self, weight: float) -> None:
        super().__init__()
        self._weight = weight
        self._earlier = _ExactSum()
        self._last: float | None = None

    def _count(self, level: float) -> None:
        if self._last is not None:
            self._earlier.add(self._last)
        self._last = level

    def value(self) -> float | None:
        if self.counted <= 1:
            return self._last
        earlier_mean = self._earlier.value() / (self.counted - 1)
        return self._weight * self._last + (1 - self._weight) * earlier_mean


class _DecayingAverage(Running):
    def __init__(self, rate: float) -> None:
        super().__init__()
        self._rate = rate
        self._step: float | None = None

    def _count(self, level: float) -> None:
        if self._step is None:
            self._step = level
        else:
            self._step = (1 - self._rate) * self._step + self._rate * level

    def value(self) -> float | None:
        return self._step


class _NMastery(Running):
    def __init__(self, n: float, threshold: float) -> None:
        super().__init__()
        self._needed = n
        self._cut = threshold
        self._at_or_above = 0
        self._sum = _ExactSum()

    def _count(self, level: float) -> None:
        if level >= self._cut:
            self._at_or_above += 1
            self._sum.add(level)

    def value(self) -> float | None:
        if self._at_or_above < self._needed:
            return None
        return self._sum.value() / self._at_or_above


class _PowerLaw(Running):
    """The fit's means shift with every rating, so it is fitted again over all of them."""

    def __init__(self) -> None:
        super().__init__()
        self._levels: list[float] = []

    def _count(self, level: float) -> None:
        self._levels.append(level)

    def value(self) -> float | None:
        return power_law(self._levels)


class _KnowledgeTracing(Running):
    def __init__(self, right_at: float, **params: float) -> None:
        super().__init__()
        self._right_at = right_at
        self._params = bkt.BktParams(**params)
        self._mastered = self._params.prior

    def _count(self, level: float) -> None:
        self._mastered = float(bkt.step(self._mastered, level >= self._right_at, self._params))

    def value(self) -> float | None:
        return self._mastered if self.counted else None


_FORMS = {
    "latest": _Latest,
    "highest": _Highest,
    "mean": _Mean,
    "median_recent": _MedianRecent,
    "mode": _Mode,
    "weighted_average": _WeightedAverage,
    "decaying_average": _DecayingAverage,
    "n_mastery": _NMastery,
    "power_law": _PowerLaw,
    "knowledge_tracing": _KnowledgeTracing,
}


def running_form(method: str, params: Mapping[str, float]) -> Callable[[], Running]:
    """Check the parameters once; return a maker of empty running values for the method."""
    checked = validate_parameters(method, params)
    form = _FORMS[method]

    def empty() -> Running:
        return form(**checked)

    return empty
