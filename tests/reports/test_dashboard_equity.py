"""The dashboard's equity view never shows a group of fewer than ten students, nor a count of
1 to 9 students inside a shown group, nor a figure from which one could be worked out by
subtraction (the group's size and the all-students row are shown): crafted numbers, a
property over random ones, and a crafted roster through the page and its export."""

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from proficio.evidence.models import Evidence
from proficio.mastery.services import recompute_run_begin, recompute_run_execute
from proficio.people.models import Demographics, Person, Role, RoleAssignment
from proficio.reports.dashboard_equity import (
    COLUMNS,
    PARTITION,
    STALLED_SUPPORTED,
    STALLED_UNSUPPORTED,
    cells_hidden,
    suppress,
)
from proficio.reports.equity import MINIMUM_GROUP, SUBGROUPS, SUPPRESSED, TOTAL
from tests.mastery.varied import policy
from tests.reports.test_heatmap import graded

SEX = [group.key for group in SUBGROUPS["sex"]]


@pytest.fixture(autouse=True)
def _counted_afresh():
    cache.clear()
    yield
    cache.clear()  # female, male, other, not_reported


def counts_of(**rows: dict[str, int]) -> dict[str, dict[str, int]]:
    """Every group of "sex" with zeros where a row does not say."""
    return {key: {column: rows.get(key, {}).get(column, 0) for column in COLUMNS} for key in SEX}


def shown(line) -> dict[str, object]:
    return {column: line.cells[column].count for column in COLUMNS}


# ---- the rule on numbers -----------------------------------------------------------------------


def test_one_small_cell_takes_the_smallest_other_with_it():
    values = {("g", "a"): 12, ("g", "b"): 3, ("g", "c"): 20}
    hidden = cells_hidden(values, {("g", "b")}, [(None, list(values))])
    assert hidden == {("g", "a"), ("g", "b")}  # 3 alone could be worked out from the size


def test_two_small_cells_that_add_up_to_ten_are_enough():
    values = {("g", "a"): 4, ("g", "b"): 6, ("g", "c"): 20}
    assert cells_hidden(values, {("g", "a"), ("g", "b")}, [(None, list(values))]) == {
        ("g", "a"),
        ("g", "b"),
    }


def test_a_line_whose_total_is_hidden_gives_nothing_away():
    values = {("t", "a"): 5, ("g", "a"): 2, ("h", "a"): 3}
    hidden = cells_hidden(
        values, {("t", "a"), ("g", "a"), ("h", "a")}, [(("t", "a"), [("g", "a"), ("h", "a")])]
    )
    assert hidden == {("t", "a"), ("g", "a"), ("h", "a")}


def test_a_column_can_give_a_count_away_too():
    # Column "behind": 12 in all; female 9 (hidden), male 3 (hidden) add up to 12: fine. But
    # with male at 0, female's 9 would be the total less nothing: the total goes.
    values = {(TOTAL, "b"): 9, ("f", "b"): 9, ("m", "b"): 0}
    hidden = cells_hidden(
        values, {(TOTAL, "b"), ("f", "b")}, [((TOTAL, "b"), [("f", "b"), ("m", "b")])]
    )
    assert (TOTAL, "b") in hidden


def test_groups_then_cells():
    sizes = {"female": 25, "male": 22, "other": 3, "not_reported": 0}
    counts = counts_of(
        female={"ahead": 12, "on_pace": 10, "behind": 3, STALLED_UNSUPPORTED: 2},
        male={"ahead": 11, "on_pace": 11},
        other={"behind": 3},
    )
    rows, total = suppress("sex", sizes, counts)
    by = {line.group: line for line in rows}
    # "other" (3) is hidden, and male (the smallest shown) with it: 3 alone is the total less
    # the others.
    assert [by[key].shown for key in SEX] == [True, False, False, False]
    assert by["female"].students == 25 and total.students == 50
    # Female: behind 3 is hidden; so is on pace (10, the smallest other), so that ahead +
    # on pace + behind + not known cannot give the 3 back.
    assert shown(by["female"]) == {
        "ahead": 12,
        "on_pace": SUPPRESSED,
        "behind": SUPPRESSED,
        "unknown": 0,
        STALLED_SUPPORTED: 0,
        STALLED_UNSUPPORTED: SUPPRESSED,
    }
    # All students: behind is 6, hidden; ahead 23, on pace 21, not known 0 — and on pace's
    # column (21 less female's hidden 10 = male's 11) is safe; the row takes the smallest.
    assert shown(total)["behind"] is SUPPRESSED
    assert shown(total)["on_pace"] is SUPPRESSED
    assert shown(total)["ahead"] == 23
    # Shares of hidden counts are hidden too.
    assert by["female"].cells["behind"].share is SUPPRESSED
    assert by["female"].cells["ahead"].percent == 48


def test_fewer_than_ten_in_all_shows_nothing():
    rows, total = suppress(
        "sex",
        {"female": 5, "male": 4, "other": 0, "not_reported": 0},
        counts_of(female={"ahead": 5}, male={"ahead": 4}),
    )
    assert not total.shown and not any(line.shown for line in rows)
    assert all(cell.hidden for line in (*rows, total) for cell in line.cells.values())


@st.composite
def tables(draw):
    """Random group sizes over "sex", each group's students split over the pace columns,
    and some of them stalled (with or without a support)."""
    sizes, counts = {}, {}
    for key in SEX:
        size = draw(st.integers(0, 40))
        cuts = sorted(draw(st.lists(st.integers(0, size), min_size=3, max_size=3)))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, size], strict=True)]
        stalled = draw(st.integers(0, size))
        supported = draw(st.integers(0, stalled))
        sizes[key] = size
        counts[key] = {
            **dict(zip(PARTITION, parts, strict=True)),
            STALLED_SUPPORTED: supported,
            STALLED_UNSUPPORTED: stalled - supported,
        }
    return sizes, counts


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_count_under_ten_is_shown_or_can_be_worked_out(table):
    sizes, counts = table
    rows, total = suppress("sex", sizes, counts)
    lines = {line.group: line for line in (*rows, total)}
    all_counts = {**counts, TOTAL: {c: sum(counts[k][c] for k in SEX) for c in COLUMNS}}
    for line in lines.values():
        for column, cell in line.cells.items():
            assert cell.hidden or cell.count == 0 or cell.count >= MINIMUM_GROUP
            if not cell.hidden:
                assert cell.count == all_counts[line.group][column]
        if line.shown:
            assert line.students >= MINIMUM_GROUP
            # A shown group's size less its shown pace counts: 0 or at least ten.
            hidden = sum(all_counts[line.group][c] for c in PARTITION if line.cells[c].hidden)
            assert hidden == 0 or hidden >= MINIMUM_GROUP
    for column in COLUMNS:
        if lines[TOTAL].cells[column].hidden:
            continue
        hidden = sum(counts[key][column] for key in SEX if lines[key].cells[column].hidden)
        assert hidden == 0 or hidden >= MINIMUM_GROUP


# ---- a crafted roster through the page ---------------------------------------------------------


def _students(world, competency, specs) -> None:
    """Students of North from (sex, age-grade, [(stage, level)]) specs, their demographics,
    ratings and mastery."""
    start = Person.objects.count()
    people = Person.objects.bulk_create(
        Person(
            username=f"eq{start + n}",
            first_name="Equity",
            last_name=f"Student {start + n:04d}",
            password="!",
            district=world.district,
            age_grade=grade,
            uuid=uuid.uuid4(),
        )
        for n, (_sex, grade, _ratings) in enumerate(specs)
    )
    people = list(
        Person.objects.filter(username__in=[p.username for p in people]).order_by("username")
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(person=p, role=Role.STUDENT, district=world.district, school=world.school)
        for p in people
    )
    Demographics.objects.bulk_create(
        Demographics(person=p, sex=sex)
        for p, (sex, _grade, _ratings) in zip(people, specs, strict=True)
    )
    now = timezone.now()
    Evidence.objects.bulk_create(
        Evidence(
            student=person,
            competency=competency,
            stage=competency.stages.get(ordinal=stage),
            level=Decimal(level),
            observed_at=now - timedelta(days=5),
            source="observation",
            assessor=world.teacher,
        )
        for person, (_sex, _grade, ratings) in zip(people, specs, strict=True)
        for stage, level in ratings
    )
    recompute_run_execute(run=recompute_run_begin(district=world.district))


AHEAD = (3, [(1, 3)])  # grade 3 expects stage 1; stage 1 mastered: works at stage 2
ON_PACE = (3, [(1, 2)])
BEHIND = (5, [(1, 2)])  # grade 5 expects stage 3


@pytest.fixture
def crafted(world):
    """North: 12 girls ahead and 3 behind, 14 boys on pace, with the world's two girls and
    one boy (not rated: pace not known). South's far student, not reported, not rated."""
    policy(world, "latest", minimum_evidence=1)
    competency = graded(world, "G1", stages=4)
    _students(
        world,
        competency,
        [("female", *AHEAD)] * 12 + [("female", *BEHIND)] * 3 + [("male", *ON_PACE)] * 14,
    )
    Demographics.objects.bulk_create(
        [
            Demographics(person=world.student, sex="female"),
            Demographics(person=world.classmate, sex="female"),
            Demographics(person=world.other_student, sex="male"),
        ]
    )
    return world, competency


def _export(client, **query) -> list[list[str]]:
    response = client.get(reverse("reports:dashboard_equity"), {"format": "csv", **query})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_crafted_roster_by_sex(crafted):
    world, competency = crafted
    client = Client()
    client.force_login(world.school_admin)
    rows = _export(client, by="sex", competency=str(competency.uuid))
    header, *body = rows
    assert header[:4] == ["Sex", "Students", "Ahead", "Ahead (%)"]
    table = {row[0]: row[1:] for row in body}
    assert table["Female"][0] == "17" and table["Male"][0] == "15"
    assert table["Other"][0] == table["Not reported"][0] == "*"
    # Female: 12 ahead, 0 on pace, 3 behind, 2 not known — the 3 and the 2 are hidden, and
    # the 12 with them, which would give back their sum. Male: 14 on pace, 1 not known.
    assert table["Female"][1::2] == ["*", "0", "*", "*", "0", "0"]
    assert table["Male"][1::2] == ["0", "*", "0", "*", "0", "0"]
    assert table["All students"][0] == "32"
    for row in body:
        for value in [row[1], *row[2::2]]:  # the sizes and counts, not the shares
            assert value == "*" or int(value) == 0 or int(value) >= MINIMUM_GROUP
    page = client.get(
        reverse("reports:dashboard_equity"), {"by": "sex", "competency": str(competency.uuid)}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "not drawn: a figure is suppressed" in html
    assert "* Not shown: a group of fewer than 10 students" in html


def test_every_grouping_opens(crafted):
    world, _competency = crafted
    client = Client()
    client.force_login(world.district_admin)
    for by in ("sex", "race", "ethnicity", "race_ethnicity", "nonsense"):
        response = client.get(reverse("reports:dashboard_equity"), {"by": by})
        assert response.status_code == 200
    rows = _export(client, by="race")
    # Nobody's race is held: every student of the district is "not reported".
    assert [row[1] for row in rows[1:]] == ["*"] * 6 + ["33", "33"]
