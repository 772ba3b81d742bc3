"""Bayesian knowledge tracing on real data: ASSISTments 2009-10 skill builder, train → test.

The files come from the three-line format of the knowledge-tracing literature (a student's
number of responses, then their skills, then right/wrong), flattened to one row per response.
Their ``user_id`` column is that first line, the student's number of responses, not who the
student is: each student is the next ``user_id`` rows of the file (two students in a row with
as many responses each share a run of rows, which the count splits). ``load`` reads students
that way and refuses a file that does not fit it. Rows are in time order within a student.

BKT is fitted per skill on the train split only. Every test response is then predicted from
the responses before it in that student's sequence on that skill, before updating, and all
predictions are pooled into one AUC. Published AUC on this split: standard BKT about
0.73–0.76, BKT with forgetting about 0.83.

Models:
- standard BKT, with the engine's default caps (guess, slip ≤ 0.3) and with caps chosen on
  the train split alone (CAP_GRID);
- BKT with forgetting once per observation of the skill. (The files list each student's
  responses skill after skill, so no response on another skill ever falls between two on
  one skill: forgetting per tick of any skill, engine.bkt's ``gaps``, would be the same.)
- individualised BKT, no forgetting: Pardos & Heffernan's (2010) prior per student, with
  two cohorts of students, high and low by their accuracy on their earlier responses (on
  other skills, in the same file) split at the median, and a third for students with no
  earlier response. A test student's cohort comes only from responses they gave before the
  sequence being predicted, as a teacher would know it. Whether only the prior or also
  learn, guess and slip go per cohort (Lee & Brunskill 2012), and the caps, are chosen on
  the train split alone.

Every choice is made by AUC on a fifth of the train students held out from fitting (test
students are others still); the chosen model is refitted on the whole train split and scored
once on test.

Speed: trace_many and predict over the whole test set, and pyBKT's predict on the same rows
with the same parameters (pyBKT comes with the ``bench`` extra; it is no runtime dependency).

The data sit in ../shared/testdata/responses beside the repository, or in
$PROFICIO_TESTDATA/responses.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from proficio.engine.bkt import (
    BktParams,
    CohortParams,
    fit_many,
    fit_many_by_cohort,
    predict,
    trace_many,
)

HEADER = "user_id,skill_name,correct"
PUBLISHED_AUC = {"bkt": "0.73-0.76", "bkt_forgetting": "0.83"}
TARGET_AUC = {"without_forgetting": 0.76, "with_forgetting": 0.80}
HELD_OUT_SHARE = 0.2
# Candidate (max_guess, max_slip) caps, all short of the degenerate models (guess or slip
# above 0.5, Baker, Corbett & Aleven 2008).
CAP_GRID = [(guess, slip) for guess in (0.3, 0.5) for slip in (0.05, 0.1, 0.3)]
COHORT_LEVELS = 2
PER_COHORT_CHOICES = (("prior",), ("prior", "learn", "guess", "slip"))


@dataclass(frozen=True)
class Responses:
    """One split, one row per response in file order; ``students`` numbers who answered."""

    students: np.ndarray
    skills: np.ndarray
    correct: np.ndarray

    @property
    def student_count(self) -> int:
        return int(self.students.max()) + 1 if len(self.students) else 0

    def of_students(self, keep: np.ndarray) -> Responses:
        """The rows of the students whose entry in the boolean ``keep`` is true."""
        rows = keep[self.students]
        return Responses(self.students[rows], self.skills[rows], self.correct[rows])


def students_of(counts: np.ndarray, source: str = "the file") -> np.ndarray:
    """Number each row's student, reading the ``user_id`` column as each student's count of
    responses: a student is the next ``count`` rows, every one of them carrying ``count``."""
    students = np.empty(len(counts), dtype=np.int64)
    row = student = 0
    while row < len(counts):
        count = int(counts[row])
        block = counts[row : row + count]
        if count < 1 or len(block) < count or (block != count).any():
            raise ValueError(
                f"{source}: line {row + 2}: expected {count} rows with user_id {count} "
                "(user_id is the student's number of responses)"
            )
        students[row : row + count] = student
        row += count
        student += 1
    return students


def load(path: Path) -> Responses:
    with path.open() as handle:
        header = handle.readline().strip()
        if header != HEADER:
            raise ValueError(f"{path}: expected the header {HEADER!r}, got {header!r}")
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64, ndmin=2)
    return Responses(
        students=students_of(table[:, 0], str(path)), skills=table[:, 1], correct=table[:, 2]
    )


@dataclass(frozen=True)
class Sequences:
    """Each student's responses on one skill, oldest first, with what came before them."""

    skills: np.ndarray  # per sequence
    observations: list[np.ndarray]
    rows: list[np.ndarray]  # the responses' row numbers in the split
    right_before: np.ndarray  # per sequence: the student's right answers before its first row
    answered_before: np.ndarray  # … and their responses before it

    @classmethod
    def of(cls, responses: Responses) -> Sequences:
        count = len(responses.students)
        rows = np.arange(count)
        first_of_student = np.concatenate(
            ([True], responses.students[1:] != responses.students[:-1])
        )
        student_start = np.maximum.accumulate(np.where(first_of_student, rows, 0))
        right_so_far = np.cumsum(responses.correct) - responses.correct
        order = np.lexsort((rows, responses.students, responses.skills))
        skills, students = responses.skills[order], responses.students[order]
        new = np.concatenate(
            ([True], (skills[1:] != skills[:-1]) | (students[1:] != students[:-1]))
        )
        groups = np.split(order, np.flatnonzero(new)[1:])
        firsts = order[new]
        return cls(
            skills=skills[new],
            observations=[responses.correct[g] for g in groups],
            rows=groups,
            right_before=right_so_far[firsts] - right_so_far[student_start[firsts]],
            answered_before=firsts - student_start[firsts],
        )

    def by_skill(self, values: Iterable | None = None) -> dict[int, list]:
        """Per skill, each sequence's observations (or its entry of ``values``)."""
        grouped: dict[int, list] = {}
        items = self.observations if values is None else values
        for skill, item in zip(self.skills.tolist(), items, strict=True):
            grouped.setdefault(skill, []).append(item)
        return grouped


@dataclass(frozen=True)
class Cohorts:
    """Students high or low (COHORT_LEVELS quantiles) by their accuracy on their responses
    before a sequence; cohort COHORT_LEVELS holds those with none yet."""

    edges: np.ndarray

    @classmethod
    def of(cls, sequences: Sequences) -> Cohorts:
        known = sequences.answered_before > 0
        accuracy = sequences.right_before[known] / sequences.answered_before[known]
        return cls(np.quantile(accuracy, np.linspace(0, 1, COHORT_LEVELS + 1)[1:-1]))

    def levels(self, sequences: Sequences) -> np.ndarray:
        answered = np.maximum(sequences.answered_before, 1)
        level = np.searchsorted(self.edges, sequences.right_before / answered, side="right")
        return np.where(sequences.answered_before > 0, level, COHORT_LEVELS)


@dataclass(frozen=True)
class Scored:
    """The sequences of skills fitted on train, with their labels pooled."""

    sequences: Sequences
    kept: np.ndarray  # indices into sequences
    labels: np.ndarray

    @classmethod
    def of(cls, sequences: Sequences, fitted_skills: Iterable[int]) -> Scored:
        kept = np.flatnonzero(np.isin(sequences.skills, list(fitted_skills)))
        return cls(
            sequences=sequences,
            kept=kept,
            labels=np.concatenate([sequences.observations[i] for i in kept]),
        )

    @property
    def observations(self) -> list[np.ndarray]:
        return [self.sequences.observations[i] for i in self.kept]

    @property
    def rows(self) -> np.ndarray:
        return np.concatenate([self.sequences.rows[i] for i in self.kept])

    def params_per_sequence(self, params: dict[int, BktParams]) -> list[BktParams]:
        return [params[int(self.sequences.skills[i])] for i in self.kept]

    def auc(self, params: dict[int, BktParams]) -> float:
        return self._auc_with(self.params_per_sequence(params))

    def auc_by_cohort(self, params: dict[int, CohortParams], cohorts: Cohorts) -> float:
        levels = cohorts.levels(self.sequences)[self.kept]
        skills = self.sequences.skills[self.kept]
        return self._auc_with(
            [
                params[int(skill)].of(int(level))
                for skill, level in zip(skills.tolist(), levels.tolist(), strict=True)
            ]
        )

    def _auc_with(self, per_sequence: list[BktParams]) -> float:
        return auc(np.concatenate(predict(self.observations, per_sequence)), self.labels)


def responses_directory() -> Path:
    if "PROFICIO_TESTDATA" in os.environ:
        return Path(os.environ["PROFICIO_TESTDATA"]) / "responses"
    return Path(__file__).resolve().parents[2] / "shared" / "testdata" / "responses"


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve by the rank-sum formula, ties sharing their mean rank."""
    order = np.argsort(scores, kind="stable")
    _, first, counts = np.unique(scores[order], return_index=True, return_counts=True)
    ranks = np.empty(len(scores))
    ranks[order] = np.repeat(first + (counts + 1) / 2, counts)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    return float(
        (ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    )


@dataclass(frozen=True)
class Split:
    """Train students split into those fitted and those held out to choose a model on."""

    fitting: Sequences
    validation: Scored
    held_out_students: int

    @classmethod
    def of(cls, train: Responses) -> Split:
        held_out = np.random.default_rng(0).random(train.student_count) < HELD_OUT_SHARE
        fitting = Sequences.of(train.of_students(~held_out))
        validating = Sequences.of(train.of_students(held_out))
        return cls(fitting, Scored.of(validating, fitting.by_skill()), int(held_out.sum()))


def run() -> dict:
    started = time.perf_counter()
    directory = responses_directory()
    train = load(directory / "assistments-builder-train.csv")
    test = load(directory / "assistments-builder-test.csv")
    whole = Sequences.of(train)
    train_observations = whole.by_skill()
    scored = Scored.of(Sequences.of(test), train_observations)
    split = Split.of(train)

    fit_seconds: dict[str, float] = {}
    test_auc: dict[str, float] = {}
    fitted: dict[str, dict[int, BktParams]] = {}
    for name, forgetting in (("bkt", False), ("bkt_forgetting", True)):
        clock = time.perf_counter()
        fitted[name] = fit_many(train_observations, forgetting=forgetting)
        fit_seconds[name] = round(time.perf_counter() - clock, 1)
        test_auc[name] = round(scored.auc(fitted[name]), 4)
    caps_chosen = _caps_chosen_on_train(split, train_observations, scored)
    individualised = _individualised(split, whole, scored)
    without_forgetting = {
        "standard BKT, default caps": test_auc["bkt"],
        "standard BKT, caps chosen on train": caps_chosen["test_auc"],
        "individualised BKT (prior per student by earlier accuracy)": individualised["test_auc"],
    }
    return {
        "data": {
            "train_students": train.student_count,
            "test_students": test.student_count,
            "train_responses": len(train.students),
            "test_responses": len(test.students),
            "test_responses_scored": len(scored.labels),
            "test_responses_of_skills_not_in_train": len(test.students) - len(scored.labels),
            "skills_fitted": len(train_observations),
            "held_out_train_students": split.held_out_students,
        },
        "auc": test_auc,
        "published_auc": PUBLISHED_AUC,
        "bkt_with_caps_chosen_on_train": caps_chosen,
        "bkt_individualised": individualised,
        "auc_without_forgetting": without_forgetting,
        "targets": {
            "without_forgetting": TARGET_AUC["without_forgetting"],
            "best_without_forgetting": max(without_forgetting.values()),
            "with_forgetting": TARGET_AUC["with_forgetting"],
            "best_with_forgetting": test_auc["bkt_forgetting"],
        },
        "skills_at_cap": {name: _at_caps(params) for name, params in fitted.items()},
        "fit_seconds": fit_seconds,
        "speed": _speed(scored, fitted["bkt_forgetting"], test),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _caps_chosen_on_train(split: Split, train_observations: dict, scored: Scored) -> dict:
    """Standard BKT with the (max_guess, max_slip) caps that predict held-out train students
    best, refitted on the whole train split and scored once on test."""
    fitting_observations = split.fitting.by_skill()
    validation_auc = {
        (guess, slip): split.validation.auc(
            fit_many(fitting_observations, max_guess=guess, max_slip=slip)
        )
        for guess, slip in CAP_GRID
    }
    guess, slip = max(validation_auc, key=validation_auc.__getitem__)
    params = fit_many(train_observations, max_guess=guess, max_slip=slip)
    return {
        "chosen": {"max_guess": guess, "max_slip": slip},
        "validation_auc": {_caps_name(caps): round(v, 4) for caps, v in validation_auc.items()},
        "test_auc": round(scored.auc(params), 4),
        "skills_at_cap": _at_caps(params, guess, slip),
    }


def _individualised(split: Split, whole: Sequences, scored: Scored) -> dict:
    """Individualised BKT: which parameters go per cohort, and the caps, are chosen on
    held-out train students; then it is refitted on the whole train split and scored once
    on test, each test student's cohort by their own earlier responses."""
    fitting_observations = split.fitting.by_skill()
    cohorts = Cohorts.of(split.fitting)
    fitting_levels = split.fitting.by_skill(cohorts.levels(split.fitting).tolist())
    validation_auc = {}
    for per_cohort in PER_COHORT_CHOICES:
        for guess, slip in CAP_GRID:
            params = fit_many_by_cohort(
                fitting_observations,
                fitting_levels,
                per_cohort=per_cohort,
                max_guess=guess,
                max_slip=slip,
            )
            validation_auc[(per_cohort, (guess, slip))] = split.validation.auc_by_cohort(
                params, cohorts
            )
    per_cohort, (guess, slip) = max(validation_auc, key=validation_auc.__getitem__)
    cohorts = Cohorts.of(whole)
    params = fit_many_by_cohort(
        whole.by_skill(),
        whole.by_skill(cohorts.levels(whole).tolist()),
        per_cohort=per_cohort,
        max_guess=guess,
        max_slip=slip,
    )
    test_levels = cohorts.levels(scored.sequences)[scored.kept]
    return {
        "chosen": {"per_cohort": list(per_cohort), "max_guess": guess, "max_slip": slip},
        "validation_auc": {
            f"per cohort: {'+'.join(names)}; {_caps_name(caps)}": round(value, 4)
            for (names, caps), value in validation_auc.items()
        },
        "accuracy_edges": [round(float(edge), 4) for edge in cohorts.edges],
        "test_sequences_by_cohort": np.bincount(test_levels, minlength=COHORT_LEVELS + 1).tolist(),
        "test_auc": round(scored.auc_by_cohort(params, cohorts), 4),
    }


def _caps_name(caps: tuple[float, float]) -> str:
    return f"guess<={caps[0]} slip<={caps[1]}"


def _at_caps(params: dict[int, BktParams], max_guess: float = 0.3, max_slip: float = 0.3) -> dict:
    return {
        "guess": sum(p.guess >= max_guess - 1e-9 for p in params.values()),
        "slip": sum(p.slip >= max_slip - 1e-9 for p in params.values()),
        "of": len(params),
    }


def _speed(scored: Scored, params: dict[int, BktParams], test: Responses) -> dict:
    chosen = scored.params_per_sequence(params)
    observations = scored.observations
    count = len(scored.labels)
    clock = time.perf_counter()
    trace_many(observations, chosen)
    trace_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    ours = np.concatenate(predict(observations, chosen))
    predict_seconds = time.perf_counter() - clock
    return {
        "model": "bkt_forgetting, fitted on train",
        "observations": count,
        "trace_many_observations_per_s": round(count / trace_seconds),
        "predict_observations_per_s": round(count / predict_seconds),
        "pybkt": _pybkt(scored, params, test, ours, predict_seconds),
    }


def _pybkt(
    scored: Scored,
    params: dict[int, BktParams],
    test: Responses,
    ours: np.ndarray,
    our_seconds: float,
) -> dict:
    """pyBKT's predict (one process) on the same rows with the same parameters."""
    try:
        import pandas as pd
        from pyBKT.models import Model
    except Exception as error:  # pyBKT is optional; any import failure means "not measured"
        return {"measured": False, "reason": f"pyBKT cannot be imported: {error!r}"}
    rows = np.sort(scored.rows)
    frame = pd.DataFrame(
        {
            "user_id": test.students[rows],
            "skill_name": test.skills[rows],
            "correct": test.correct[rows],
        },
        index=rows,
    )
    model = Model(parallel=False)
    model.coef_ = {
        str(skill): {
            "prior": p.prior,
            "learns": np.array([p.learn]),
            "guesses": np.array([p.guess]),
            "slips": np.array([p.slip]),
            "forgets": np.array([p.forget]),
        }
        for skill, p in params.items()
    }
    for skill_model in model.fit_model.values():
        skill_model["resource_names"] = {"default": 1}
        skill_model["gs_names"] = {"default": 1}
    model.skills = [str(skill) for skill in params]
    clock = time.perf_counter()
    theirs = model.predict(data=frame)
    their_seconds = time.perf_counter() - clock
    ours_by_row = np.empty(len(test.students))
    ours_by_row[scored.rows] = ours
    difference = np.abs(theirs["correct_predictions"].to_numpy(float) - ours_by_row[theirs.index])
    return {
        "measured": True,
        "predict_observations_per_s": round(len(frame) / their_seconds),
        "our_predict_speedup": round(their_seconds / our_seconds, 1),
        "max_abs_difference_from_ours": float(difference.max()),
    }
