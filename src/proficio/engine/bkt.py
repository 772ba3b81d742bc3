"""Bayesian knowledge tracing (DESIGN.md §3): trace one student, predict many, fit from data.

The model is a two-state hidden Markov model per competency: a student has either mastered
it or not. Each right/wrong observation updates P(mastered) by Bayes' rule, then one
transition step lets an unmastered student learn and a mastered one forget:

    correct:  P(L | right) = L·(1 − S) / (L·(1 − S) + (1 − L)·G)
    wrong:    P(L | wrong) = L·S / (L·S + (1 − L)·(1 − G))
    step:     L' = L·(1 − F) + (1 − L)·T

with prior L₀, learn T, guess G, slip S and forget F. P(correct) before an observation is
L·(1 − S) + (1 − L)·G.

Time passing on other competencies (``gaps``). Classic BKT with forgetting applies F
once per observation of the competency, however much else the student did in between.
Following Khajah, Lindsey & Mozer (2016, "How deep is knowledge tracing?"), every
response of the student is one tick of time: between two observations of this competency
with ``gap`` ticks (1 = back to back, 3 = two responses on other competencies in between)
the student learns once, from the practice, and gets one chance to forget per tick:

    L' = L·(1 − F)^gap + (1 − L)·T·(1 − F)^(gap − 1)

With gap = 1 this is the step above; without forgetting gaps change nothing.

Fitting is expectation–maximisation (Baum–Welch) on scaled forward–backward passes,
stepping every sequence of every competency and every restart together in NumPy. With
gaps it is still exact EM: the idle ticks are part of the hidden chain and their expected
learn/forget counts have a closed form, so the likelihood never decreases. Guess and slip
are capped, 0.3 each by default, so that no fit drifts towards the degenerate models where
an unmastered student mostly answers right or a mastered one mostly wrong (Baker, Corbett &
Aleven 2008 call guess or slip above 0.5 degenerate); capping is exact in the M-step, where
each of them has its own concave objective.

Individualised fitting (fit_many_by_cohort) splits a competency's students into cohorts known
beforehand, e.g. by accuracy on other competencies, and fits some parameters per cohort,
the prior by default (see CohortParams); tracing and prediction are unchanged, with each
student's cohort parameters.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from numbers import Integral
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from proficio.engine.params import ParamSpec

Observations = Sequence[int]
Key = TypeVar("Key", bound=Hashable)

MASTERY_THRESHOLD = 0.95
DEFAULT_MAX_GUESS = 0.3
DEFAULT_MAX_SLIP = 0.3
DEFAULT_RESTARTS = 4
DEFAULT_MAX_ITERATIONS = 200
DEFAULT_TOLERANCE = 1e-5
# EM iterations every restart gets before only the most likely one per competency goes on.
SCREENING_ITERATIONS = 10

_PROBABILITY = ParamSpec(default=0.0, low=0.0, high=1.0, label="Probability")
_PARAMETER_NAMES = ("prior", "learn", "guess", "slip", "forget")
# Keeps every fitted probability off 0 and 1, where one observation can have likelihood 0.
_EDGE = 1e-6

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BktParams:
    """The parameters of one competency: P(mastered) at the first observation, learn per
    practice, guess (right while unmastered), slip (wrong while mastered), forget per tick."""

    prior: float
    learn: float
    guess: float
    slip: float
    forget: float = 0.0

    def __post_init__(self) -> None:
        for name in _PARAMETER_NAMES:
            object.__setattr__(self, name, _PROBABILITY.check(name, getattr(self, name)))
        if self.guess + self.slip >= 1:
            raise ValueError(
                f"guess + slip must be < 1 (otherwise a right answer is no sign of mastery), "
                f"got guess={self.guess:g} and slip={self.slip:g}"
            )


# Where tracing starts before a district's own answers are fitted (and where fitting's first
# restart starts): a typical skill, about even odds of knowing it beforehand, learnt in a
# handful of practices. Two right answers in a row reach MASTERY_THRESHOLD.
DEFAULT_PARAMS = BktParams(prior=0.4, learn=0.15, guess=0.15, slip=0.1)


@dataclass(frozen=True)
class FittedFrom:
    """Where a competency's parameters came from, for the explanation: how many answers of
    how many students were fitted, and on which day."""

    answers: int
    students: int
    on: date


def mastered(p: float, threshold: float = MASTERY_THRESHOLD) -> bool:
    """Whether P(mastered) reaches the threshold (0.95 by default, DESIGN.md §3)."""
    value = _PROBABILITY.check("p", p)
    cut = _PROBABILITY.check("threshold", threshold)
    return value >= cut


def trace(
    observations: Observations,
    prior: float,
    learn: float,
    guess: float,
    slip: float,
    forget: float = 0.0,
    *,
    gaps: Sequence[int] | None = None,
) -> list[float]:
    """P(mastered) before each observation, then after the last one (length n + 1).

    Observations are right/wrong (bools or 0/1), oldest first. ``gaps`` (length n − 1, each
    ≥ 1) counts the student's responses from one observation to the next; see the module
    docstring. This is the one-student path; trace_many gives the same numbers in bulk.
    """
    params = BktParams(prior=prior, learn=learn, guess=guess, slip=slip, forget=forget)
    values = _checked_observations(observations)
    ticks = _checked_gaps(gaps, len(values))
    stay = 1 - params.forget
    current = params.prior
    steps = [current]
    for index, right in enumerate(values):
        if right:
            evidence_if_mastered, evidence_if_not = 1 - params.slip, params.guess
        else:
            evidence_if_mastered, evidence_if_not = params.slip, 1 - params.guess
        joint = current * evidence_if_mastered
        total = joint + (1 - current) * evidence_if_not
        if total == 0:
            raise _impossible()
        posterior = joint / total
        tick = ticks[index] if index < len(ticks) else 1
        current = posterior * stay**tick + (1 - posterior) * params.learn * stay ** (tick - 1)
        steps.append(current)
    return steps


def step(p: float | FloatArray, right: bool | npt.ArrayLike, params: BktParams) -> FloatArray:
    """P(mastered) after one more answer (right or wrong) and one practice tick, from P(mastered)
    before it: the step trace takes between back-to-back observations, for one student or an
    array of them, each with their own answer."""
    if_mastered = np.where(right, 1 - params.slip, params.slip)
    if_not = np.where(right, params.guess, 1 - params.guess)
    joint = p * if_mastered
    total = joint + (1 - p) * if_not
    if not np.all(total):
        raise _impossible()
    posterior = joint / total
    return posterior * (1 - params.forget) + (1 - posterior) * params.learn


def trace_last(right: npt.ArrayLike, starts: npt.ArrayLike, params: BktParams) -> FloatArray:
    """P(mastered) after the last answer of each run of answers, all runs stepped together.

    ``right``: every run's answers, oldest first, one run after another; ``starts``: where
    each run begins (ascending, none empty). Each value is trace's last for that run.
    """
    answers = np.asarray(right, dtype=bool)
    begin = np.asarray(starts, dtype=np.int64)
    lengths = np.diff(begin, append=answers.size)
    if begin.size and (lengths.min() < 1 or begin[0] != 0):
        raise ValueError("starts must begin at 0 and leave no run empty")
    # Longest first, so the runs still going at each step are a prefix.
    order = np.argsort(-lengths, kind="stable")
    first, going = begin[order], lengths[order]
    longest = int(going[0]) if going.size else 0
    # longer_than[k]: how many runs have more than k answers.
    longer_than = going.size - np.cumsum(np.bincount(going, minlength=longest + 1))
    current = np.full(begin.size, params.prior)
    for position in range(longest):
        live = int(longer_than[position])
        current[:live] = step(current[:live], answers[first[:live] + position], params)
    last = np.empty(begin.size)
    last[order] = current
    return last


def trace_many(
    sequences: Sequence[Observations],
    params: BktParams | Sequence[BktParams],
    *,
    gaps: Sequence[Sequence[int]] | None = None,
) -> list[FloatArray]:
    """trace for many sequences at once: per sequence, P(mastered) before each observation
    and after the last. ``params`` is one BktParams for all, or one per sequence."""
    batch = _Batch.build(sequences, gaps)
    chain = _ChainParams.per_sequence(params, batch)
    forward = _filter(batch, chain, _Steps.of(batch, chain))
    return [
        np.append(values, after)
        for values, after in zip(
            batch.split(forward.before), forward.after_last[batch.rank], strict=True
        )
    ]


def predict(
    sequences: Sequence[Observations],
    params: BktParams | Sequence[BktParams],
    *,
    gaps: Sequence[Sequence[int]] | None = None,
) -> list[FloatArray]:
    """P(correct) before each observation of each sequence, from the observations before it:
    L·(1 − S) + (1 − L)·G. ``params`` is one BktParams for all, or one per sequence."""
    batch = _Batch.build(sequences, gaps)
    chain = _ChainParams.per_sequence(params, batch)
    before = _filter(batch, chain, _Steps.of(batch, chain)).before
    guess, slip = chain.at_observations(batch, "guess", "slip")
    return batch.split(before * (1 - slip) + (1 - before) * guess)


def log_likelihood(
    sequences: Sequence[Observations],
    params: BktParams,
    *,
    gaps: Sequence[Sequence[int]] | None = None,
) -> float:
    """Natural log of the probability of the observed sequences under params."""
    batch = _Batch.build(sequences, gaps)
    chain = _ChainParams.per_sequence(params, batch)
    return float(np.log(_filter(batch, chain, _Steps.of(batch, chain)).scale).sum())


def fit(
    sequences: Sequence[Observations],
    *,
    forgetting: bool = False,
    gaps: Sequence[Sequence[int]] | None = None,
    restarts: int = DEFAULT_RESTARTS,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    tolerance: float = DEFAULT_TOLERANCE,
    max_guess: float = DEFAULT_MAX_GUESS,
    max_slip: float = DEFAULT_MAX_SLIP,
    seed: int = 0,
) -> BktParams:
    """Fit one competency's parameters by EM from each student's observations, oldest first.

    Without ``forgetting`` forget stays 0 and gaps do not matter. Guess and slip stay at or
    under max_guess and max_slip. The first restart starts from typical values, the others
    from random ones (``seed``); after SCREENING_ITERATIONS iterations the most likely one
    goes on alone. EM stops when the log-likelihood grows by no more than ``tolerance`` per
    observation in an iteration, or after ``max_iterations``.
    """
    fitted = fit_many(
        {0: sequences},
        forgetting=forgetting,
        gaps=None if gaps is None else {0: gaps},
        restarts=restarts,
        max_iterations=max_iterations,
        tolerance=tolerance,
        max_guess=max_guess,
        max_slip=max_slip,
        seed=seed,
    )
    return fitted[0]


def fit_many(
    groups: Mapping[Key, Sequence[Observations]],
    *,
    forgetting: bool = False,
    gaps: Mapping[Key, Sequence[Sequence[int]]] | None = None,
    restarts: int = DEFAULT_RESTARTS,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    tolerance: float = DEFAULT_TOLERANCE,
    max_guess: float = DEFAULT_MAX_GUESS,
    max_slip: float = DEFAULT_MAX_SLIP,
    seed: int = 0,
) -> dict[Key, BktParams]:
    """fit for many competencies at once (one EM over all of them): competency → params.

    Every competency needs at least one observation; EM goes on until every one of them has
    converged. Arguments as in fit, with sequences and gaps per competency.
    """
    settings = _FitSettings.checked(
        restarts=restarts,
        max_iterations=max_iterations,
        tolerance=tolerance,
        max_guess=max_guess,
        max_slip=max_slip,
    )
    keys, fitted, _ = _fit_groups(groups, gaps, None, forgetting, settings, seed)
    return {key: BktParams(*map(float, fitted[index, 0])) for index, key in enumerate(keys)}


@dataclass(frozen=True)
class CohortParams:
    """One competency's parameters per cohort of students, and over all of them.

    Individualised BKT: Pardos & Heffernan (2010, "Modeling individualization in a Bayesian
    networks implementation of knowledge tracing") give each student a prior picked by what
    is known of them beforehand, e.g. high or low by their accuracy elsewhere; Lee &
    Brunskill (2012) individualise learn, guess and slip too. A cohort is such a group of
    students; its parameters are fitted from its students alone, the others shared with every
    cohort of the competency. The dynamics stay BKT's. ``pooled`` averages each parameter
    over the fitted students, for a student in no cohort; a cohort with no student on this
    competency gets it too.
    """

    pooled: BktParams
    by_cohort: tuple[BktParams, ...]

    def of(self, cohort: int | None) -> BktParams:
        """The parameters for a student of this cohort (None: of no cohort)."""
        return self.pooled if cohort is None else self.by_cohort[cohort]


def fit_many_by_cohort(
    groups: Mapping[Key, Sequence[Observations]],
    cohorts: Mapping[Key, Sequence[int]],
    *,
    per_cohort: Sequence[str] = ("prior",),
    forgetting: bool = False,
    gaps: Mapping[Key, Sequence[Sequence[int]]] | None = None,
    restarts: int = DEFAULT_RESTARTS,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    tolerance: float = DEFAULT_TOLERANCE,
    max_guess: float = DEFAULT_MAX_GUESS,
    max_slip: float = DEFAULT_MAX_SLIP,
    seed: int = 0,
) -> dict[Key, CohortParams]:
    """fit_many with the ``per_cohort`` parameters (by default the prior alone) fitted per
    cohort of students (see CohortParams): ``cohorts`` numbers the cohort (0, 1, …) of each
    sequence of each competency. Still exact EM: a per-cohort parameter's M-step uses its
    cohort's expected counts, a shared one's the sum over the competency's cohorts.
    """
    unknown = set(per_cohort) - set(_PARAMETER_NAMES)
    if unknown:
        raise ValueError(f"per_cohort takes {', '.join(_PARAMETER_NAMES)}; got {sorted(unknown)}")
    settings = _FitSettings.checked(
        restarts=restarts,
        max_iterations=max_iterations,
        tolerance=tolerance,
        max_guess=max_guess,
        max_slip=max_slip,
    )
    settings = replace(settings, per_cohort=frozenset(per_cohort))
    if set(cohorts) != set(groups):
        raise ValueError("cohorts must have an entry for every competency, and only those")
    keys, fitted, students = _fit_groups(groups, gaps, cohorts, forgetting, settings, seed)
    result = {}
    for index, key in enumerate(keys):
        weights = students[index]
        pooled = BktParams(*map(float, weights @ fitted[index] / weights.sum()))
        by_cohort = tuple(
            BktParams(*map(float, row)) if weight > 0 else pooled
            for row, weight in zip(fitted[index], weights, strict=True)
        )
        result[key] = CohortParams(pooled=pooled, by_cohort=by_cohort)
    return result


def _fit_groups(
    groups: Mapping[Key, Sequence[Observations]],
    gaps: Mapping[Key, Sequence[Sequence[int]]] | None,
    cohorts: Mapping[Key, Sequence[int]] | None,
    forgetting: bool,
    settings: _FitSettings,
    seed: int,
) -> tuple[list[Key], FloatArray, FloatArray]:
    """The competencies in order, their fitted parameters (competencies × cohorts × 5)
    and how many sequences with observations each cohort of each has. Without cohorts
    there is one."""
    keys = list(groups)
    if gaps is not None and set(gaps) != set(keys):
        raise ValueError("gaps must have an entry for every competency, and only those")
    sequences: list[Observations] = []
    sequence_gaps: list[Sequence[int]] = []
    owners: list[int] = []
    cohort_of: list[int] = []
    for index, key in enumerate(keys):
        group = groups[key]
        group_gaps = gaps[key] if gaps is not None else [()] * len(group)
        if len(group_gaps) != len(group):
            raise ValueError(
                f"competency {key!r}: got {len(group_gaps)} gap lists for {len(group)} sequences"
            )
        group_cohorts = list(cohorts[key]) if cohorts is not None else [0] * len(group)
        if len(group_cohorts) != len(group):
            raise ValueError(
                f"competency {key!r}: got {len(group_cohorts)} cohorts for {len(group)} sequences"
            )
        if not all(isinstance(c, Integral) and c >= 0 for c in group_cohorts):
            raise ValueError(f"competency {key!r}: cohorts must be whole numbers ≥ 0")
        sequences.extend(group)
        sequence_gaps.extend(group_gaps)
        owners.extend([index] * len(group))
        cohort_of.extend(int(c) for c in group_cohorts)
    batch = _Batch.build(sequences, sequence_gaps if gaps is not None else None)
    owner = np.asarray(owners, dtype=np.int64)
    observed = np.bincount(owner, weights=batch.lengths, minlength=len(keys))
    empty = [key for key, count in zip(keys, observed, strict=True) if count == 0]
    if empty:
        raise ValueError(f"no observations to fit for {', '.join(map(repr, empty))}")
    cohort = np.asarray(cohort_of, dtype=np.int64)
    cohort_count = int(cohort.max()) + 1 if cohort.size else 1
    row_of_sequence = owner * cohort_count + cohort
    competency_of_row = np.repeat(np.arange(len(keys)), cohort_count)
    start = _starting_points(len(keys), settings, forgetting, np.random.default_rng(seed))
    fitted = _expectation_maximisation(
        batch, row_of_sequence, competency_of_row, start, forgetting, settings
    )
    students = np.bincount(
        row_of_sequence, weights=batch.lengths > 0, minlength=len(keys) * cohort_count
    )
    shape = (len(keys), cohort_count)
    return keys, fitted.reshape(*shape, len(_PARAMETER_NAMES)), students.reshape(shape)


def _impossible() -> ValueError:
    return ValueError(
        "an observation is impossible under these parameters: a right answer needs "
        "guess > 0 or some chance of mastery, a wrong one slip > 0 or some chance of none"
    )


def _checked_observations(observations: Observations) -> list[int]:
    values = []
    for value in observations:
        if value in (0, 1) and not isinstance(value, float):
            values.append(int(value))
        else:
            raise ValueError(f"observations must be right/wrong (True/False or 1/0), got {value!r}")
    return values


def _checked_gaps(gaps: Sequence[int] | None, count: int) -> list[int]:
    if gaps is None:
        return []
    ticks = list(gaps)
    if len(ticks) != max(count - 1, 0):
        raise ValueError(f"gaps must have one entry between each two of {count} observations")
    if not all(isinstance(tick, Integral) and tick >= 1 for tick in ticks):
        raise ValueError(f"gaps must be whole numbers ≥ 1, got {ticks!r}")
    return [int(tick) for tick in ticks]


@dataclass(frozen=True)
class _Batch:
    """Many sequences laid out time-major: the sequences sorted longest first, so at time
    step t the ones still running are a prefix, stored contiguously from starts[t]."""

    lengths: IntArray  # per sequence, input order
    rank: IntArray  # input index → position in the longest-first order
    running: IntArray  # running[t]: how many sequences are longer than t (length max + 1)
    starts: IntArray  # starts[t]: where time step t begins in the flat arrays
    flat_of_input: IntArray  # observation in input order → flat index
    right: npt.NDArray[np.bool_]  # flat
    gaps: IntArray  # flat: ticks to the sequence's next observation (1 after the last)

    @classmethod
    def build(
        cls, sequences: Sequence[Observations], gaps: Sequence[Sequence[int]] | None
    ) -> _Batch:
        arrays = [np.asarray(sequence) for sequence in sequences]
        if any(a.size and (a.ndim != 1 or a.dtype.kind not in "biu") for a in arrays):
            raise ValueError("observations must be right/wrong (True/False or 1/0)")
        lengths = np.array([len(values) for values in arrays], dtype=np.int64)
        total = int(lengths.sum())
        if gaps is not None and len(gaps) != len(arrays):
            raise ValueError(f"got {len(gaps)} gap lists for {len(arrays)} sequences")
        rank = np.empty(len(arrays), dtype=np.int64)
        rank[np.argsort(-lengths, kind="stable")] = np.arange(len(arrays))
        longest = int(lengths.max()) if len(arrays) else 0
        ended_by = np.cumsum(np.bincount(lengths, minlength=longest + 1))
        running = (len(arrays) - ended_by).astype(np.int64)
        starts = np.concatenate(([0], np.cumsum(running[:-1]))).astype(np.int64)
        sequence_of = np.repeat(np.arange(len(arrays)), lengths)
        first = np.cumsum(lengths) - lengths
        position = np.arange(total) - np.repeat(first, lengths)
        flat_of_input = starts[position] + rank[sequence_of]
        right = np.zeros(total, dtype=bool)
        if total:
            values = np.concatenate([a.reshape(-1) for a in arrays])
            if not ((values == 0) | (values == 1)).all():
                raise ValueError("observations must be right/wrong (True/False or 1/0)")
            right[flat_of_input] = values
        ticks = np.ones(total, dtype=np.int64)
        if gaps is not None and total:
            given = [_gap_array(g, len(values)) for g, values in zip(gaps, arrays, strict=True)]
            last = np.cumsum(lengths) - 1
            not_last = np.ones(total, dtype=bool)
            not_last[last[lengths > 0]] = False
            ticks[flat_of_input[not_last]] = np.concatenate(given)
        return cls(lengths, rank, running, starts, flat_of_input, right, ticks)

    @property
    def steps(self) -> int:
        return len(self.running) - 1

    @cached_property
    def ranked(self) -> IntArray:
        """The longest-first position of the sequence each flat observation belongs to."""
        return np.arange(len(self.right)) - np.repeat(self.starts[:-1], self.running[:-1])

    @cached_property
    def successors(self) -> tuple[IntArray, IntArray]:
        """The flat observations that have a next one in their sequence, and where it is:
        at time step t the sequence of rank r moves from starts[t] + r to starts[t + 1] + r."""
        step = np.repeat(np.arange(self.steps), self.running[:-1])
        now = np.flatnonzero(self.ranked < self.running[1:][step])
        return now, now + self.running[:-1][step[now]]

    def at_step(self, t: int) -> slice:
        return slice(int(self.starts[t]), int(self.starts[t] + self.running[t]))

    def split(self, flat: FloatArray) -> list[FloatArray]:
        """Flat values back to one array per sequence, in input order."""
        if not len(self.lengths):
            return []
        return np.split(flat[self.flat_of_input], np.cumsum(self.lengths)[:-1])


def _gap_array(gaps: Sequence[int], count: int) -> IntArray:
    values = np.asarray(gaps)
    if values.size != max(count - 1, 0):
        raise ValueError(f"gaps must have one entry between each two of {count} observations")
    if values.size and (values.dtype.kind not in "iu" or values.min() < 1):
        raise ValueError("gaps must be whole numbers ≥ 1")
    return values.astype(np.int64).reshape(-1)


@dataclass(frozen=True)
class _ChainParams:
    """Parameters per sequence, in the batch's longest-first order."""

    prior: FloatArray
    learn: FloatArray
    guess: FloatArray
    slip: FloatArray
    forget: FloatArray

    @classmethod
    def per_sequence(cls, params: BktParams | Sequence[BktParams], batch: _Batch) -> _ChainParams:
        count = len(batch.lengths)
        if isinstance(params, BktParams):
            table = np.array([[getattr(params, name) for name in _PARAMETER_NAMES]] * count)
        else:
            if len(params) != count:
                raise ValueError(f"got {len(params)} parameter sets for {count} sequences")
            table = np.array([[getattr(p, name) for name in _PARAMETER_NAMES] for p in params])
        ordered = np.empty((count, len(_PARAMETER_NAMES)))
        ordered[batch.rank] = table.reshape(count, len(_PARAMETER_NAMES))
        return cls(*(ordered[:, column].copy() for column in range(len(_PARAMETER_NAMES))))

    def at_observations(self, batch: _Batch, *names: str) -> list[FloatArray]:
        ranked = batch.ranked
        return [getattr(self, name)[ranked] for name in names]


@dataclass(frozen=True)
class _Steps:
    """The model at every observation (flat): how likely the answer is in each state, and
    the transition over the gap that follows it."""

    if_mastered: FloatArray  # P(this answer | mastered)
    if_not: FloatArray  # P(this answer | not mastered)
    kept: FloatArray  # P(mastered next | mastered now)
    gained: FloatArray  # P(mastered next | not mastered now)

    @classmethod
    def of(cls, batch: _Batch, chain: _ChainParams) -> _Steps:
        ranked = batch.ranked
        guess, slip = chain.guess[ranked], chain.slip[ranked]
        stay, learn = 1 - chain.forget[ranked], chain.learn[ranked]
        kept, gained = stay, learn
        stretched = np.flatnonzero(batch.gaps > 1)
        if stretched.size:
            kept, gained = stay.copy(), learn.copy()
            stay_over_gap = stay[stretched] ** (batch.gaps[stretched] - 1)
            kept[stretched] *= stay_over_gap
            gained[stretched] *= stay_over_gap
        return cls(
            if_mastered=np.where(batch.right, 1 - slip, slip),
            if_not=np.where(batch.right, guess, 1 - guess),
            kept=kept,
            gained=gained,
        )


@dataclass(frozen=True)
class _Forward:
    """The forward pass, flat except after_last (longest-first order)."""

    before: FloatArray  # P(mastered) before each observation
    after: FloatArray  # P(mastered) given the observations up to and including this one
    after_last: FloatArray  # P(mastered) after each sequence's last observation and step
    scale: FloatArray  # P(observation | the earlier ones)


def _filter(batch: _Batch, chain: _ChainParams, steps: _Steps) -> _Forward:
    before = np.empty(len(batch.right))
    after = np.empty(len(batch.right))
    scale = np.empty(len(batch.right))
    after_last = np.array(chain.prior)
    current = chain.prior
    running = batch.running.tolist()
    starts = batch.starts.tolist()
    for t in range(batch.steps):
        count, going_on = running[t], running[t + 1]
        here = slice(starts[t], starts[t] + count)
        current = current[:count]
        before[here] = current
        joint = current * steps.if_mastered[here]
        total = joint + (1 - current) * steps.if_not[here]
        if not total.all():
            raise _impossible()
        posterior = joint / total
        current = posterior * steps.kept[here] + (1 - posterior) * steps.gained[here]
        after_last[going_on:count] = current[going_on:]
        after[here] = posterior
        scale[here] = total
    return _Forward(before, after, after_last, scale)


@dataclass(frozen=True)
class _FitSettings:
    restarts: int
    max_iterations: int
    tolerance: float
    max_guess: float
    max_slip: float
    # The parameters fitted per cohort of a competency; the others are shared by its cohorts.
    # fit_many has one cohort per competency, where sharing changes nothing.
    per_cohort: frozenset[str] = frozenset(_PARAMETER_NAMES)

    @classmethod
    def checked(
        cls,
        *,
        restarts: int,
        max_iterations: int,
        tolerance: float,
        max_guess: float,
        max_slip: float,
    ) -> _FitSettings:
        if not (isinstance(restarts, int) and restarts >= 1):
            raise ValueError(f"restarts must be a whole number ≥ 1, got {restarts!r}")
        if not (isinstance(max_iterations, int) and max_iterations >= 1):
            raise ValueError(f"max_iterations must be a whole number ≥ 1, got {max_iterations!r}")
        if not (isinstance(tolerance, int | float) and math.isfinite(tolerance) and tolerance >= 0):
            raise ValueError(f"tolerance must be a number ≥ 0, got {tolerance!r}")
        for name, cap in (("max_guess", max_guess), ("max_slip", max_slip)):
            if not (isinstance(cap, int | float) and 0 < cap < 1):
                raise ValueError(f"{name} must be a number > 0 and < 1, got {cap!r}")
        if max_guess + max_slip >= 1:
            raise ValueError("max_guess + max_slip must be < 1 so fitted guess + slip stays < 1")
        return cls(restarts, max_iterations, float(tolerance), float(max_guess), float(max_slip))


def _starting_points(
    competencies: int, settings: _FitSettings, forgetting: bool, rng: np.random.Generator
) -> FloatArray:
    """competencies × restarts rows: typical values first, then random ones."""
    typical = [
        DEFAULT_PARAMS.prior,
        DEFAULT_PARAMS.learn,
        min(DEFAULT_PARAMS.guess, settings.max_guess),
        min(DEFAULT_PARAMS.slip, settings.max_slip),
        0.05,
    ]
    table = np.empty((competencies, settings.restarts, len(_PARAMETER_NAMES)))
    table[:, 0] = typical
    shape = (competencies, settings.restarts - 1)
    table[:, 1:, 0] = rng.uniform(0.05, 0.95, shape)
    table[:, 1:, 1] = rng.uniform(0.02, 0.5, shape)
    table[:, 1:, 2] = rng.uniform(0.02, settings.max_guess, shape)
    table[:, 1:, 3] = rng.uniform(0.02, settings.max_slip, shape)
    table[:, 1:, 4] = rng.uniform(0.01, 0.2, shape)
    if not forgetting:
        table[:, :, 4] = 0.0
    return table.reshape(competencies * settings.restarts, len(_PARAMETER_NAMES))


def _expectation_maximisation(
    batch: _Batch,
    row_of_sequence: IntArray,
    competency_of_row: IntArray,
    start: FloatArray,
    forgetting: bool,
    settings: _FitSettings,
) -> FloatArray:
    """EM from every starting point; the fitted parameters per row (rows × 5).

    A row is one competency, or one cohort of one competency: rows of the same competency
    share every parameter but the prior. ``start`` holds restarts rows per competency.
    Every restart runs a few screening iterations (each one a copy of the whole batch);
    only the most likely restart per competency runs on to convergence.
    """
    restarts = settings.restarts
    competencies = len(start) // restarts
    rows = len(competency_of_row)
    copy = np.arange(restarts)
    # Restart r of row i is row i·restarts + r of the replicated batch.
    replicated_competency = (competency_of_row[:, None] * restarts + copy).reshape(-1)
    begin = start[replicated_competency]
    if restarts == 1:
        fitted, _ = _iterate(
            batch,
            row_of_sequence,
            begin,
            competency_of_row,
            forgetting,
            settings,
            settings.max_iterations,
        )
        return fitted
    replicated_rows = (row_of_sequence[None, :] * restarts + copy[:, None]).reshape(-1)
    screened, loglik = _iterate(
        _replicate(batch, restarts),
        replicated_rows,
        begin,
        replicated_competency,
        forgetting,
        settings,
        min(SCREENING_ITERATIONS, settings.max_iterations),
    )
    per_restart = np.bincount(
        replicated_competency, weights=loglik, minlength=competencies * restarts
    )
    best = per_restart.reshape(competencies, restarts).argmax(axis=1)
    begin = screened[np.arange(rows) * restarts + best[competency_of_row]]
    fitted, _ = _iterate(
        batch,
        row_of_sequence,
        begin,
        competency_of_row,
        forgetting,
        settings,
        settings.max_iterations,
    )
    return fitted


def _iterate(
    batch: _Batch,
    row_of_sequence: IntArray,
    start: FloatArray,
    competency_of_row: IntArray,
    forgetting: bool,
    settings: _FitSettings,
    iterations: int,
) -> tuple[FloatArray, FloatArray]:
    """Up to ``iterations`` EM steps for every row of parameters over its own sequences,
    stopping early once no row's log-likelihood grows by more than tolerance per observation.
    Returns the parameters and the log-likelihood of the last E-step per row."""
    row_ranked = np.empty(len(row_of_sequence), dtype=np.int64)
    row_ranked[batch.rank] = row_of_sequence
    row_flat = row_ranked[batch.ranked]
    rows = len(start)
    size = np.bincount(row_flat, minlength=rows).astype(float)
    table = start
    previous = np.full(rows, -np.inf)
    loglik = previous
    for _ in range(iterations):
        chain = _ChainParams(*(table[row_ranked, column] for column in range(5)))
        counts, loglik = _expected_counts(batch, chain, row_ranked, row_flat, rows)
        table = _maximise(table, counts, competency_of_row, forgetting, settings)
        if np.all(loglik - previous <= settings.tolerance * size):
            break
        previous = loglik
    return table, loglik


def _replicate(batch: _Batch, copies: int) -> _Batch:
    if copies == 1:
        return batch
    lengths = np.tile(batch.lengths, copies)
    running = batch.running * copies
    starts = batch.starts * copies
    # Within a time step, copy c of the sequence at old position i sits at i·copies + c.
    old_rank = np.tile(batch.rank, copies)
    copy = np.repeat(np.arange(copies), len(batch.lengths))
    rank = old_rank * copies + copy
    step_of_flat = np.repeat(np.arange(batch.steps), batch.running[:-1])
    offset = batch.ranked
    new_flat = (starts[step_of_flat] + offset * copies)[:, None] + np.arange(copies)
    right = np.empty(len(batch.right) * copies, dtype=bool)
    gaps = np.empty(len(batch.right) * copies, dtype=np.int64)
    right[new_flat.reshape(-1)] = np.repeat(batch.right, copies)
    gaps[new_flat.reshape(-1)] = np.repeat(batch.gaps, copies)
    flat_of_input = np.concatenate(
        [new_flat[batch.flat_of_input, c] for c in range(copies)]
    ).astype(np.int64)
    return _Batch(lengths, rank, running, starts, flat_of_input, right, gaps)


@dataclass(frozen=True)
class _Counts:
    """Expected counts per row, summed over every sequence and observation."""

    sequences: FloatArray
    first_mastered: FloatArray
    not_mastered: FloatArray
    guessed: FloatArray
    mastered: FloatArray
    slipped: FloatArray
    stayed_unlearned: FloatArray
    learned: FloatArray
    forgot: FloatArray
    kept: FloatArray


def _expected_counts(
    batch: _Batch, chain: _ChainParams, row_ranked: IntArray, row_flat: IntArray, rows: int
) -> tuple[_Counts, FloatArray]:
    """E-step: scaled forward–backward; expected counts and log-likelihood per row."""
    steps = _Steps.of(batch, chain)
    forward = _filter(batch, chain, steps)
    filtered = forward.after
    # Backward in posterior form: P(state_t | all) from P(state_t+1 | all), which stays
    # bounded on long sequences where scaled β underflows one state and overflows the other.
    # A predicted probability of 0 has a smoothed one of 0 too; the floor keeps 0/0 out.
    per_mastered = 1 / np.maximum(forward.before, 1e-300)
    per_not = 1 / np.maximum(1 - forward.before, 1e-300)
    gamma = filtered.copy()
    running = batch.running.tolist()
    starts = batch.starts.tolist()
    for t in range(batch.steps - 2, -1, -1):
        going_on = running[t + 1]
        if not going_on:
            continue
        nxt = slice(starts[t + 1], starts[t + 1] + going_on)
        on = slice(starts[t], starts[t] + going_on)
        toward_mastered = gamma[nxt] * per_mastered[nxt]
        toward_not = (1 - gamma[nxt]) * per_not[nxt]
        kept = steps.kept[on]
        gamma[on] = filtered[on] * (kept * toward_mastered + (1 - kept) * toward_not)
    # xi: P(state_t, state_t+1 | all) for every observation that has a next one.
    now, nxt = batch.successors
    toward_mastered = gamma[nxt] * per_mastered[nxt]
    toward_not = (1 - gamma[nxt]) * per_not[nxt]
    was = filtered[now]
    kept, gained = steps.kept[now], steps.gained[now]
    xi = (
        (1 - was) * (1 - gained) * toward_not,  # not → not
        (1 - was) * gained * toward_mastered,  # not → mastered
        was * (1 - kept) * toward_not,  # mastered → not
        was * kept * toward_mastered,  # mastered → mastered
    )
    stayed_unlearned, learned, forgot, kept = _transition_counts(xi, batch, chain)
    row_now = row_flat[now]

    def per_row(values: FloatArray, row: IntArray = row_flat) -> FloatArray:
        return np.bincount(row, weights=values, minlength=rows)

    first = batch.at_step(0)
    right = batch.right
    counts = _Counts(
        sequences=np.bincount(row_flat[first], minlength=rows).astype(float),
        first_mastered=per_row(gamma[first], row_flat[first]),
        not_mastered=per_row(1 - gamma),
        guessed=per_row(np.where(right, 1 - gamma, 0.0)),
        mastered=per_row(gamma),
        slipped=per_row(np.where(right, 0.0, gamma)),
        stayed_unlearned=per_row(stayed_unlearned, row_now),
        learned=per_row(learned, row_now),
        forgot=per_row(forgot, row_now),
        kept=per_row(kept, row_now),
    )
    return counts, per_row(np.log(forward.scale))


def _transition_counts(
    xi: tuple[FloatArray, FloatArray, FloatArray, FloatArray], batch: _Batch, chain: _ChainParams
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Expected counts of the hidden chain with idle ticks made explicit.

    Between two observations there is one practice tick (learn T or forget F) and then
    gap − 1 idle ticks where only forgetting can happen. xi holds, for every observation
    with a next one (batch.successors), the posterior of each (state before, state after)
    pair over the whole stretch; this spreads it over the ticks: how often a student stayed
    unlearned / learned at a practice tick, and how often a mastered student forgot / kept
    mastery at any tick. Back-to-back observations (no idle tick) are the classic
    Baum–Welch counts as they stand.
    """
    now, _ = batch.successors
    stretched = np.flatnonzero(batch.gaps[now] > 1)
    if not stretched.size:
        return xi
    stayed_unlearned, learned, forgot, kept = (values.copy() for values in xi)
    not_not, not_mastered, mastered_not, mastered_mastered = (values[stretched] for values in xi)
    at = now[stretched]
    idle = batch.gaps[at] - 1
    learn = chain.learn[batch.ranked[at]]
    forget = chain.forget[batch.ranked[at]]
    stay = 1 - forget
    idle_kept = stay**idle
    # not → not: never learned, or learned at practice and forgot in an idle tick.
    learned_then_forgot = np.divide(
        learn * (1 - idle_kept),
        1 - learn * idle_kept,
        out=np.zeros_like(learn),
        where=1 - learn * idle_kept > 0,
    )
    # mastered → not: forgot at the practice tick, or at one of the idle ticks after it.
    whole_lost = 1 - stay * idle_kept
    forgot_at_practice = np.divide(
        forget, whole_lost, out=np.ones_like(forget), where=whole_lost > 0
    )
    forgot_idle = not_not * learned_then_forgot + mastered_not * (1 - forgot_at_practice)
    stayed_unlearned[stretched] = not_not * (1 - learned_then_forgot)
    learned[stretched] = not_mastered + not_not * learned_then_forgot
    forgot[stretched] = mastered_not * forgot_at_practice + forgot_idle
    kept[stretched] = (
        mastered_mastered
        + mastered_not * (1 - forgot_at_practice)
        + (not_mastered + mastered_mastered) * idle
        + forgot_idle * _idle_ticks_kept_before_forgetting(idle, forget)
    )
    return stayed_unlearned, learned, forgot, kept


def _idle_ticks_kept_before_forgetting(idle: IntArray, forget: FloatArray) -> FloatArray:
    """E[ticks kept before the forgetting tick | forgot within ``idle`` ticks].

    Σ_{k<m} k·qᵏ / Σ_{k<m} qᵏ with q = 1 − F, m = idle, in a form that stays accurate as
    F → 0 (where it tends to (m − 1)/2).
    """
    m = idle.astype(float)
    small = forget * m < 1e-8
    safe_forget = np.where(small, 0.5, forget)
    log_stay = np.log1p(-safe_forget)
    numerator = -np.expm1((m - 1) * log_stay + np.log1p((m - 1) * safe_forget))
    denominator = safe_forget * -np.expm1(m * log_stay)
    exact = np.divide(
        (1 - safe_forget) * numerator,
        denominator,
        out=np.zeros_like(m),
        where=denominator > 0,
    )
    return np.where(small, np.maximum(m - 1, 0) / 2, exact)


def _maximise(
    table: FloatArray,
    counts: _Counts,
    competency_of_row: IntArray,
    forgetting: bool,
    settings: _FitSettings,
) -> FloatArray:
    """M-step: each parameter its expected-count ratio, capped; unchanged without data.
    The prior is per row, the others per competency (its rows' counts summed)."""

    def ratio(numerator: FloatArray, denominator: FloatArray, old: FloatArray) -> FloatArray:
        safe = denominator > 1e-12
        return np.where(safe, numerator / np.where(safe, denominator, 1.0), old)

    def pooled(name: str, *values: FloatArray) -> list[FloatArray]:
        if name in settings.per_cohort:
            return list(values)
        return [np.bincount(competency_of_row, weights=v)[competency_of_row] for v in values]

    first_mastered, sequences = pooled("prior", counts.first_mastered, counts.sequences)
    learned, stayed_unlearned = pooled("learn", counts.learned, counts.stayed_unlearned)
    guessed, not_mastered = pooled("guess", counts.guessed, counts.not_mastered)
    slipped, mastered = pooled("slip", counts.slipped, counts.mastered)
    forgot, kept = pooled("forget", counts.forgot, counts.kept)
    new = table.copy()
    new[:, 0] = ratio(first_mastered, sequences, table[:, 0])
    new[:, 1] = ratio(learned, learned + stayed_unlearned, table[:, 1])
    new[:, 2] = ratio(guessed, not_mastered, table[:, 2])
    new[:, 3] = ratio(slipped, mastered, table[:, 3])
    if forgetting:
        new[:, 4] = ratio(forgot, forgot + kept, table[:, 4])
    new[:, :4] = np.clip(new[:, :4], _EDGE, 1 - _EDGE)
    new[:, 2] = np.minimum(new[:, 2], settings.max_guess)
    new[:, 3] = np.minimum(new[:, 3], settings.max_slip)
    if forgetting:
        new[:, 4] = np.clip(new[:, 4], _EDGE, 1 - _EDGE)
    return new
