"""Playlist unlock rules: open, after the previous item, after mastery of given stages (of
any competency); an item that opened stays open."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proficio.engine.unlock import AFTER_MASTERY, AFTER_PREVIOUS, OPEN, Item, item_states

W1_3, W1_4, MP1_2 = ("W1", 3), ("W1", 4), ("MP1", 2)


def opened(states) -> list[bool]:
    return [state.open for state in states]


def test_an_open_item_is_open_from_the_start():
    assert opened(item_states([Item("a")], mastered=set(), done=set())) == [True]


def test_after_previous_waits_for_the_item_before_it():
    items = [Item("a"), Item("b", AFTER_PREVIOUS), Item("c", AFTER_PREVIOUS)]
    assert opened(item_states(items, mastered=set(), done=set())) == [True, False, False]
    assert opened(item_states(items, mastered=set(), done={"a"})) == [True, True, False]
    states = item_states(items, mastered=set(), done={"a", "b"})
    assert opened(states) == [True, True, True]
    assert states[1].done and not states[2].done


def test_the_first_item_after_previous_is_open():
    assert opened(item_states([Item("a", AFTER_PREVIOUS)], mastered=set(), done=set())) == [True]


def test_after_mastery_of_a_stage_in_another_competency():
    items = [Item("a", AFTER_MASTERY, frozenset({MP1_2}))]
    waiting = item_states(items, mastered={W1_3}, done=set(), stage_names={MP1_2: "MP1 stage 2"})
    assert opened(waiting) == [False]
    assert waiting[0].why == "Opens when MP1 stage 2 is mastered."
    assert opened(item_states(items, mastered={W1_3, MP1_2}, done=set())) == [True]


def test_after_mastery_needs_every_stage_it_names():
    items = [Item("a", AFTER_MASTERY, frozenset({W1_3, MP1_2}))]
    assert opened(item_states(items, mastered={W1_3}, done=set())) == [False]
    assert opened(item_states(items, mastered={W1_3, MP1_2}, done=set())) == [True]


def test_an_item_that_opened_stays_open_when_mastery_is_lost():
    items = [Item("a", AFTER_MASTERY, frozenset({W1_4}))]
    assert opened(item_states(items, mastered=set(), done=set(), ever_opened={"a"})) == [True]


def test_a_done_item_reads_as_open_and_done():
    items = [Item("a", AFTER_MASTERY, frozenset({W1_4}))]
    [state] = item_states(items, mastered=set(), done={"a"})
    assert state.open and state.done


@pytest.mark.parametrize("rule", ["sometimes", ""])
def test_an_unknown_rule_is_refused(rule):
    with pytest.raises(ValueError):
        Item("a", rule)


def test_after_mastery_names_a_stage():
    with pytest.raises(ValueError):
        Item("a", AFTER_MASTERY)


rules = st.sampled_from([OPEN, AFTER_PREVIOUS, AFTER_MASTERY])
stages = st.sampled_from([W1_3, W1_4, MP1_2])


@st.composite
def playlists(draw):
    count = draw(st.integers(1, 6))
    items = []
    for key in range(count):
        rule = draw(rules)
        needs = (
            frozenset(draw(st.sets(stages, min_size=1))) if rule == AFTER_MASTERY else frozenset()
        )
        items.append(Item(key, rule, needs))
    return items


@given(
    playlists(),
    st.sets(stages),
    st.sets(stages),
    st.sets(st.integers(0, 5)),
)
def test_more_mastery_or_more_done_never_closes_an_item(items, mastered, more, done):
    before = opened(item_states(items, mastered=mastered, done=done))
    after = opened(item_states(items, mastered=mastered | more, done=done | {0}))
    assert all(a or not b for a, b in zip(after, before, strict=True))


@given(playlists(), st.sets(stages), st.sets(st.integers(0, 5)))
def test_what_opened_once_stays_open_whatever_is_lost(items, mastered, done):
    first = item_states(items, mastered=mastered, done=done)
    ever = {state.key for state in first if state.open}
    later = item_states(items, mastered=set(), done=set(), ever_opened=ever)
    assert all(state.open for state in later if state.key in ever)
