"""Pace on the pages: badges in the gradebook, its filter, the student page, the evidence panel
and the teacher's "who is stalled" list — each for the people allowed to see it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proficio.people.services import guardian_link
from tests.mastery.test_pace import (
    PLACED,
    PaceWorld,
    build_pace_world,
    graded_competency,
    graded_student,
    rate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def paced(world) -> PaceWorld:
    return build_pace_world(world)


def text_of(html: str) -> str:
    """What a reader gets: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def page(client, user, url, **query) -> str:
    client.force_login(user)
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def cell_classes(html: str) -> list[str]:
    return [cell.group(1) for cell in re.finditer(r'class="cell ([^"]+)"', html)]


def gradebook_url(world) -> str:
    return reverse("mastery:gradebook", args=[world.section.uuid])


# gradebook


def test_every_badge_has_a_word_an_arrow_and_its_reason_on_hover(client, world, paced):
    content = page(client, world.teacher, gradebook_url(world))
    stalled = re.search(
        r'<span class="pace pace--stalled" title="([^"]+)">(.*?)</span></span>', content
    )
    assert stalled.group(1).startswith("Needs support: no new stage since")
    assert stalled.group(1).endswith("stage 3 is typical for grade 5 — on pace.")
    assert text_of(stalled.group(2)) == "‖Stalled"  # the standing is in the reason
    assert 'title="Working at stage 3; stage 2 is typical for grade 4 — ahead.">' in content
    assert "Pace: " in text_of(content)  # read out before the badge inside the cell's link


def test_chips_link_to_each_pace_without_counting_the_whole_section(client, world, paced):
    # Counting would compute every student's pace on every page; the chips only link.
    content = page(client, world.teacher, gradebook_url(world))
    assert "All students (6)" in text_of(content)
    for key in ("stalled", "behind", "on_pace", "ahead"):
        assert f'href="?pace={key}"' in content


def test_the_stalled_filter_keeps_only_stalled_students_and_their_competencies(
    client, world, paced
):
    content = page(client, world.teacher, gradebook_url(world), pace="stalled")
    assert "Stuck Pacer" in content
    for elsewhere in ("Growing Pacer", "Young Pacer", "Student Tester"):
        assert elsewhere not in content
    assert "Competency W1" not in content  # nobody is stalled there: no column for it
    assert 'href="?pace=stalled" aria-current="true"' in content
    assert "1 student with a competency marked “stalled”" in text_of(content)


def test_a_filtered_row_fades_the_cells_the_filter_did_not_pick(client, world, paced):
    second = graded_competency(world, "G2")
    rate(world, paced.growing, second, (20, 3, 4), (15, 3, 4), (10, 4, 2))  # ahead in G2 only
    content = page(client, world.teacher, gradebook_url(world), pace="ahead")
    rows = {
        row.group(1): row.group(0)
        for row in re.finditer(r"<tr>.*?>(\w+ Pacer)<.*?</tr>", content, re.S)
    }
    assert set(rows) == {"Young Pacer", "Growing Pacer"}
    # Young: ahead in G1, not rated in G2. Growing: on pace in G1, ahead in G2.
    assert cell_classes(rows["Young Pacer"]) == ["cell--working", "cell--empty cell--dimmed"]
    assert cell_classes(rows["Growing Pacer"]) == ["cell--working cell--dimmed", "cell--working"]


def test_an_unknown_filter_shows_every_student(client, world, paced):
    content = page(client, world.teacher, gradebook_url(world), pace="failing")
    assert "Stuck Pacer" in content and "Student Tester" in content
    assert "Showing the" not in content


def test_a_filter_that_picks_nobody_says_so_plainly(client, world):
    content = page(client, world.teacher, gradebook_url(world), pace="stalled")
    assert "No student in this section is marked “stalled” right now." in content
    assert 'href="?pace=stalled" aria-current="true"' in content


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher", 200),
        ("school_admin", 200),
        ("district_admin", 200),
        ("other_teacher", 404),
        ("other_district_teacher", 404),
        ("student", 404),
        ("guardian", 404),
    ],
)
def test_the_filtered_gradebook_opens_only_for_staff_serving_the_section(
    client, world, paced, who, status
):
    client.force_login(getattr(world, who))
    response = client.get(gradebook_url(world), {"pace": "stalled"})
    assert response.status_code == status
    if status == 200:
        assert "Stuck Pacer" in response.content.decode()


def test_a_rating_saved_in_the_panel_returns_its_cell_with_the_new_pace(client, world, paced):
    client.force_login(world.teacher)
    url = reverse("mastery:student_competency", args=[paced.stuck.uuid, paced.competency.uuid])
    response = client.post(
        f"{url}?section={world.section.uuid}",
        {
            "stage": "3",
            "level": "4",
            "observed_on": timezone.localdate().isoformat(),
            "source": "observation",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    cell = re.search(
        r'<a id="cell-[^"]+"[^>]*hx-swap-oob="true">.*?</a>', response.content.decode(), re.S
    )
    # The 4 masters stage 3 today: a new stage, so no stall, and stage 4 is beyond grade 5's.
    assert "pace--stalled" not in cell.group(0)
    assert "pace--ahead" in cell.group(0)


# student page and evidence panel


def student_url(student) -> str:
    return reverse("mastery:student", args=[student.uuid])


@pytest.mark.parametrize("who", ["teacher", "school_admin", "self", "guardian"])
def test_the_student_page_gives_a_pace_line_per_competency_to_whoever_may_see_it(
    client, world, paced, who
):
    guardian_link(guardian=world.guardian, student=paced.stuck)
    reader = paced.stuck if who == "self" else getattr(world, who)
    # A family reads a short page first; the whole page is one link away (?full=1).
    words = text_of(page(client, reader, f"{student_url(paced.stuck)}?full=1"))
    assert "‖Stalled Needs support: no new stage since" in words
    assert "→On pace Working at stage 3; stage 3 is typical for grade 5 — on pace." in words


def test_a_family_reads_a_short_page_in_plain_words_first(client, world, paced):
    guardian_link(guardian=world.guardian, student=paced.stuck)
    content = page(client, world.guardian, student_url(paced.stuck))
    words = text_of(content)
    assert "How Stuck Pacer is growing" in words
    assert '<span class="track track--needs_support">Needs support</span>' in content
    for jargon in ("Age-grade", "Counted as mastered", "Decaying average"):
        assert jargon not in words
    assert 'href="?full=1"' in content


def test_a_competency_without_typical_grades_shows_no_pace_at_all(client, world, paced):
    rate(world, paced.older, world.competency, (3, 1, 2))
    content = page(client, world.teacher, student_url(paced.older))
    w1 = content[content.index("Competency W1") :]
    assert "pace-line" not in w1.split('<article class="competency"')[0]
    assert content.count('class="pace-line"') == 1  # G1 only


def test_the_student_page_as_of_a_past_day_reads_pace_as_it_stood_then(client, world, paced):
    day = (timezone.localdate() - timedelta(days=15)).isoformat()
    words = text_of(page(client, world.teacher, student_url(paced.stuck), as_of=day))
    assert "both ratings at stage 3 in the last 6 weeks are below 3 (Proficient)" in words


def test_the_evidence_panel_explains_the_pace_of_its_cell(client, world, paced):
    url = reverse("mastery:student_competency", args=[paced.stuck.uuid, paced.competency.uuid])
    words = text_of(page(client, world.teacher, url, section=str(world.section.uuid)))
    assert "Needs support: no new stage since" in words


# the teacher's home


def test_the_teacher_home_lists_who_is_stalled_with_a_link_to_the_cell(client, world, paced):
    content = page(client, world.teacher, reverse("home"))
    words = text_of(content)
    assert "Who is stalled in my sections" in words
    assert "Stuck Pacer — G1 Graded trajectory" in words
    assert "Farstuck Pacer" not in words  # the other teacher's student
    cell = reverse("mastery:student_competency", args=[paced.stuck.uuid, paced.competency.uuid])
    assert f'href="{cell}?section={world.section.uuid}"' in content
    # The home counts every competency, so its link asks the filter for every one too.
    gradebook = f"{gradebook_url(world)}?pace=stalled&amp;all=1"
    assert f'href="{gradebook}">Studio A · 1 student stalled</a>' in content


def test_the_other_teacher_sees_only_their_own_stalled_student(client, world, paced):
    words = text_of(page(client, world.other_teacher, reverse("home")))
    assert "Farstuck Pacer" in words and "Stuck Pacer —" not in words


def test_a_teacher_with_nobody_stalled_is_told_so(client, world):
    words = text_of(page(client, world.teacher, reverse("home")))
    assert "Nobody in your sections is stalled right now." in words


def test_an_admin_who_teaches_no_section_gets_no_stalled_list(client, world, paced):
    words = text_of(page(client, world.school_admin, reverse("home")))
    assert "Who is stalled" not in words


def test_the_teacher_home_lists_five_stalled_per_section_and_links_to_the_rest(
    client, world, paced
):
    flat = [(70, 3, 2), (30, 3, 2), (20, 3, 1), (10, 3, 2)]
    for number in range(6):
        rate(world, graded_student(world, f"stuck{number}", 5), paced.competency, *PLACED, *flat)
    words = text_of(page(client, world.teacher, reverse("home")))
    assert "Studio A · 7 students stalled" in words
    assert words.count("G1 Graded trajectory") == 5
    assert "2 more: see them all in the gradebook" in words


def test_the_home_counts_students_as_the_gradebooks_filter_does(client, world, paced):
    """One student stalled on two competencies is one student, and two competencies."""
    other = graded_competency(world, "G2")
    flat = [(70, 3, 2), (30, 3, 2), (20, 3, 1), (10, 3, 2)]
    rate(world, paced.stuck, other, *PLACED, *flat)
    words = text_of(page(client, world.teacher, reverse("home")))
    assert "Studio A · 1 student stalled (2 competencies)" in words
    book = text_of(page(client, world.teacher, f"{gradebook_url(world)}?pace=stalled&all=1"))
    assert "1 student with a competency marked “stalled”" in book


def test_the_students_the_stalled_list_names_are_in_the_audit_trail(client, world, paced):
    from proficio.audit.models import AuditEntry

    page(client, world.teacher, reverse("home"))

    entries = AuditEntry.objects.filter(actor=world.teacher, action="students.listed")
    assert [entry.student for entry in entries] == [paced.stuck]
    assert entries.get().data == {"via": "home: stalled"}
