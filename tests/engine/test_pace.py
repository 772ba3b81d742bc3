from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from proficio.engine import METHODS, evaluate
from proficio.engine.pace import (
    AHEAD,
    BEHIND,
    NO_AGE_GRADE,
    NO_RATINGS,
    NO_TYPICAL_GRADES,
    ON_PACE,
    Rating,
    StageGrade,
    Standing,
    WorkHistory,
    classify,
    expected_stage,
    is_stalled,
    mastery_test,
    stall_span,
    work_history,
    working_index,
)

# Grades 3 to 8, one stage each: the shape of the demo's writing trajectories.
GRADES_3_TO_8 = [StageGrade(ordinal, ordinal + 2) for ordinal in range(1, 7)]
TODAY = date(2026, 11, 20)
DECAYING = {"method": "decaying_average", "params": {"rate": 0.65}}


def standing(working_stage, age_grade=5, completed=False, **extra):
    return classify(
        stages=GRADES_3_TO_8,
        age_grade=age_grade,
        working_stage=working_stage,
        completed=completed,
        **extra,
    )


# expected_stage


def test_expected_stage_is_the_first_whose_typical_grade_reaches_the_age_grade():
    assert expected_stage(GRADES_3_TO_8, 5).stage == 3
    gappy = [StageGrade(1, 3), StageGrade(2, 5), StageGrade(3, 7)]
    assert expected_stage(gappy, 4).stage == 2
    assert expected_stage(gappy, 1).stage == 1


def test_expected_stage_past_the_last_grade_expects_the_whole_trajectory():
    beyond = expected_stage(GRADES_3_TO_8, 9)
    assert beyond.stage is None and beyond.index == 6


def test_expected_stage_is_unknown_without_an_age_grade_or_a_typical_grade():
    assert expected_stage(GRADES_3_TO_8, None) is None
    assert expected_stage([StageGrade(1, 3), StageGrade(2, None)], 3) is None
    assert expected_stage([], 3) is None


def test_expected_stage_reads_stages_in_ordinal_order_whatever_order_they_come_in():
    assert expected_stage(list(reversed(GRADES_3_TO_8)), 5).stage == 3


def test_expected_stage_refuses_repeated_ordinals():
    with pytest.raises(ValueError, match="distinct"):
        expected_stage([StageGrade(1, 3), StageGrade(1, 4)], 3)


# classify


def test_a_fifth_grader_at_the_grade_five_stage_is_on_pace():
    result = standing(3)
    assert result.status == ON_PACE
    assert result.reason == "Working at stage 3; stage 3 is typical for grade 5 — on pace."


def test_a_fifth_grader_above_the_grade_five_stage_is_ahead():
    result = standing(4)
    assert result.status == AHEAD
    assert result.reason == "Working at stage 4; stage 3 is typical for grade 5 — ahead."


def test_a_fifth_grader_below_the_grade_five_stage_is_behind():
    assert standing(2).status == BEHIND


def test_completing_the_trajectory_early_is_ahead_and_on_time_is_on_pace():
    early = standing(None, completed=True)
    assert early.status == AHEAD and early.reason.startswith("Completed all 6 stages")
    on_time = standing(None, age_grade=9, completed=True)
    assert on_time.status == ON_PACE
    assert on_time.reason == "Completed all 6 stages, as expected by grade 9 — on pace."


def test_a_grade_past_the_trajectory_still_working_on_it_is_behind():
    result = standing(6, age_grade=9)
    assert result.status == BEHIND
    assert "by grade 9 every one of the 6 stages is expected to be mastered" in result.reason


def test_a_grade_between_typical_grades_names_the_first_stage_for_it():
    result = classify(
        stages=[StageGrade(1, 3), StageGrade(2, 5)],
        age_grade=4,
        working_stage=2,
        completed=False,
    )
    assert result.status == ON_PACE
    assert result.reason == (
        "Working at stage 2; stage 2 (typical for grade 5) is the first at or above grade 4"
        " — on pace."
    )


def test_kindergarten_reads_as_a_word():
    result = classify(
        stages=[StageGrade(1, 0), StageGrade(2, 1)], age_grade=0, working_stage=1, completed=False
    )
    assert "typical for kindergarten" in result.reason


def test_tolerance_counts_stages_just_below_as_on_pace_and_says_so():
    lenient = standing(2, tolerance=1)
    assert lenient.status == ON_PACE
    assert "up to 1 stage below still counts as on pace" in lenient.reason
    assert standing(1, tolerance=1).status == BEHIND


def test_pace_is_unknown_without_a_grade_typical_grades_or_ratings():
    assert standing(3, age_grade=None) == Standing(None, NO_AGE_GRADE)
    no_grades = classify(
        stages=[StageGrade(1, None)], age_grade=5, working_stage=1, completed=False
    )
    assert no_grades == Standing(None, NO_TYPICAL_GRADES)
    assert standing(None) == Standing(None, NO_RATINGS)


def test_classify_refuses_a_working_stage_off_the_trajectory_and_a_negative_tolerance():
    with pytest.raises(ValueError, match="not one of the stages"):
        standing(7)
    with pytest.raises(ValueError, match="tolerance"):
        standing(3, tolerance=-1)


ORDER = {BEHIND: 0, ON_PACE: 1, AHEAD: 2}


@given(
    age_grade=st.integers(min_value=-1, max_value=12),
    lower=st.integers(min_value=1, max_value=6),
    higher=st.integers(min_value=1, max_value=7),
    tolerance=st.integers(min_value=0, max_value=3),
)
def test_standing_never_falls_as_the_working_stage_rises(age_grade, lower, higher, tolerance):
    lower, higher = sorted((lower, higher))

    def at(stage):
        done = stage == 7
        return standing(None if done else stage, age_grade, done, tolerance=tolerance).status

    assert ORDER[at(lower)] <= ORDER[at(higher)]


@given(age_grade=st.integers(min_value=-1, max_value=12))
def test_exactly_one_working_stage_is_on_pace_without_tolerance(age_grade):
    on_pace = [s for s in range(1, 7) if standing(s, age_grade).status == ON_PACE]
    completed_on_pace = standing(None, age_grade, completed=True).status == ON_PACE
    assert len(on_pace) + completed_on_pace == 1


# mastery_test and working_index


levels = st.sampled_from([1.0, 2.0, 3.0, 4.0])


@given(
    method=st.sampled_from(sorted(METHODS)),
    rated=st.lists(st.tuples(levels, st.sampled_from([0.0, 0.5, 1.0, 2.0])), max_size=8),
    minimum=st.integers(min_value=0, max_value=3),
)
def test_the_mastery_test_agrees_with_the_explained_evaluation(method, rated, minimum):
    scores = [score for score, _ in rated]
    weights = [weight for _, weight in rated]
    params = {"n": 2} if method == "n_mastery" else {}
    explained = evaluate(
        method=method,
        scores=scores,
        observed=[TODAY] * len(scores),
        params=params,
        threshold=3.0,
        minimum_evidence=minimum,
        weights=weights,
    )
    test = mastery_test(method=method, params=params, threshold=3.0, minimum_evidence=minimum)
    assert test(scores, weights) == explained.mastered


def test_the_mastery_test_checks_parameters_once_and_refuses_bad_ones():
    with pytest.raises(ValueError, match="rate"):
        mastery_test(
            method="decaying_average", params={"rate": 2}, threshold=3.0, minimum_evidence=1
        )
    test = mastery_test(method="latest", params={}, threshold=3.0, minimum_evidence=1)
    with pytest.raises(ValueError, match="weights"):
        test([3.0], [])


def test_working_index_is_the_lowest_stage_not_mastered():
    assert working_index([True, False, True], higher_implies_lower=False) == 1
    assert working_index([True, False, True], higher_implies_lower=True) == 3
    assert working_index([False, True, False], higher_implies_lower=True) == 2
    assert working_index([False, False], higher_implies_lower=True) == 0
    assert working_index([], higher_implies_lower=True) == 0


# work_history


def ratings(*rows):
    """(days before TODAY, stage, level) → Ratings oldest first."""
    return [
        Rating(TODAY - timedelta(days=back), stage, float(level)) for back, stage, level in rows
    ]


def history_of(rows, stages=(1, 2, 3), higher_implies_lower=True, **policy):
    return work_history(
        stages=stages,
        ratings=ratings(*rows),
        threshold=3.0,
        minimum_evidence=2,
        higher_implies_lower=higher_implies_lower,
        **{**DECAYING, **policy},
    )


def test_work_history_dates_the_advance_to_the_rating_that_made_the_stage_mastered():
    history = history_of([(90, 1, 2), (60, 1, 3), (50, 1, 4), (40, 2, 2)])
    # 2 → 3 → 4: decaying 2.65 after the second rating, 3.53 after the third.
    assert history.working_stage == 2
    assert history.last_advanced_on == TODAY - timedelta(days=50)
    assert history.started_on == TODAY - timedelta(days=90)


def test_work_history_without_mastery_has_no_advance_and_an_empty_one_has_no_start():
    stuck = history_of([(90, 1, 2), (60, 1, 2)])
    assert stuck.working_stage == 1 and stuck.last_advanced_on is None
    assert history_of([]) == WorkHistory(1, False, None, None, established=False)


def test_work_history_places_a_student_only_on_evidence_at_or_below_the_working_stage():
    assert history_of([(10, 1, 2)]).placed_stage == 1
    assert history_of([(20, 1, 4), (10, 1, 4)]).placed_stage == 2  # stage 1 mastered
    # Rated at stage 3 alone: stage 1 is the working stage only by default.
    rated_higher = history_of([(20, 3, 2), (10, 3, 2)])
    assert rated_higher.working_stage == 1 and rated_higher.placed_stage is None


def test_work_history_counts_a_higher_stage_as_mastering_the_lower_ones_when_policy_says_so():
    rows = [(30, 2, 4), (20, 2, 4)]
    assert history_of(rows).working_stage == 3
    assert history_of(rows, higher_implies_lower=False).working_stage == 1


def test_work_history_reads_completed_when_every_stage_is_mastered():
    history = history_of([(30, 3, 4), (20, 3, 4)])
    assert history.completed and history.working_stage is None
    assert history.last_advanced_on == TODAY - timedelta(days=20)


def test_work_history_takes_a_whole_day_of_ratings_together():
    # 4, 4 alone would be mastered, but the 1 of the same day pulls it to 2.05 by the evening.
    history = history_of([(10, 1, 4), (10, 1, 4), (10, 1, 1)])
    assert history.working_stage == 1 and history.last_advanced_on is None


def test_work_history_keeps_the_latest_advance_after_a_fall_back():
    rows = [(90, 1, 4), (80, 1, 4), (70, 1, 1), (60, 1, 1), (50, 1, 4), (45, 1, 4)]
    history = history_of(rows, method="latest", params={})
    assert history.working_stage == 2
    assert history.last_advanced_on == TODAY - timedelta(days=50)


def test_work_history_refuses_unknown_stages_and_unordered_days():
    with pytest.raises(ValueError, match="not one of"):
        history_of([(10, 9, 3)])
    with pytest.raises(ValueError, match="oldest"):
        history_of([(10, 1, 3), (20, 1, 3)])


@given(
    rows=st.lists(st.tuples(st.integers(0, 120), st.integers(1, 3), levels), max_size=12).map(
        lambda rows: sorted(rows, key=lambda row: -row[0])
    ),
    implies=st.booleans(),
)
def test_work_history_ends_where_a_direct_computation_of_all_ratings_lands(rows, implies):
    history = history_of(rows, higher_implies_lower=implies)
    test = mastery_test(threshold=3.0, minimum_evidence=2, **DECAYING)
    mastered = [
        test(
            [float(level) for _, s, level in rows if s == stage],
            [1.0 for _, s, _ in rows if s == stage],
        )
        for stage in (1, 2, 3)
    ]
    index = working_index(mastered, implies)
    assert history.completed == (index == 3)
    assert history.working_stage == (None if index == 3 else index + 1)
    if history.last_advanced_on is not None:
        assert history.started_on <= history.last_advanced_on <= TODAY


# is_stalled

LABELS = {1.0: "Beginning", 2.0: "Developing", 3.0: "Proficient", 4.0: "Advanced"}
LONG_AGO = TODAY - timedelta(weeks=20)
# Reached stage 2 on 6 Jul 2026 and has worked there since.
AT_TWO = WorkHistory(2, False, LONG_AGO, LONG_AGO + timedelta(days=3), established=True)


def stalled(history, rows, **extra):
    return is_stalled(
        history=history,
        ratings=ratings(*rows),
        today=TODAY,
        threshold=3.0,
        labels=LABELS,
        **{"stall_weeks": 6, **extra},
    )


BEFORE = [(100, 2, 1), (60, 2, 2)]  # best before the window: 2 Developing


def test_no_growth_at_the_working_stage_for_six_weeks_is_stalled():
    result = stalled(AT_TWO, [*BEFORE, (30, 2, 2), (20, 2, 1), (5, 2, 2)])
    assert result.stalled
    assert result.reason == (
        "Needs support: no new stage since 6 Jul 2026; all 3 ratings at stage 2 in the last "
        "6 weeks are below 3 (Proficient), none above the 2 (Developing) shown before."
    )


def test_after_a_rating_at_mastery_level_before_the_window_the_reason_skips_the_rise():
    result = stalled(AT_TWO, [(100, 2, 3), (60, 2, 2), (30, 2, 2), (20, 2, 2)])
    assert result.stalled and result.reason.endswith("are below 3 (Proficient).")


def test_a_student_who_never_advanced_is_stalled_from_their_first_rating():
    never = WorkHistory(1, False, LONG_AGO, None, established=True)
    result = stalled(never, [(100, 1, 2), (30, 1, 2), (10, 1, 2)])
    assert result.stalled
    assert "no new stage since the first rating on 3 Jul 2026;" in result.reason
    assert "both ratings at stage 1 in the last 6 weeks are below" in result.reason


def test_rising_ratings_are_growth_not_a_stall():
    result = stalled(AT_TWO, [(100, 2, 1), (60, 2, 1), (30, 2, 1), (10, 2, 2)])
    assert not result.stalled
    assert result.reason == (
        "Growing: a recent rating at stage 2 is 2 (Developing), above the best before, "
        "1 (Beginning)."
    )


def test_one_recent_rating_at_mastery_means_not_stalled():
    result = stalled(AT_TWO, [*BEFORE, (30, 2, 2), (20, 2, 3), (10, 2, 2)])
    assert not result.stalled and "reached 3 (Proficient)" in result.reason


def test_too_few_recent_ratings_means_not_stalled():
    result = stalled(AT_TWO, [*BEFORE, (10, 2, 2)])
    assert not result.stalled and "1 rating at stage 2 in the last 6 weeks" in result.reason
    assert stalled(AT_TWO, [*BEFORE, (10, 2, 2)], minimum_ratings=1).stalled


def test_ratings_at_other_stages_and_uncounted_ones_do_not_count():
    rows = [*BEFORE, (30, 3, 1), (20, 3, 1), (10, 2, 2)]
    assert not stalled(AT_TWO, rows).stalled
    weightless = [*ratings(*BEFORE, (30, 2, 2)), Rating(TODAY, 2, 1.0, weight=0.0)]
    result = is_stalled(history=AT_TWO, ratings=weightless, today=TODAY, threshold=3.0)
    assert not result.stalled and "1 rating at stage 2" in result.reason


def test_a_student_new_to_the_working_stage_is_not_stalled():
    just_arrived = WorkHistory(3, False, LONG_AGO, TODAY - timedelta(weeks=7), established=True)
    result = stalled(just_arrived, [(30, 3, 1), (20, 3, 1), (10, 3, 1)])
    assert not result.stalled
    assert result.reason == "Work at stage 3 began in the last 6 weeks; too soon to tell."


def test_a_new_stage_inside_the_window_means_not_stalled():
    rows = [(60, 3, 1), (30, 3, 1), (10, 3, 1)]
    inside = WorkHistory(3, False, LONG_AGO, TODAY - timedelta(weeks=6, days=-1), True)
    assert not stalled(inside, rows).stalled
    on_the_edge = WorkHistory(3, False, LONG_AGO, TODAY - timedelta(weeks=6), True)
    assert stalled(on_the_edge, rows).stalled


def test_completing_the_trajectory_is_never_stalled():
    done = WorkHistory(None, True, LONG_AGO, LONG_AGO, established=True)
    assert not stalled(done, [(30, 3, 1), (20, 3, 1)]).stalled


def test_is_stalled_refuses_a_window_or_minimum_below_one():
    with pytest.raises(ValueError, match="stall_weeks"):
        stalled(AT_TWO, BEFORE, stall_weeks=0)
    with pytest.raises(ValueError, match="minimum_ratings"):
        stalled(AT_TWO, BEFORE, minimum_ratings=0)


recent_rows = st.lists(
    st.tuples(st.integers(0, 41), st.just(2), st.sampled_from([1, 2, 3, 4])), max_size=6
)


@given(recent=recent_rows, below=st.sampled_from([1, 2]))
def test_a_rating_at_mastery_ends_a_stall_and_one_no_higher_keeps_it(recent, below):
    rows = [*BEFORE, *sorted(recent, key=lambda row: -row[0])]
    assert not stalled(AT_TWO, [*rows, (0, 2, 4)]).stalled
    if stalled(AT_TWO, rows).stalled:
        assert stalled(AT_TWO, [*rows, (0, 2, below)]).stalled


# stall_span: is_stalled for every day and setting at once


@given(
    at_stage=st.lists(
        st.tuples(st.integers(0, 120), st.sampled_from([1.0, 2.0, 2.0, 2.5, 3.0])),
        max_size=8,
    ),
    elsewhere=st.lists(st.tuples(st.integers(0, 120), st.sampled_from([1.0, 3.0])), max_size=3),
    advanced=st.one_of(st.none(), st.integers(0, 120)),
    completed=st.booleans(),
    threshold=st.sampled_from([2.0, 3.0]),
    later=st.integers(0, 50),
    weeks=st.integers(1, 8),
    minimum=st.integers(1, 4),
)
# A stage reached after the first ratings there: a stall may begin no earlier.
@example(
    at_stage=[(0, 2.0), (10, 2.0), (100, 1.0), (110, 1.0)],
    elsewhere=[],
    advanced=90,
    completed=False,
    threshold=3.0,
    later=0,
    weeks=8,
    minimum=2,
)
@settings(max_examples=400)
def test_the_stall_span_says_what_is_stalled_says_on_every_later_day(
    at_stage, elsewhere, advanced, completed, threshold, later, weeks, minimum
):
    first = TODAY - timedelta(days=120)
    counted = [Rating(first + timedelta(days=d), 2, level) for d, level in at_stage] + [
        Rating(first + timedelta(days=d), 3, level) for d, level in elsewhere
    ]
    history = WorkHistory(
        working_stage=None if completed else 2,
        completed=completed,
        started_on=first,
        last_advanced_on=None if advanced is None else first + timedelta(days=advanced),
        established=True,
    )
    # Any day from the last rating on: a read before a rating works from the ratings.
    today = max((rating.day for rating in counted), default=first) + timedelta(days=later)
    verdict = is_stalled(
        history=history,
        ratings=counted,
        today=today,
        stall_weeks=weeks,
        threshold=threshold,
        minimum_ratings=minimum,
    )
    span = stall_span(
        at_stage=[(r.day, r.level) for r in counted if r.stage == history.working_stage],
        last_advanced_on=history.last_advanced_on,
        completed=completed,
        threshold=threshold,
    )
    start = today - timedelta(weeks=weeks)
    within = (
        span.start is not None
        and span.start <= start
        and len(span.ends) >= minimum
        and start < span.ends[minimum - 1]
    )
    assert verdict.stalled == within


def test_the_stall_span_of_a_stall_begins_when_the_best_recent_rating_falls_behind():
    def span_of(*rows):
        return stall_span(
            at_stage=[(rating.day, rating.level) for rating in ratings(*rows)],
            last_advanced_on=AT_TWO.last_advanced_on,
            completed=False,
            threshold=3.0,
        )

    span = span_of((100, 2, 2), (60, 2, 3), (30, 2, 2), (20, 2, 1))
    # The 3 sixty days ago must leave the window before the rest can be a stall.
    assert span.start == TODAY - timedelta(days=60)
    assert span.ends == [TODAY - timedelta(days=d) for d in (20, 30, 60, 100)]
    assert span_of((100, 2, 3)).start is None
    # Stored days are ISO text: the same span, as text.
    text = stall_span(
        at_stage=[(day.isoformat(), level) for day, level in [(TODAY, 2.0), (LONG_AGO, 2.0)]],
        last_advanced_on=None,
        completed=False,
        threshold=3.0,
    )
    assert text == (LONG_AGO.isoformat(), [TODAY.isoformat(), LONG_AGO.isoformat()])
