"""Knowledge tracing as a mastery method: the value is P(mastered) by `bkt.trace`, mastery is
P ≥ 0.95 on every path, and the explanation says where the parameters came from."""

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proficio.engine import bkt, bulk, evaluate
from proficio.engine.display import format_chance, format_result
from proficio.engine.methods import (
    POLICY_PARAMETERS,
    calculate,
    knowledge_tracing,
    mastery_cut,
    validate_parameters,
)
from proficio.engine.pace import mastery_test

LABELS = {1.0: "Beginning", 2.0: "Developing", 3.0: "Proficient", 4.0: "Advanced"}
FITTED = {"right_at": 3.0, "prior": 0.4, "learn": 0.15, "guess": 0.2, "slip": 0.1}

levels = st.lists(st.sampled_from([1.0, 2.0, 2.5, 3.0, 4.0]), min_size=1, max_size=12)
chains = st.builds(
    bkt.BktParams,
    prior=st.floats(0.01, 0.99),
    learn=st.floats(0.0, 0.9),
    guess=st.floats(0.01, 0.45),
    slip=st.floats(0.01, 0.45),
    forget=st.floats(0.0, 0.3),
)


def _days(count: int) -> list[date]:
    return [date(2026, 12, 1) + timedelta(days=n) for n in range(count)]


@given(scores=levels, chain=chains)
def test_the_value_is_the_last_step_of_bkt_trace_with_ratings_at_the_cut_as_right(scores, chain):
    right = [score >= 3.0 for score in scores]
    expected = bkt.trace(right, chain.prior, chain.learn, chain.guess, chain.slip, chain.forget)
    params = {name: getattr(chain, name) for name in ("prior", "learn", "guess", "slip", "forget")}
    assert knowledge_tracing(scores, right_at=3.0, **params) == expected[-1]


@given(
    runs=st.lists(st.lists(st.booleans(), min_size=1, max_size=15), min_size=1, max_size=20),
    chain=chains,
)
def test_trace_last_steps_every_run_together_as_trace_steps_one(runs, chain):
    starts = np.cumsum([0] + [len(run) for run in runs[:-1]])
    flat = np.concatenate([np.array(run, dtype=bool) for run in runs])
    together = bkt.trace_last(flat, starts, chain)
    one_by_one = [
        bkt.trace(run, chain.prior, chain.learn, chain.guess, chain.slip, chain.forget)[-1]
        for run in runs
    ]
    assert together.tolist() == one_by_one


def test_no_ratings_no_result_and_weight_zero_ratings_are_not_answers():
    assert knowledge_tracing([]) is None
    assert calculate("knowledge_tracing", [4, 1], weights=[0, 1], **FITTED) == knowledge_tracing(
        [1], **FITTED
    )


def test_a_policy_sets_none_of_its_parameters_the_application_passes_them_all():
    assert POLICY_PARAMETERS["knowledge_tracing"] == {}
    assert POLICY_PARAMETERS["decaying_average"].keys() == {"rate"}
    assert validate_parameters("knowledge_tracing", {}) == {
        "right_at": 3.0,
        **{name: getattr(bkt.DEFAULT_PARAMS, name) for name in ("prior", "learn", "guess")},
        "slip": bkt.DEFAULT_PARAMS.slip,
        "forget": 0.0,
    }
    with pytest.raises(ValueError, match="guess"):
        validate_parameters("knowledge_tracing", {"guess": 0.5})


def test_two_right_answers_master_a_stage_under_the_defaults():
    result = evaluate(method="knowledge_tracing", scores=[3, 4], observed=_days(2), threshold=3.0)
    assert result.value == pytest.approx(0.972, abs=1e-3)
    assert result.mastered


@given(scores=levels, threshold=st.sampled_from([2.5, 3.0, 3.5]), minimum=st.integers(0, 4))
def test_mastered_exactly_when_the_chance_reaches_95_percent_whatever_the_threshold(
    scores, threshold, minimum
):
    result = evaluate(
        method="knowledge_tracing",
        scores=scores,
        observed=_days(len(scores)),
        params=FITTED,
        threshold=threshold,
        minimum_evidence=minimum,
    )
    assert mastery_cut("knowledge_tracing", threshold) == bkt.MASTERY_THRESHOLD == 0.95
    assert result.mastered == (len(scores) >= minimum and result.value >= 0.95)
    replayed = mastery_test(
        method="knowledge_tracing", params=FITTED, threshold=threshold, minimum_evidence=minimum
    )
    assert replayed(scores, [1.0] * len(scores)) == result.mastered
    _, values = bulk.compute(
        [7] * len(scores), range(len(scores)), scores, "knowledge_tracing", **FITTED
    )
    assert values[0] == result.value


def test_the_explanation_counts_the_answers_and_names_the_fit():
    result = evaluate(
        method="knowledge_tracing",
        scores=[3, 2, 3, 4, 3, 1],
        observed=_days(6),
        params=FITTED,
        threshold=3.0,
        labels=LABELS,
        fitted=bkt.FittedFrom(answers=1240, students=85, on=date(2026, 12, 3)),
    )
    assert result.explanation.startswith(
        "Method: Knowledge tracing (a rating at 3 (Proficient) or above, the scale's mastery "
        "level, counts as a right answer)."
    )
    assert (
        "After 6 right/wrong answers, 4 right, the chance the student has mastered this is 94%. "
        "Guess 0.2, slip 0.1, learn 0.15, prior 0.4, fitted from 1,240 answers by 85 students "
        "in the district on 3 Dec 2026. Mastery needs a 95% chance. "
        "Not mastered yet: 94% is below 95%."
    ) in result.explanation


def test_without_a_fit_the_explanation_says_the_values_are_typical_ones():
    result = evaluate(method="knowledge_tracing", scores=[3, 3], observed=_days(2), threshold=3.0)
    assert "prior 0.4: typical values, not yet fitted from the district's answers." in (
        result.explanation
    )
    assert result.explanation.endswith("Mastery needs a 95% chance. Mastered.")


def test_a_chance_reads_as_a_percentage_never_100_short_of_certain():
    assert format_chance(0.874) == "87%"
    assert format_chance(0.9996) == "99.96%"
    assert format_chance(1.0) == "100%"
    assert format_result("knowledge_tracing", 0.874) == "87% likely mastered"
    assert format_result("decaying_average", 2.654) == "2.65"
    assert format_result("knowledge_tracing", None) == "—"
