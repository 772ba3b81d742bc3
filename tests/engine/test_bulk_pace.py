"""The bulk replay (`engine.bulk_pace`) equals `pace.work_history` pair by pair."""

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from proficio.engine.bulk_pace import NO_DAY, stage_verdicts, work_histories
from proficio.engine.pace import Rating, work_history
from tests.engine.test_pace_linear import WEIGHTS, policies

START = date(2026, 1, 5)
# Two decimals, as levels are stored: values off the grid differ from the per-pair replay's
# exact sums only in their last bits, which a threshold less TOLERANCE never falls between.
LEVELS = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 4.0]),
    st.integers(0, 400).map(lambda hundredths: hundredths / 100),
)


@st.composite
def pairs(draw):
    """A pair's stage count and its ratings: (day, stage position, level, weight), in order."""
    stages = draw(st.integers(1, 5))
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, 40), st.integers(0, stages - 1), LEVELS, WEIGHTS),
            max_size=30,
        )
    )
    return stages, sorted(rows, key=lambda row: row[0])


def day_of(number: int) -> date | None:
    return None if number == NO_DAY else START + timedelta(days=number)


@settings(max_examples=300, deadline=None)
@given(
    policy=policies(),
    groups=st.lists(pairs(), min_size=1, max_size=6),
    threshold=st.sampled_from([2.5, 3.0, 3.3]),
    minimum=st.integers(0, 3),
    implies=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_the_bulk_replay_equals_the_replay_of_each_pair(
    policy, groups, threshold, minimum, implies
):
    method, params = policy
    rows = [(g, *row) for g, (_, ratings) in enumerate(groups) for row in ratings]
    group = np.array([row[0] for row in rows], dtype=np.int64)
    day = np.array([row[1] for row in rows], dtype=np.int64)
    position = np.array([row[2] for row in rows], dtype=np.int64)
    level = np.array([row[3] for row in rows], dtype=np.float64)
    weight = np.array([row[4] for row in rows], dtype=np.float64)
    verdicts = stage_verdicts(
        group * 8 + position,
        level,
        weight,
        method,
        params,
        threshold=threshold,
        minimum_evidence=minimum,
    )
    found = work_histories(
        group,
        day,
        position,
        weight,
        verdicts,
        [stages for stages, _ in groups],
        implies[: len(groups)],
    )

    for g, (stages, ratings) in enumerate(groups):
        history = work_history(
            stages=list(range(1, stages + 1)),
            ratings=[Rating(day_of(d), p + 1, lv, w) for d, p, lv, w in ratings],
            method=method,
            params=params,
            threshold=threshold,
            minimum_evidence=minimum,
            higher_implies_lower=implies[g],
        )
        completed = bool(found.completed[g])
        assert completed == history.completed
        assert (None if completed else int(found.working[g]) + 1) == history.working_stage
        assert bool(found.established[g]) == history.established
        assert day_of(int(found.started_on[g])) == history.started_on
        assert day_of(int(found.last_advanced_on[g])) == history.last_advanced_on
        assert day_of(int(found.last_day[g])) == (day_of(ratings[-1][0]) if ratings else None)
        at_stage = [(d, lv) for d, p, lv, w in ratings if p + 1 == history.working_stage and w > 0]
        mine = found.at_working_stage[group == g]
        assert [(d, lv) for (d, _, lv, _), at in zip(ratings, mine, strict=True) if at] == at_stage


def test_ratings_that_all_weigh_nothing_place_no_stage_beyond_the_first():
    verdicts = stage_verdicts(
        [0, 1], [4.0, 4.0], [0.0, 0.0], "latest", {}, threshold=3.0, minimum_evidence=0
    )
    found = work_histories([0, 0], [3, 5], [0, 1], [0.0, 0.0], verdicts, [3], [True])

    assert not verdicts.any()
    assert (found.working.tolist(), found.established.tolist()) == ([0], [True])
    assert (found.started_on.tolist(), found.last_day.tolist()) == ([3], [5])
    assert found.last_advanced_on.tolist() == [NO_DAY]
    assert not found.at_working_stage.any()
