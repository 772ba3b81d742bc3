import math
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bkt import Sequences, load
from proficio.engine.bkt import (
    BktParams,
    CohortParams,
    fit,
    fit_many,
    fit_many_by_cohort,
    log_likelihood,
    mastered,
    predict,
    trace,
    trace_many,
)

probabilities = st.floats(min_value=0.0, max_value=1.0)
# guess and slip below 0.5 each keep guess + slip < 1; both above 0 keep every observation
# possible whatever the prior.
emissions = st.floats(min_value=0.001, max_value=0.49)
params_strategy = st.builds(
    BktParams,
    prior=probabilities,
    learn=probabilities,
    guess=emissions,
    slip=emissions,
    forget=probabilities,
)
observation_lists = st.lists(st.booleans(), max_size=25)


@st.composite
def observations_with_gaps(draw: st.DrawFn) -> tuple[list[bool], list[int]]:
    observations = draw(observation_lists)
    gaps = draw(
        st.lists(
            st.integers(min_value=1, max_value=40),
            min_size=max(len(observations) - 1, 0),
            max_size=max(len(observations) - 1, 0),
        )
    )
    return observations, gaps


def _simulate(
    params: BktParams, students: int, seed: int, interleaved: bool = False
) -> tuple[list[list[int]], list[list[int]]]:
    """Students answering 3–24 times each; with interleaved, 1–6 ticks between answers, a
    chance to forget at every tick and a chance to learn only at practice."""
    rng = np.random.default_rng(seed)
    sequences, all_gaps = [], []
    for _ in range(students):
        knows = rng.random() < params.prior
        count = int(rng.integers(3, 25))
        gaps = [int(rng.integers(1, 7)) if interleaved else 1 for _ in range(count - 1)]
        answers = []
        for index in range(count):
            answers.append(int(rng.random() < (1 - params.slip if knows else params.guess)))
            tick = gaps[index] if index < count - 1 else 1
            if not knows:
                knows = rng.random() < params.learn
                tick -= 1
            for _ in range(tick):
                knows = knows and rng.random() >= params.forget
        sequences.append(answers)
        all_gaps.append(gaps)
    return sequences, all_gaps


# trace by hand


def test_trace_follows_bayes_then_the_learning_step_by_hand() -> None:
    # prior .3, learn .1, guess .2, slip .1; answers right, wrong, right.
    # 1 right: P(L|right) = .3·.9 / (.3·.9 + .7·.2) = .27/.41 = 27/41
    #          L1 = 27/41 + (14/41)·.1 = 28.4/41 ≈ .69268
    # 2 wrong: P(L|wrong) = L1·.1 / (L1·.1 + (1 − L1)·.8) = 2.84 / (2.84 + 10.08) = 71/323
    #          L2 = 71/323 + (252/323)·.1 = 96.2/323 ≈ .29783
    # 3 right: P(L|right) = L2·.9 / (L2·.9 + (1 − L2)·.2) = 86.58 / (86.58 + 45.36)
    #          L3 = that + (1 − that)·.1 ≈ .69059
    posterior_3 = 86.58 / (86.58 + 45.36)
    expected = [0.3, 28.4 / 41, 96.2 / 323, posterior_3 + (1 - posterior_3) * 0.1]
    assert trace([1, 0, 1], 0.3, 0.1, 0.2, 0.1) == pytest.approx(expected, rel=1e-12)


def test_trace_with_forgetting_lets_a_mastered_student_slip_back() -> None:
    # One right answer: P(L|right) = 27/41 as above; then L1 = 27/41·(1 − .05) + (14/41)·.1
    # = (25.65 + 1.4)/41 = 27.05/41 ≈ .65976, below the 28.4/41 without forgetting.
    steps = trace([True], 0.3, 0.1, 0.2, 0.1, forget=0.05)
    assert steps == pytest.approx([0.3, 27.05 / 41], rel=1e-12)


def test_gaps_give_one_chance_to_forget_per_tick_and_one_to_learn() -> None:
    # Right, then two responses on other competencies, then wrong: gap 3 after the first.
    # L1 = 27/41·.95³ + (14/41)·.1·.95²
    steps = trace([1, 0], 0.3, 0.1, 0.2, 0.1, forget=0.05, gaps=[3])
    assert steps[1] == pytest.approx(27 / 41 * 0.95**3 + 14 / 41 * 0.1 * 0.95**2, rel=1e-12)


def test_gaps_change_nothing_without_forgetting() -> None:
    assert trace([1, 0, 1], 0.3, 0.1, 0.2, 0.1, gaps=[5, 9]) == trace([1, 0, 1], 0.3, 0.1, 0.2, 0.1)


def test_no_observations_leaves_the_prior() -> None:
    assert trace([], 0.4, 0.1, 0.2, 0.1) == [0.4]


@given(observations_with_gaps(), params_strategy)
def test_trace_has_one_value_per_observation_plus_the_last_all_probabilities(
    data: tuple[list[bool], list[int]], params: BktParams
) -> None:
    observations, gaps = data
    steps = trace(observations, **vars(params), gaps=gaps)
    assert len(steps) == len(observations) + 1
    assert all(0.0 <= value <= 1.0 for value in steps)


def test_right_answers_raise_mastery_and_wrong_ones_lower_it() -> None:
    after_right = trace([1], 0.5, 0.0, 0.2, 0.1)[1]
    after_wrong = trace([0], 0.5, 0.0, 0.2, 0.1)[1]
    assert after_wrong < 0.5 < after_right


# validation


@pytest.mark.parametrize("name", ["prior", "learn", "guess", "slip", "forget"])
@pytest.mark.parametrize("value", [-0.01, 1.01, math.nan, "high"])
def test_a_parameter_outside_0_to_1_is_refused_by_name(name: str, value: object) -> None:
    values = {"prior": 0.3, "learn": 0.1, "guess": 0.2, "slip": 0.1, "forget": 0.0}
    values[name] = value
    with pytest.raises(ValueError, match=f"^{name} must be"):
        trace([1], **values)
    with pytest.raises(ValueError, match=f"^{name} must be"):
        BktParams(**values)


def test_guess_plus_slip_of_one_or_more_is_refused() -> None:
    with pytest.raises(ValueError, match="guess \\+ slip must be < 1"):
        trace([1], 0.3, 0.1, 0.6, 0.4)
    with pytest.raises(ValueError, match="guess \\+ slip must be < 1"):
        BktParams(prior=0.3, learn=0.1, guess=0.5, slip=0.5)


@pytest.mark.parametrize("bad", [[2], [0.5], [1.0], ["1"], [None]])
def test_observations_must_be_right_or_wrong(bad: list) -> None:
    params = BktParams(prior=0.3, learn=0.1, guess=0.2, slip=0.1)
    with pytest.raises(ValueError, match="right/wrong"):
        trace(bad, 0.3, 0.1, 0.2, 0.1)
    with pytest.raises(ValueError, match="right/wrong"):
        trace_many([[1, 0], bad], params)


@pytest.mark.parametrize("gaps", [[0], [1.5], [1, 1], []])
def test_gaps_must_be_whole_numbers_between_each_two_observations(gaps: list) -> None:
    params = BktParams(prior=0.3, learn=0.1, guess=0.2, slip=0.1)
    with pytest.raises(ValueError, match="gaps must"):
        trace([1, 0], 0.3, 0.1, 0.2, 0.1, gaps=gaps)
    with pytest.raises(ValueError, match="gaps must"):
        trace_many([[1, 0]], params, gaps=[gaps])


def test_an_impossible_observation_is_an_error_not_a_nan() -> None:
    # Never mastered (prior 0, no learning) and no guessing: a right answer cannot happen.
    with pytest.raises(ValueError, match="impossible"):
        trace([1], 0.0, 0.0, 0.0, 0.1)
    with pytest.raises(ValueError, match="impossible"):
        predict([[0], [1]], BktParams(prior=0.0, learn=0.0, guess=0.0, slip=0.1))


def test_mastered_at_the_default_threshold_of_095() -> None:
    assert mastered(0.95)
    assert not mastered(0.9499)
    assert mastered(0.8, threshold=0.8)
    with pytest.raises(ValueError, match=r"^p must be"):
        mastered(1.2)
    with pytest.raises(ValueError, match=r"^threshold must be"):
        mastered(0.5, threshold=2)


# bulk path == per-student path


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(observations_with_gaps(), params_strategy), max_size=12))
def test_trace_many_gives_the_numbers_of_trace_for_every_sequence(
    cases: list[tuple[tuple[list[bool], list[int]], BktParams]],
) -> None:
    sequences = [observations for (observations, _), _ in cases]
    gaps = [sequence_gaps for (_, sequence_gaps), _ in cases]
    params = [p for _, p in cases]
    bulk = trace_many(sequences, params, gaps=gaps)
    assert len(bulk) == len(cases)
    for values, observations, sequence_gaps, p in zip(bulk, sequences, gaps, params, strict=True):
        expected = trace(observations, **vars(p), gaps=sequence_gaps)
        assert values.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(st.lists(observation_lists, max_size=10), params_strategy)
def test_predict_is_the_chance_of_a_right_answer_before_each_observation(
    sequences: list[list[bool]], params: BktParams
) -> None:
    for predicted, observations in zip(predict(sequences, params), sequences, strict=True):
        before = np.array(trace(observations, **vars(params))[:-1])
        expected = before * (1 - params.slip) + (1 - before) * params.guess
        assert predicted == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_one_parameter_set_per_sequence_must_match_the_sequences() -> None:
    params = BktParams(prior=0.3, learn=0.1, guess=0.2, slip=0.1)
    with pytest.raises(ValueError, match="2 parameter sets for 3 sequences"):
        predict([[1], [0], [1]], [params, params])


# fitting


def test_fit_recovers_the_parameters_students_were_simulated_with() -> None:
    truth = BktParams(prior=0.35, learn=0.12, guess=0.22, slip=0.08)
    sequences, _ = _simulate(truth, students=3000, seed=11)
    fitted = fit(sequences)
    assert fitted.prior == pytest.approx(truth.prior, abs=0.05)
    assert fitted.learn == pytest.approx(truth.learn, abs=0.05)
    assert fitted.guess == pytest.approx(truth.guess, abs=0.05)
    assert fitted.slip == pytest.approx(truth.slip, abs=0.05)
    assert fitted.forget == 0.0
    assert log_likelihood(sequences, fitted) >= log_likelihood(sequences, truth)


def test_fit_with_forgetting_recovers_the_forgetting_rate() -> None:
    truth = BktParams(prior=0.3, learn=0.2, guess=0.2, slip=0.1, forget=0.06)
    sequences, _ = _simulate(truth, students=3000, seed=12)
    fitted = fit(sequences, forgetting=True)
    assert fitted.forget == pytest.approx(truth.forget, abs=0.03)
    assert fitted.learn == pytest.approx(truth.learn, abs=0.05)
    assert fitted.guess == pytest.approx(truth.guess, abs=0.05)
    assert fitted.slip == pytest.approx(truth.slip, abs=0.05)


def test_fit_with_gaps_recovers_forgetting_per_tick() -> None:
    truth = BktParams(prior=0.3, learn=0.2, guess=0.2, slip=0.1, forget=0.04)
    sequences, gaps = _simulate(truth, students=3000, seed=13, interleaved=True)
    fitted = fit(sequences, forgetting=True, gaps=gaps)
    assert fitted.forget == pytest.approx(truth.forget, abs=0.02)
    assert fitted.learn == pytest.approx(truth.learn, abs=0.05)
    assert fitted.guess == pytest.approx(truth.guess, abs=0.05)
    assert fitted.slip == pytest.approx(truth.slip, abs=0.05)
    # Ignoring the gaps misreads the same students.
    assert log_likelihood(sequences, fitted, gaps=gaps) > log_likelihood(
        sequences, fit(sequences, forgetting=True), gaps=gaps
    )


def test_each_em_iteration_with_gaps_never_lowers_the_likelihood() -> None:
    truth = BktParams(prior=0.4, learn=0.15, guess=0.25, slip=0.1, forget=0.08)
    sequences, gaps = _simulate(truth, students=150, seed=14, interleaved=True)
    likelihoods = [
        log_likelihood(
            sequences,
            fit(
                sequences,
                forgetting=True,
                gaps=gaps,
                restarts=1,
                max_iterations=iterations,
                tolerance=0.0,
            ),
            gaps=gaps,
        )
        for iterations in range(1, 13)
    ]
    assert all(later >= earlier - 1e-9 for earlier, later in pairwise(likelihoods))
    assert likelihoods[-1] > likelihoods[0]


def test_fit_keeps_guess_and_slip_under_their_caps() -> None:
    truth = BktParams(prior=0.5, learn=0.1, guess=0.45, slip=0.3)
    sequences, _ = _simulate(truth, students=500, seed=15)
    fitted = fit(sequences, max_guess=0.3, max_slip=0.1)
    assert fitted.guess <= 0.3
    assert fitted.slip <= 0.1


def test_fit_many_fits_each_competency_as_fit_does_alone() -> None:
    easy, _ = _simulate(BktParams(prior=0.6, learn=0.2, guess=0.25, slip=0.05), 300, seed=16)
    hard, _ = _simulate(BktParams(prior=0.1, learn=0.05, guess=0.1, slip=0.2), 300, seed=17)
    options = {"restarts": 1, "max_iterations": 15, "tolerance": 0.0}
    together = fit_many({"easy": easy, "hard": hard}, **options)
    for name, sequences in (("easy", easy), ("hard", hard)):
        alone = fit(sequences, **options)
        assert vars(together[name]) == pytest.approx(vars(alone), rel=1e-9)


def test_fit_refuses_what_it_cannot_fit() -> None:
    with pytest.raises(ValueError, match="no observations to fit for 'empty'"):
        fit_many({"empty": [[], []], "some": [[1, 0]]})
    with pytest.raises(ValueError, match="restarts must be"):
        fit([[1, 0]], restarts=0)
    with pytest.raises(ValueError, match="max_guess \\+ max_slip must be < 1"):
        fit([[1, 0]], max_guess=0.6, max_slip=0.5)
    with pytest.raises(ValueError, match="got 1 gap lists for 2 sequences"):
        fit([[1, 0], [1]], gaps=[[1]])


# individualised fitting: parameters per cohort of students


def test_fit_by_cohort_gives_each_cohort_its_prior_and_shares_the_rest() -> None:
    strong = BktParams(prior=0.7, learn=0.15, guess=0.2, slip=0.1)
    weak = BktParams(prior=0.15, learn=0.15, guess=0.2, slip=0.1)
    strong_sequences, _ = _simulate(strong, students=1500, seed=21)
    weak_sequences, _ = _simulate(weak, students=1500, seed=22)
    fitted = fit_many_by_cohort(
        {"skill": strong_sequences + weak_sequences},
        {"skill": [0] * 1500 + [1] * 1500},
    )["skill"]
    high, low = fitted.by_cohort
    assert high.prior == pytest.approx(0.7, abs=0.06)
    assert low.prior == pytest.approx(0.15, abs=0.06)
    assert (high.learn, high.guess, high.slip) == (low.learn, low.guess, low.slip)
    assert high.learn == pytest.approx(0.15, abs=0.05)
    # Students of no cohort start from the prior of all of them.
    assert fitted.of(None).prior == pytest.approx((high.prior + low.prior) / 2, rel=1e-9)
    assert fitted.of(1) == low


def test_fit_by_cohort_fits_the_chosen_parameters_per_cohort() -> None:
    careful = BktParams(prior=0.4, learn=0.15, guess=0.1, slip=0.03)
    sloppy = BktParams(prior=0.4, learn=0.15, guess=0.25, slip=0.2)
    careful_sequences, _ = _simulate(careful, students=1500, seed=23)
    sloppy_sequences, _ = _simulate(sloppy, students=1500, seed=24)
    fitted = fit_many_by_cohort(
        {"skill": careful_sequences + sloppy_sequences},
        {"skill": [0] * 1500 + [1] * 1500},
        per_cohort=("prior", "guess", "slip"),
    )["skill"]
    first, second = fitted.by_cohort
    assert first.slip == pytest.approx(0.03, abs=0.03)
    assert second.slip == pytest.approx(0.2, abs=0.05)
    assert second.guess - first.guess > 0.08
    assert first.learn == second.learn


def test_each_em_iteration_by_cohort_never_lowers_the_likelihood() -> None:
    strong, _ = _simulate(BktParams(prior=0.6, learn=0.1, guess=0.2, slip=0.1), 100, seed=26)
    weak, _ = _simulate(BktParams(prior=0.2, learn=0.2, guess=0.3, slip=0.15), 100, seed=27)

    def likelihood_after(iterations: int) -> float:
        fitted = fit_many_by_cohort(
            {"skill": strong + weak},
            {"skill": [0] * 100 + [1] * 100},
            per_cohort=("prior", "slip"),
            restarts=1,
            max_iterations=iterations,
            tolerance=0.0,
        )["skill"]
        return log_likelihood(strong, fitted.of(0)) + log_likelihood(weak, fitted.of(1))

    likelihoods = [likelihood_after(iterations) for iterations in range(1, 10)]
    assert all(later >= earlier - 1e-9 for earlier, later in pairwise(likelihoods))
    assert likelihoods[-1] > likelihoods[0]


def test_fit_by_cohort_with_one_cohort_is_fit_many() -> None:
    sequences, _ = _simulate(BktParams(prior=0.3, learn=0.2, guess=0.2, slip=0.1), 300, seed=25)
    options = {"restarts": 2, "max_iterations": 15}
    alone = fit_many({"skill": sequences}, **options)["skill"]
    fitted = fit_many_by_cohort({"skill": sequences}, {"skill": [0] * 300}, **options)["skill"]
    assert fitted == CohortParams(pooled=alone, by_cohort=(alone,))


def test_a_cohort_without_students_on_a_competency_gets_the_pooled_parameters() -> None:
    fitted = fit_many_by_cohort(
        {"a": [[1, 1, 0], [0, 1]], "b": [[1, 0, 1]]},
        {"a": [0, 2], "b": [1]},
        max_iterations=5,
    )
    assert fitted["a"].by_cohort[1] == fitted["a"].pooled
    assert fitted["b"].by_cohort[0] == fitted["b"].by_cohort[2] == fitted["b"].pooled


def test_fit_by_cohort_refuses_what_it_cannot_fit() -> None:
    with pytest.raises(ValueError, match="per_cohort takes"):
        fit_many_by_cohort({"a": [[1]]}, {"a": [0]}, per_cohort=("mood",))
    with pytest.raises(ValueError, match="cohorts must have an entry for every competency"):
        fit_many_by_cohort({"a": [[1]]}, {"b": [0]})
    with pytest.raises(ValueError, match="got 1 cohorts for 2 sequences"):
        fit_many_by_cohort({"a": [[1], [0]]}, {"a": [0]})
    with pytest.raises(ValueError, match="cohorts must be whole numbers"):
        fit_many_by_cohort({"a": [[1]]}, {"a": [-1]})


def test_fit_on_one_skill_of_the_real_assistments_data_stays_in_range(testdata: Path) -> None:
    # ASSISTments 2009-10 skill builder: each student's responses on skill 47 in file order.
    train = load(testdata / "responses" / "assistments-builder-train.csv")
    sequences = Sequences.of(train).by_skill()[47]
    assert sum(map(len, sequences)) > 500
    for forgetting in (False, True):
        fitted = fit(sequences, forgetting=forgetting, max_iterations=60)
        assert 0 < fitted.prior < 1
        assert 0 < fitted.learn < 1
        assert 0 < fitted.guess <= 0.3
        assert 0 < fitted.slip <= 0.3
        assert (fitted.forget > 0) == forgetting
        flat = np.concatenate(predict(sequences, fitted))
        assert ((flat > 0) & (flat < 1)).all()
