"""The linear replay of `work_history` against the quadratic one it replaced (the oracle).

The oracle re-evaluates every earlier rating at a stage with `methods.calculate` on each
day a stage is rated, as `work_history` did before its stages kept running values.
"""

from datetime import date, timedelta
from itertools import groupby

from hypothesis import given, settings
from hypothesis import strategies as st

from proficio.engine.explain import TOLERANCE
from proficio.engine.methods import METHODS, calculate, mastery_cut
from proficio.engine.pace import Rating, WorkHistory, work_history, working_index
from proficio.engine.running import running_form

START = date(2026, 1, 5)


def oracle_work_history(
    *, stages, ratings, method, params, threshold, minimum_evidence, higher_implies_lower
):
    params = dict(params)
    if method == "n_mastery":
        params.setdefault("threshold", threshold)

    def test(levels, weights):
        if sum(1 for weight in weights if weight > 0) < minimum_evidence:
            return False
        value = calculate(method, levels, weights, **params)
        return value is not None and value >= mastery_cut(method, threshold) - TOLERANCE

    ordinals = sorted(stages)
    index_of = {ordinal: index for index, ordinal in enumerate(ordinals)}
    levels = [[] for _ in ordinals]
    weights = [[] for _ in ordinals]
    mastered = [False] * len(ordinals)
    position = working_index(mastered, higher_implies_lower)
    last_advanced_on = None
    for day, same_day in groupby(ratings, key=lambda rating: rating.day):
        touched = set()
        for rating in same_day:
            index = index_of[rating.stage]
            levels[index].append(rating.level)
            weights[index].append(rating.weight)
            touched.add(index)
        changed = False
        for index in touched:
            verdict = test(levels[index], weights[index])
            changed = changed or verdict != mastered[index]
            mastered[index] = verdict
        if changed:
            now = working_index(mastered, higher_implies_lower)
            if now > position:
                last_advanced_on = day
            position = now
    completed = bool(ordinals) and position == len(ordinals)
    return WorkHistory(
        working_stage=None if completed or not ordinals else ordinals[position],
        completed=completed,
        started_on=ratings[0].day if ratings else None,
        last_advanced_on=last_advanced_on,
        established=completed or any(mastered) or bool(ordinals and levels[position]),
    )


# Levels off the quarter grid too, so exact sums and rounding are put to the test.
LEVELS = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 4.0]),
    st.floats(min_value=0, max_value=4, allow_nan=False, allow_infinity=False),
)
WEIGHTS = st.sampled_from([0.0, 0.3, 0.5, 1.0, 1.0, 1.0, 2.0, 0.1])
PARAMS = {
    "median_recent": st.fixed_dictionaries({"n": st.integers(1, 5)}),
    "weighted_average": st.fixed_dictionaries({"weight": st.sampled_from([0.1, 0.3, 0.65, 0.99])}),
    "decaying_average": st.fixed_dictionaries({"rate": st.sampled_from([0.5, 0.65, 0.9])}),
    "n_mastery": st.fixed_dictionaries({"n": st.integers(1, 4)}),
    "knowledge_tracing": st.fixed_dictionaries(
        {
            "right_at": st.sampled_from([2.5, 3.0]),
            "prior": st.sampled_from([0.05, 0.4, 0.9]),
            "learn": st.sampled_from([0.0, 0.15, 0.6]),
            "guess": st.sampled_from([0.01, 0.2, 0.45]),
            "slip": st.sampled_from([0.01, 0.1, 0.45]),
            "forget": st.sampled_from([0.0, 0.05]),
        }
    ),
}


@st.composite
def policies(draw):
    method = draw(st.sampled_from(sorted(METHODS)))
    params = draw(PARAMS.get(method, st.just({})))
    return method, params


@settings(max_examples=400, deadline=None)
@given(
    policy=policies(),
    rows=st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 4), LEVELS, WEIGHTS), max_size=40
    ).map(sorted),
    threshold=st.sampled_from([2.5, 3.0, 3.3]),
    minimum=st.integers(0, 3),
    implies=st.booleans(),
)
def test_the_linear_replay_equals_the_quadratic_one(policy, rows, threshold, minimum, implies):
    method, params = policy
    ratings = [
        Rating(START + timedelta(days=day), stage, level, weight)
        for day, stage, level, weight in rows
    ]
    kwargs = dict(
        stages=[1, 2, 3, 4],
        ratings=ratings,
        method=method,
        params=params,
        threshold=threshold,
        minimum_evidence=minimum,
        higher_implies_lower=implies,
    )
    assert work_history(**kwargs) == oracle_work_history(**kwargs)


@settings(max_examples=400, deadline=None)
@given(
    policy=policies(),
    rated=st.lists(st.tuples(LEVELS, WEIGHTS), max_size=30),
)
def test_each_running_value_equals_the_method_over_every_rating_so_far(policy, rated):
    method, params = policy
    running = running_form(method, params)()
    for count, (level, weight) in enumerate(rated, start=1):
        running.add(level, weight)
        levels = [level for level, _ in rated[:count]]
        weights = [weight for _, weight in rated[:count]]
        assert running.value() == calculate(method, levels, weights, **params)
