"""When a playlist's items open for a student (DESIGN.md §2, Playlist; ADR 0034).

A playlist is an ordered list of items for one competency stage. Each item has one rule:

- `open`: open from the start;
- `after_previous`: open once the item before it is done (the first item is open);
- `after_mastery`: open once the student has mastered every stage it names, of any
  competency (a prerequisite elsewhere in the framework counts as much as one here).

An item the student has started stays open: they are never locked out of it because a later
rating took a prerequisite's mastery away. The caller passes the items started before
(`ever_opened`, from the student's progress); an item that opened but was never started
follows the rules as they stand.

Plain values in, plain values out: stages are any hashable key the caller chooses, e.g.
(competency id, stage ordinal).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from proficio.engine.words import _

OPEN = "open"
AFTER_PREVIOUS = "after_previous"
AFTER_MASTERY = "after_mastery"
RULES = (OPEN, AFTER_PREVIOUS, AFTER_MASTERY)


@dataclass(frozen=True)
class Item:
    """One item as the rules see it: its key, its rule, and for `after_mastery` the stages."""

    key: Hashable
    rule: str = OPEN
    needs: frozenset = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown unlock rule {self.rule!r}; expected one of {RULES}")
        if self.rule == AFTER_MASTERY and not self.needs:
            raise ValueError("an item opened after mastery names at least one stage")


@dataclass(frozen=True)
class ItemState:
    key: Hashable
    open: bool
    done: bool
    why: str  # what opened it, or what it waits for, in words


def item_states(
    items: Sequence[Item],
    *,
    mastered: frozenset | set,
    done: frozenset | set,
    ever_opened: frozenset | set = frozenset(),
    stage_names: dict | None = None,
) -> list[ItemState]:
    """Each item's state, in playlist order. `mastered`: the stages the student has mastered
    now; `done`: the keys of items they have done; `ever_opened`: keys of items that opened
    before (they stay open). `stage_names` words a stage key for `why`."""
    names = stage_names or {}
    states: list[ItemState] = []
    for position, item in enumerate(items):
        finished = item.key in done
        if item.key in ever_opened or item.rule == OPEN:
            opened, why = True, _("Open.")
        elif item.rule == AFTER_PREVIOUS:
            previous = items[position - 1] if position else None
            opened = previous is None or previous.key in done
            why = _("Open.") if opened else _("Opens when the item before it is done.")
        else:
            missing = [stage for stage in item.needs if stage not in mastered]
            opened = not missing
            if opened:
                why = _("Open.")
            else:
                words = ", ".join(sorted(str(names.get(stage, stage)) for stage in missing))
                if len(missing) == 1:
                    why = _("Opens when %(stages)s is mastered.") % {"stages": words}
                else:
                    why = _("Opens when %(stages)s are mastered.") % {"stages": words}
        states.append(ItemState(item.key, opened or finished, finished, why))
    return states
