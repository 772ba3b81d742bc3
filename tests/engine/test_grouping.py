"""Flexible group suggestions: the same working stage only, within the sizes, across
sections and ages."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proficio.engine.grouping import suggest_groups


def test_students_at_the_same_stage_are_grouped_and_split_within_the_sizes():
    working = {f"s{n}": 2 for n in range(7)} | {"a": 3, "b": 3, "c": 3} | {"lone": 5}
    groups, left_out = suggest_groups(working, minimum=3, maximum=4)

    assert [(g.stage, len(g.students)) for g in groups] == [(2, 4), (2, 3), (3, 3)]
    assert left_out == ["lone"]


def test_when_no_split_fits_full_groups_are_made_and_the_few_over_left_out():
    groups, left_out = suggest_groups({n: 1 for n in range(5)}, minimum=3, maximum=4)
    assert [len(g.students) for g in groups] == [4] and left_out == [4]


def test_sizes_must_make_sense():
    with pytest.raises(ValueError):
        suggest_groups({}, minimum=4, maximum=3)


def test_a_stage_mixes_sections_and_ages():
    # Keys carry (section, age): the suggestion groups by stage alone.
    working = {("Birch", 9, "ana"): 3, ("Willow", 12, "ben"): 3, ("Osprey", 10, "cy"): 3}
    [group], _ = suggest_groups(working, minimum=3, maximum=6)
    assert {key[0] for key in group.students} == {"Birch", "Willow", "Osprey"}
    assert {key[1] for key in group.students} == {9, 12, 10}


@given(
    st.dictionaries(st.integers(0, 300), st.integers(1, 6), max_size=120),
    st.integers(1, 5),
    st.integers(0, 6),
)
def test_every_group_is_one_stage_within_sizes_and_nobody_is_lost(working, minimum, spread):
    maximum = minimum + spread
    groups, left_out = suggest_groups(working, minimum=minimum, maximum=maximum)
    placed = [student for group in groups for student in group.students]
    assert sorted(placed + left_out) == sorted(working)
    for group in groups:
        assert {working[student] for student in group.students} == {group.stage}
        assert minimum <= len(group.students) <= maximum
