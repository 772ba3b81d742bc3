"""Bayesian knowledge tracing on real data: ASSISTments 2009-10 skill builder, train → test.

BKT is fitted per skill on the train split only. Every test response is then predicted
from the responses before it in that user's sequence on that skill, before updating, and
all predictions are pooled into one AUC. Published AUC on this split: standard BKT about
0.73–0.76, BKT with forgetting about 0.83.

Models: standard BKT; forgetting once per observation of the skill (classic); forgetting
once per response of the user on any skill (``gaps``, Khajah et al. 2016). Standard BKT is
fitted twice: with the engine's default caps (guess, slip ≤ 0.3) and with caps chosen on the
train split alone, by AUC on a fifth of the train users held out from fitting (CAP_GRID).

Individualised BKT (a variant, reported apart from standard BKT): Pardos & Heffernan's
(2010) prior per student, two cohorts of users, high and low by their accuracy on train
(split at the median user). No forgetting; with the caps chosen above. Whether only the
prior or also learn, guess and slip are fitted per cohort (Lee & Brunskill 2012) is chosen
by AUC on a fifth of the train (user, skill) sequences held out from fitting, their users'
cohorts from their other train responses. A test user with no train responses gets the
pooled parameters. Every choice is made on train; test is scored once per final model.

Speed: trace_many and predict over the whole test set, and pyBKT's predict on the same
rows with the same parameters when pyBKT can be imported (it is no project dependency).

The data sit in ../shared/testdata/responses beside the repository, or in
$PROFICIO_TESTDATA/responses.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from proficio.engine.bkt import BktParams, fit_many, fit_many_by_cohort, predict, trace_many

HEADER = "user_id,skill_name,correct"
PUBLISHED_AUC = {"bkt": "0.73-0.76", "bkt_forgetting": "0.83"}
HELD_OUT_SHARE = 0.2
# Candidate (max_guess, max_slip) caps for standard BKT, all short of the degenerate
# models (guess or slip above 0.5, Baker, Corbett & Aleven 2008).
CAP_GRID = [(guess, slip) for guess in (0.3, 0.5) for slip in (0.05, 0.1, 0.3)]
COHORT_LEVELS = 2
PER_COHORT_CHOICES = (("prior",), ("prior", "learn", "guess", "slip"))


@dataclass(frozen=True)
class Responses:
    """One split: every user's responses in file order, which is time order per user."""

    users: np.ndarray
    skills: np.ndarray
    correct: np.ndarray

    def rows_of(self, users: np.ndarray) -> Responses:
        keep = np.isin(self.users, users)
        return Responses(self.users[keep], self.skills[keep], self.correct[keep])


@dataclass(frozen=True)
class Sequences:
    """Each user's responses on one skill, oldest first, with the ticks between them."""

    skills: np.ndarray  # per sequence
    users: np.ndarray  # per sequence
    observations: list[np.ndarray]
    gaps: list[np.ndarray]  # responses of the user from one observation to the next
    rows: list[np.ndarray]  # the responses' row numbers in the split

    @classmethod
    def of(cls, responses: Responses) -> Sequences:
        count = len(responses.users)
        by_user = np.argsort(responses.users, kind="stable")
        sorted_users = responses.users[by_user]
        starts_run = np.concatenate(([True], sorted_users[1:] != sorted_users[:-1]))
        run_start = np.maximum.accumulate(np.where(starts_run, np.arange(count), 0))
        tick = np.empty(count, dtype=np.int64)
        tick[by_user] = np.arange(count) - run_start
        order = np.lexsort((tick, responses.users, responses.skills))
        skills, users = responses.skills[order], responses.users[order]
        new = np.concatenate(([True], (skills[1:] != skills[:-1]) | (users[1:] != users[:-1])))
        rows = np.split(order, np.flatnonzero(new)[1:])
        return cls(
            skills=skills[new],
            users=users[new],
            observations=[responses.correct[r] for r in rows],
            gaps=[np.diff(tick[r]) for r in rows],
            rows=rows,
        )

    def by_skill(self) -> tuple[dict[int, list[np.ndarray]], dict[int, list[np.ndarray]]]:
        observations: dict[int, list[np.ndarray]] = {}
        gaps: dict[int, list[np.ndarray]] = {}
        for skill, values, ticks in zip(self.skills, self.observations, self.gaps, strict=True):
            observations.setdefault(int(skill), []).append(values)
            gaps.setdefault(int(skill), []).append(ticks)
        return observations, gaps


@dataclass(frozen=True)
class Scored:
    """The test sequences of skills fitted on train, their labels and row numbers."""

    observations: list[np.ndarray]
    gaps: list[np.ndarray]
    skills: list[int]
    users: list[int]
    labels: np.ndarray
    rows: np.ndarray

    @classmethod
    def of(cls, sequences: Sequences, fitted_skills: set[int]) -> Scored:
        kept = [i for i, skill in enumerate(sequences.skills) if int(skill) in fitted_skills]
        observations = [sequences.observations[i] for i in kept]
        return cls(
            observations=observations,
            gaps=[sequences.gaps[i] for i in kept],
            skills=[int(sequences.skills[i]) for i in kept],
            users=[int(sequences.users[i]) for i in kept],
            labels=np.concatenate(observations),
            rows=np.concatenate([sequences.rows[i] for i in kept]),
        )

    def predictions(self, params: dict[int, BktParams], *, use_gaps: bool = False) -> np.ndarray:
        chosen = [params[skill] for skill in self.skills]
        gaps = self.gaps if use_gaps else None
        return np.concatenate(predict(self.observations, chosen, gaps=gaps))

    def predictions_with(self, per_sequence: list[BktParams]) -> np.ndarray:
        return np.concatenate(predict(self.observations, per_sequence))


@dataclass(frozen=True)
class Cohorts:
    """Users high or low (COHORT_LEVELS quantiles) by their accuracy on some responses."""

    right: dict[int, int]
    answered: dict[int, int]
    right_on_skill: dict[tuple[int, int], int]
    answered_on_skill: dict[tuple[int, int], int]
    edges: np.ndarray

    @classmethod
    def of(cls, responses: Responses) -> Cohorts:
        users, right, answered = _sums(responses.users, responses.correct)
        width = int(responses.skills.max()) + 1
        pairs = responses.users * width + responses.skills
        keys, right_on_skill, answered_on_skill = _sums(pairs, responses.correct)
        pair_keys = [(int(key) // width, int(key) % width) for key in keys]
        accuracy = right / answered
        return cls(
            right=dict(zip(users.tolist(), right.tolist(), strict=True)),
            answered=dict(zip(users.tolist(), answered.tolist(), strict=True)),
            right_on_skill=dict(zip(pair_keys, right_on_skill.tolist(), strict=True)),
            answered_on_skill=dict(zip(pair_keys, answered_on_skill.tolist(), strict=True)),
            edges=np.quantile(accuracy, np.linspace(0, 1, COHORT_LEVELS + 1)[1:-1]),
        )

    def level(self, right: int, answered: int) -> int | None:
        if not answered:
            return None
        return int(np.searchsorted(self.edges, right / answered, side="right"))

    def of_user(self, user: int) -> int | None:
        return self.level(self.right.get(user, 0), self.answered.get(user, 0))

    def for_fitting(self, sequences: Sequences) -> dict[int, list[int]]:
        """Per skill, each fitting sequence's cohort by the user's other skills, as a test
        sequence's comes from responses other than its own; COHORT_LEVELS for none."""
        cohorts: dict[int, list[int]] = {}
        for skill, user in zip(sequences.skills.tolist(), sequences.users.tolist(), strict=True):
            level = self.level(
                self.right[user] - self.right_on_skill[(user, skill)],
                self.answered[user] - self.answered_on_skill[(user, skill)],
            )
            cohorts.setdefault(skill, []).append(COHORT_LEVELS if level is None else level)
        return cohorts

    def predictions(self, scored: Scored, params: dict) -> np.ndarray:
        chosen = [
            params[skill].of(self.of_user(user))
            for skill, user in zip(scored.skills, scored.users, strict=True)
        ]
        return scored.predictions_with(chosen)


def _sums(keys: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    unique, index = np.unique(keys, return_inverse=True)
    answered = np.bincount(index)
    return unique, np.bincount(index, weights=correct).astype(np.int64), answered


def responses_directory() -> Path:
    if "PROFICIO_TESTDATA" in os.environ:
        return Path(os.environ["PROFICIO_TESTDATA"]) / "responses"
    return Path(__file__).resolve().parents[2] / "shared" / "testdata" / "responses"


def load(path: Path) -> Responses:
    with path.open() as handle:
        header = handle.readline().strip()
        if header != HEADER:
            raise ValueError(f"{path}: expected the header {HEADER!r}, got {header!r}")
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64, ndmin=2)
    return Responses(users=table[:, 0], skills=table[:, 1], correct=table[:, 2])


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


def run() -> dict:
    started = time.perf_counter()
    directory = responses_directory()
    train = load(directory / "assistments-builder-train.csv")
    test = load(directory / "assistments-builder-test.csv")
    train_observations, train_gaps = Sequences.of(train).by_skill()
    scored = Scored.of(Sequences.of(test), set(train_observations))

    fit_seconds: dict[str, float] = {}
    test_auc: dict[str, float] = {}
    fitted: dict[str, dict[int, BktParams]] = {}
    for name, forgetting, per_tick in (
        ("bkt", False, False),
        ("bkt_forgetting", True, False),
        ("bkt_forgetting_per_tick", True, True),
    ):
        clock = time.perf_counter()
        gaps = train_gaps if per_tick else None
        fitted[name] = fit_many(train_observations, forgetting=forgetting, gaps=gaps)
        fit_seconds[name] = round(time.perf_counter() - clock, 1)
        predictions = scored.predictions(fitted[name], use_gaps=per_tick)
        test_auc[name] = round(auc(predictions, scored.labels), 4)
    caps_chosen = _caps_chosen_on_train(train, train_observations, scored)
    caps = caps_chosen["chosen"]
    individualised = _individualised(train, test, scored, caps["max_guess"], caps["max_slip"])
    return {
        "data": {
            "train_responses": len(train.users),
            "test_responses": len(test.users),
            "test_responses_scored": len(scored.labels),
            "test_responses_of_skills_not_in_train": len(test.users) - len(scored.labels),
            "skills_fitted": len(train_observations),
        },
        "auc": test_auc,
        "published_auc": PUBLISHED_AUC,
        "bkt_with_caps_chosen_on_train": caps_chosen,
        "bkt_individualised": individualised,
        "auc_without_forgetting": {
            "standard BKT, default caps": test_auc["bkt"],
            "standard BKT, caps chosen on train": caps_chosen["test_auc"],
            "individualised BKT (cohorts by train accuracy; a variant)": individualised["test_auc"],
        },
        "skills_at_cap": {name: _at_caps(params) for name, params in fitted.items()},
        "fit_seconds": fit_seconds,
        "speed": _speed(scored, fitted["bkt_forgetting"], test),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _caps_chosen_on_train(
    train: Responses, train_observations: dict[int, list[np.ndarray]], scored: Scored
) -> dict:
    """Standard BKT with the (max_guess, max_slip) caps that predict held-out train users
    best, refitted on the whole train split and scored once on test."""
    users = np.unique(train.users)
    held_out = np.random.default_rng(0).choice(
        users, int(len(users) * HELD_OUT_SHARE), replace=False
    )
    fitting_observations, _ = Sequences.of(train.rows_of(np.setdiff1d(users, held_out))).by_skill()
    validation = Scored.of(Sequences.of(train.rows_of(held_out)), set(fitting_observations))
    validation_auc = {}
    for guess, slip in CAP_GRID:
        params = fit_many(fitting_observations, max_guess=guess, max_slip=slip)
        validation_auc[(guess, slip)] = auc(validation.predictions(params), validation.labels)
    guess, slip = max(validation_auc, key=validation_auc.__getitem__)
    params = fit_many(train_observations, max_guess=guess, max_slip=slip)
    return {
        "chosen": {"max_guess": guess, "max_slip": slip},
        "validation_auc": {
            f"guess<={g} slip<={s}": round(v, 4) for (g, s), v in validation_auc.items()
        },
        "test_auc": round(auc(scored.predictions(params), scored.labels), 4),
        "skills_at_cap": _at_caps(params, guess, slip),
    }


def _at_caps(params: dict[int, BktParams], max_guess: float = 0.3, max_slip: float = 0.3) -> dict:
    return {
        "guess": sum(p.guess >= max_guess - 1e-9 for p in params.values()),
        "slip": sum(p.slip >= max_slip - 1e-9 for p in params.values()),
        "of": len(params),
    }


def _speed(scored: Scored, params: dict[int, BktParams], test: Responses) -> dict:
    chosen = [params[skill] for skill in scored.skills]
    observations = len(scored.labels)
    clock = time.perf_counter()
    trace_many(scored.observations, chosen)
    trace_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    ours = np.concatenate(predict(scored.observations, chosen))
    predict_seconds = time.perf_counter() - clock
    result: dict = {
        "model": "bkt_forgetting, fitted on train",
        "observations": observations,
        "trace_many_observations_per_s": round(observations / trace_seconds),
        "predict_observations_per_s": round(observations / predict_seconds),
    }
    result["pybkt"] = _pybkt(scored, params, test, ours, predict_seconds)
    return result


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
            "user_id": test.users[rows],
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
    ours_by_row = np.empty(len(test.users))
    ours_by_row[scored.rows] = ours
    difference = np.abs(theirs["correct_predictions"].to_numpy(float) - ours_by_row[theirs.index])
    return {
        "measured": True,
        "predict_observations_per_s": round(len(frame) / their_seconds),
        "our_predict_speedup": round(their_seconds / our_seconds, 1),
        "max_abs_difference_from_ours": float(difference.max()),
    }


def _individualised(
    train: Responses, test: Responses, scored: Scored, max_guess: float, max_slip: float
) -> dict:
    """Individualised BKT: which parameters go per cohort is chosen on held-out train
    sequences, then it is refitted on the whole train split and scored once on test."""
    whole = Sequences.of(train)
    held_out = np.random.default_rng(0).random(len(whole.rows)) < HELD_OUT_SHARE
    held_out_rows = np.zeros(len(train.users), dtype=bool)
    held_out_rows[
        np.concatenate([r for r, out in zip(whole.rows, held_out, strict=True) if out])
    ] = True
    fitting = Responses(*(values[~held_out_rows] for values in vars(train).values()))
    validating = Responses(*(values[held_out_rows] for values in vars(train).values()))
    fitting_sequences = Sequences.of(fitting)
    fitting_observations, _ = fitting_sequences.by_skill()
    validation = Scored.of(Sequences.of(validating), set(fitting_observations))
    fitting_cohorts = Cohorts.of(fitting)
    options = {"max_guess": max_guess, "max_slip": max_slip}
    # Standard BKT on the same held-out sequences, for comparison only.
    plain = fit_many(fitting_observations, **options)
    plain_validation_auc = auc(validation.predictions(plain), validation.labels)
    validation_auc = {}
    for per_cohort in PER_COHORT_CHOICES:
        params = fit_many_by_cohort(
            fitting_observations,
            fitting_cohorts.for_fitting(fitting_sequences),
            per_cohort=per_cohort,
            **options,
        )
        predictions = fitting_cohorts.predictions(validation, params)
        validation_auc[per_cohort] = auc(predictions, validation.labels)
    chosen = max(validation_auc, key=validation_auc.__getitem__)
    train_observations, _ = whole.by_skill()
    cohorts = Cohorts.of(train)
    params = fit_many_by_cohort(
        train_observations, cohorts.for_fitting(whole), per_cohort=chosen, **options
    )
    known = np.isin(test.users[scored.rows], list(cohorts.answered))
    return {
        "per_cohort": list(chosen),
        "caps": options,
        "validation_auc": {
            "standard BKT": round(plain_validation_auc, 4),
            **{f"per cohort: {'+'.join(k)}": round(v, 4) for k, v in validation_auc.items()},
        },
        "test_auc": round(auc(cohorts.predictions(scored, params), scored.labels), 4),
        "test_responses_of_users_with_train_responses": round(float(known.mean()), 3),
    }
