"""How demo students move along a trajectory: rating sequences, school days and feedback.

The sequences are written for the default mastery policy (decaying average,
rate 0.65, two ratings, mastery at 3): a stage is mastered when its run ends
with an Advanced rating, and a run with no 4 that is not all 3s never reaches 3.
"""

import random
import re
from datetime import date, datetime, time, timedelta
from enum import Enum

from django.utils import timezone


class Pace(Enum):
    FAST = "fast"  # masters two stages in the half-year
    STEADY = "steady"  # masters one stage and starts the next
    SLOW = "slow"  # still developing the stage they started on
    STALLED = "stalled"  # stuck at Developing on one stage for months
    SPARSE = "sparse"  # arrived recently: hardly any evidence yet


# Two quick ratings at the stage below where a student starts, early in the window,
# so the stages beneath it count as mastered (a higher stage implies the lower ones).
PLACEMENT_RUNS = ((3, 3), (3, 4), (4, 3), (4, 4))
MASTERY_FINISHES = ((4,), (3, 4), (4, 3), (4, 4))

WINDOW_DAYS = 182


def _growing(rng: random.Random, count: int) -> list[int]:
    """Levels rising from Beginning or Developing, with the dips real work has; never a 4."""
    level = rng.choice((1, 2, 2))
    levels = []
    for _ in range(count):
        levels.append(level)
        step = rng.random()
        if step < 0.45:
            level = min(level + 1, 3)
        elif step < 0.55:
            level = max(level - 1, 1)
    return levels


def _mastered(rng: random.Random) -> list[int]:
    levels = _growing(rng, rng.randint(3, 6))
    if levels[-1] == 1:  # a Beginning right before the finish would pull the value under 3
        levels.append(2)
    return levels + list(rng.choice(MASTERY_FINISHES))


def _stalled(rng: random.Random) -> list[int]:
    levels = [2] * rng.randint(8, 12)
    levels[rng.randrange(1, 3)] = 1
    # One good piece in the first half; Developing ever since, which pace reads as stalled.
    levels[rng.randrange(3, len(levels) // 2)] = 3
    return levels


def rating_path(rng: random.Random, pace: Pace, start: int, top: int) -> list[tuple[int, int]]:
    """(stage, level) pairs in the order the work was done, starting at stage `start`."""
    if pace is Pace.SPARSE:
        return [(start, rng.choice((1, 2, 2, 3)))]
    steps = [(start - 1, level) for level in rng.choice(PLACEMENT_RUNS)] if start > 1 else []
    if pace is Pace.STALLED:
        return steps + [(start, level) for level in _stalled(rng)]
    stage = start
    for _ in range({Pace.FAST: 2, Pace.STEADY: 1, Pace.SLOW: 0}[pace]):
        if stage > top:
            break
        steps += [(stage, level) for level in _mastered(rng)]
        stage += 1
    if stage <= top:
        count = rng.randint(6, 10) if pace is Pace.SLOW else rng.randint(2, 5)
        steps += [(stage, level) for level in _growing(rng, count)]
    return steps


def _on_break(day: date) -> bool:
    """Summer (21 June – 24 August) and winter (21 December – 2 January) breaks."""
    month_day = (day.month, day.day)
    return (6, 21) <= month_day <= (8, 24) or month_day >= (12, 21) or month_day <= (1, 2)


def school_days(today: date, span: int = WINDOW_DAYS) -> list[date]:
    """Weekdays outside the breaks in the `span` days before `today`, oldest first."""
    days = (today - timedelta(days=back) for back in range(span, 0, -1))
    return [day for day in days if day.weekday() < 5 and not _on_break(day)]


def spread_over(rng: random.Random, days: list[date], count: int) -> list[date]:
    """`count` days spread across `days`: one from each of `count` equal slices, in order."""
    return [
        rng.choice(days[k * len(days) // count : (k + 1) * len(days) // count])
        for k in range(count)
    ]


def during_school(rng: random.Random, day: date) -> datetime:
    moment = time(rng.randint(8, 14), rng.choice((0, 15, 30, 45)))
    return timezone.make_aware(datetime.combine(day, moment))


_SECOND_PERSON = {
    "I am": "you are",
    "I have": "you have",
    "I": "you",
    "my": "your",
    "mine": "yours",
    "me": "you",
    "our": "your",
    "we": "you",
}
_FIRST_PERSON = re.compile(r"\b(" + "|".join(_SECOND_PERSON) + r")\b")


def _phrase(statement: str) -> str:
    """'I can give my reasons.' → 'give my reasons'."""
    return statement.removeprefix("I can ").rstrip(".")


def _you(statement: str) -> str:
    """'I can give my reasons.' → 'give your reasons'."""
    return _FIRST_PERSON.sub(lambda match: _SECOND_PERSON[match.group(0)], _phrase(statement))


PRESENT = {
    4: (
        "Beyond the stage: you {x}, and you do it with confidence.",
        "Confident and consistent: you {x}.",
    ),
    3: (
        "You {x}.",
        "This piece shows you can {x}.",
        "Clear evidence that you can {x}.",
    ),
    2: (
        "You are starting to {x}; it shows in parts of this piece.",
        "In places you {x}, but not yet all the way through.",
        "Getting there: parts of this work show you can {x}.",
    ),
    1: (
        "A first try: we talked together about how to {x}.",
        "You have made a start; with support you began to {x}.",
    ),
}
NEXT_STAGE = ("Ready for the next step: {y}.", "Next stage: try to {y}.")
STAY = ("Next: {y}.", "Next time, try to {y}.", "Keep working on this: {y}.")
TOP = "Keep it up: try this in a longer piece or a new kind of task."


def teacher_feedback(
    rng: random.Random, level: int, statements: list[str], next_statements: list[str]
) -> tuple[str, str]:
    """What is present and what is needed next, built from the stage's evidence statements."""
    shown = rng.choice(statements)
    present = rng.choice(PRESENT[level]).format(x=_you(shown))
    if level >= 3:
        if not next_statements:
            return present, TOP
        return present, rng.choice(NEXT_STAGE).format(y=_you(next_statements[0]))
    others = [statement for statement in statements if statement != shown] or statements
    return present, rng.choice(STAY).format(y=_you(rng.choice(others)))


def self_feedback(rng: random.Random, level: int, statements: list[str]) -> tuple[str, str]:
    """A student's own words about their work, in the first person."""
    shown, wanted = rng.sample(statements, 2) if len(statements) > 1 else statements * 2
    if level >= 3:
        present = f"I think I can {_phrase(shown)} now."
    else:
        present = f"I can {_phrase(shown)} sometimes, but not every time."
    return present, f"Next I want to {_phrase(wanted)}."
