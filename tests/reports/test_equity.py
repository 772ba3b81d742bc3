"""Equity views never show a group of fewer than ten students: not its size, not a figure over
it, and not one that subtracting the shown groups from the total would give (complementary
suppression). Crafted rosters, in memory and imported through OneRoster demographics.csv."""

import random
from collections.abc import Sequence

import pytest

from proficio.interop.oneroster.writer import import_oneroster
from proficio.people.api import StudentDemographics, demographics_of
from proficio.people.models import Person
from proficio.reports.equity import (
    MINIMUM_GROUP,
    NOT_REPORTED,
    SUBGROUPS,
    SUPPRESSED,
    EquityTable,
    GroupRow,
    equity_table,
    groups_of,
    hidden_groups,
    subgroup_of,
    suppressed,
    suppression_note,
)
from tests.interop.demographics_support import Student, crafted_roster

FEMALE = StudentDemographics(sex="female")
MALE = StudentDemographics(sex="male")
UNSPECIFIED = StudentDemographics(sex="unspecified")


def roster(
    *groups: tuple[StudentDemographics | None, int],
) -> tuple[list[int], dict[int, StudentDemographics]]:
    """Students (ids from 1), `count` of each demographics given (None: nothing held)."""
    students: list[int] = []
    held: dict[int, StudentDemographics] = {}
    for demographics, count in groups:
        for _ in range(count):
            students.append(len(students) + 1)
            if demographics is not None:
                held[students[-1]] = demographics
    return students, held


def sizes_of(table: EquityTable) -> dict[str, object]:
    return {row.group: row.students for row in table.rows}


class Measure:
    """A figure per group (how many of its students have an even id), remembering every group
    it was asked about."""

    def __init__(self) -> None:
        self.asked: list[tuple[int, ...]] = []

    def __call__(self, students: Sequence[int]) -> dict[str, int]:
        self.asked.append(tuple(students))
        return {"even": sum(1 for student in students if student % 2 == 0)}


def test_25_students_12_female_9_male_4_not_reported():
    students, held = roster((FEMALE, 12), (MALE, 9), (None, 2), (UNSPECIFIED, 2))
    measure = Measure()

    table = equity_table(students, held, by="sex", measure=measure)

    assert sizes_of(table) == {
        "female": 12,
        "male": SUPPRESSED,
        "other": SUPPRESSED,
        NOT_REPORTED: SUPPRESSED,
    }
    assert table.total.students == 25 and table.total.figures == {"even": 12}
    assert table.rows[0].figures == {"even": 6}
    assert table.rows[1].figures == {"even": SUPPRESSED}
    assert sorted(map(len, measure.asked)) == [12, 25], "a hidden group is never measured"
    assert table.suppressing and str(SUPPRESSED) == "*"
    assert "fewer than 10 students" in suppression_note()


def test_one_small_group_takes_the_next_smallest_with_it():
    # 3 not reported alone would be 25 - 12 - 10; the 10 boys are suppressed beside them.
    students, held = roster((FEMALE, 12), (MALE, 10), (None, 3))

    table = equity_table(students, held, by="sex")

    assert sizes_of(table) == {
        "female": 12,
        "male": SUPPRESSED,
        "other": SUPPRESSED,
        NOT_REPORTED: SUPPRESSED,
    }
    assert table.total.students == 25


def test_small_groups_that_together_are_fewer_than_ten_take_a_shown_one_with_them():
    # 3 boys and 4 not reported: 25 - 18 would give a figure over 7 students.
    students, held = roster((FEMALE, 18), (MALE, 3), (None, 4))

    table = equity_table(students, held, by="sex", measure=Measure())

    assert all(not row.shown for row in table.rows)
    assert table.total.students == 25 and table.total.figures == {"even": 12}


def test_no_group_is_shown_when_the_students_are_fewer_than_ten():
    students, held = roster((FEMALE, 9))
    measure = Measure()

    table = equity_table(students, held, by="sex", measure=measure)

    assert not table.total.shown and all(not row.shown for row in table.rows)
    assert measure.asked == []


def test_every_group_large_enough_is_shown_and_empty_groups_are_not_told():
    students, held = roster((FEMALE, 15), (MALE, 10))

    table = equity_table(students, held, by="sex")

    assert sizes_of(table) == {
        "female": 15,
        "male": 10,
        "other": SUPPRESSED,
        NOT_REPORTED: SUPPRESSED,
    }


def test_race_is_read_alone_or_as_two_or_more_and_every_student_falls_in_one_group():
    def race(**flags) -> StudentDemographics:
        return StudentDemographics(**flags)

    assert subgroup_of(race(white=True, asian=False), by="race") == "white"
    assert subgroup_of(race(white=True, asian=True), by="race") == "two_or_more_races"
    assert subgroup_of(race(two_or_more_races=True), by="race") == "two_or_more_races"
    assert subgroup_of(race(white=False, asian=False), by="race") == NOT_REPORTED
    assert subgroup_of(None, by="race") == NOT_REPORTED
    hispanic_white = race(white=True, hispanic_or_latino=True)
    assert subgroup_of(hispanic_white, by="ethnicity") == "hispanic_or_latino"
    assert subgroup_of(hispanic_white, by="race_ethnicity") == "hispanic_or_latino"
    assert subgroup_of(race(asian=True, hispanic_or_latino=False), by="race_ethnicity") == "asian"
    assert subgroup_of(race(hispanic_or_latino=False), by="ethnicity") == "not_hispanic_or_latino"
    assert subgroup_of(StudentDemographics(sex="other"), by="sex") == "other"

    held = {1: hispanic_white, 2: race(asian=True), 4: race(black_or_african_american=True)}
    groups = groups_of([1, 2, 3, 4, 2], held, by="race")
    assert list(groups) == [group.key for group in SUBGROUPS["race"]]
    assert groups["white"] == (1,) and groups["asian"] == (2,)
    assert groups[NOT_REPORTED] == (3,), "a student is counted once"
    with pytest.raises(ValueError):
        groups_of([1], held, by="shoe size")


def test_suppressed_hides_the_same_groups_in_a_table_aggregated_elsewhere():
    rows = (
        GroupRow("female", "Female", 12, {"mastered": 40}),
        GroupRow("male", "Male", 9, {"mastered": 21}),
        GroupRow("other", "Other", 0, {"mastered": 0}),
        GroupRow(NOT_REPORTED, "Not reported", 4, {"mastered": 7}),
    )
    table = EquityTable("sex", rows, GroupRow("total", "All", 25, {"mastered": 68}))

    shown = suppressed(table)

    assert [row.students for row in shown.rows] == [12, SUPPRESSED, SUPPRESSED, SUPPRESSED]
    assert [row.figures["mastered"] for row in shown.rows] == [40, *[SUPPRESSED] * 3]
    assert shown.total.figures == {"mastered": 68}
    with pytest.raises(ValueError):
        suppressed(shown)  # sizes only
    with pytest.raises(ValueError):
        suppressed(EquityTable("sex", rows, GroupRow("total", "All", 30)))  # not a partition


def test_no_random_table_lets_a_small_group_be_seen_or_worked_out():
    chance = random.Random(16)
    for _ in range(3000):
        groups = [f"g{n}" for n in range(chance.randint(1, 8))]
        sizes = {group: chance.choice([0, 0, 1, 2, 5, 9, 10, 11, 14, 30]) for group in groups}
        hidden = hidden_groups(sizes)
        total = sum(sizes.values())
        shown = [group for group in groups if group not in hidden]
        if total < MINIMUM_GROUP:
            assert hidden == set(groups)
            continue
        assert all(sizes[group] >= MINIMUM_GROUP for group in shown), sizes
        holding = [sizes[group] for group in hidden if sizes[group]]
        # What subtraction finds is nothing, or a figure over two groups and ten students.
        assert not holding or (len(holding) >= 2 and sum(holding) >= MINIMUM_GROUP), sizes
        # Nothing is hidden without need: without a small group, every group that holds
        # students is shown.
        if not any(0 < sizes[group] < MINIMUM_GROUP for group in groups):
            assert not holding, sizes


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_crafted_roster_imported_from_oneroster_never_shows_a_group_under_ten(tmp_path, version):
    white, asian, black = ("white",), ("asian",), ("blackOrAfricanAmerican",)
    students = (
        [Student(sex="female", races=white)] * 7
        + [Student(sex="female", races=asian)] * 5
        + [Student(sex="male", races=asian)] * 5
        + [Student(sex="male", races=black)] * 2
        + [Student(sex="male", races=white + asian)] * 2
        + [Student(sex="", races=white, hispanic="true")] * 3
        + [Student(listed=False)]
    )
    package = crafted_roster(tmp_path / "crafted", students, version=version)
    import_oneroster(package)
    ids = list(
        Person.objects.filter(sourced_id__startswith="u-s-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    held = demographics_of(ids)
    assert len(ids) == 25 and len(held) == 24

    by_sex = equity_table(ids, held, by="sex", measure=Measure())
    assert sizes_of(by_sex) == {
        "female": 12,
        "male": SUPPRESSED,  # 9
        "other": SUPPRESSED,
        NOT_REPORTED: SUPPRESSED,  # 4: 3 left blank, 1 not in the file
    }
    by_race = equity_table(ids, held, by="race")
    # white 10, asian 10, black 2, two or more 2, not reported 1: the three small ones
    # together are 5, so the smallest shown (asian, the first of the tens) goes too.
    assert sizes_of(by_race) == {
        "american_indian_or_alaska_native": SUPPRESSED,
        "asian": SUPPRESSED,
        "black_or_african_american": SUPPRESSED,
        "native_hawaiian_or_other_pacific_islander": SUPPRESSED,
        "white": 10,
        "two_or_more_races": SUPPRESSED,
        NOT_REPORTED: SUPPRESSED,
    }
    for by in SUBGROUPS:
        table = equity_table(ids, held, by=by)
        assert all(row.students >= MINIMUM_GROUP for row in table.rows if row.shown), by
        hidden = table.total.students - sum(row.students for row in table.rows if row.shown)
        assert hidden == 0 or hidden >= MINIMUM_GROUP, by
