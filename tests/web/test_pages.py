"""What the pages say: gradebook cells, the student's trajectory, as-of, the guardian's summary,
signing in and out, and the layout around them."""

import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from proficio.mastery.services import evidence_record
from proficio.people.services import person_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def gradebook_of(client, world):
    client.force_login(world.teacher)
    return client.get(reverse("mastery:gradebook", args=[world.section.uuid])).content.decode()


def test_gradebook_lists_students_by_competency_with_honest_empty_cells(client, world):
    content = gradebook_of(client, world)
    assert "Student Tester" in content and "Classmate Tester" in content
    assert "W1" in content
    assert content.count("no ratings yet") == 2
    assert 'id="panel"' in content


def test_gradebook_cell_shows_where_the_stage_stands_and_the_latest_rating_beside_it(
    client, world, rate
):
    """A 1 then a 3 at stage 1: a decaying average of 2.21, Developing, though the latest
    rating is a 3. The cell's colour and words are the stage's; the 3 is a detail."""
    rate(level=1, days_ago=3)
    rate(level=3, days_ago=1)
    content = gradebook_of(client, world)
    cell = re.search(r'<a id="cell-[^"]+" class="cell cell--working"[^>]*>(.*?)</a>', content)
    words = re.sub(r"<[^>]+>", "", cell.group(1))
    assert "S1 · Developing latest 3" in " ".join(words.split())
    assert 'style="--level: #ef6c00"' in cell.group(0)  # Developing's colour, with its word


def test_gradebook_cell_reads_completed_once_every_stage_is_mastered(client, world, rate):
    rate(stage=3, level=3, days_ago=2)
    rate(stage=3, level=4, days_ago=1)
    assert "Completed" in gradebook_of(client, world)


def test_gradebook_cell_opens_the_evidence_by_link_and_by_htmx(client, world):
    content = gradebook_of(client, world)
    url = reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])
    target = f"{url}?section={world.section.uuid}"
    assert f'href="{target}"' in content and f'hx-get="{target}"' in content


def test_student_page_draws_the_trajectory_and_the_next_step(client, world, rate):
    rate(level=3, days_ago=3, feedback_next="Try a counter-argument.")
    rate(level=3, days_ago=2)
    client.force_login(world.student)
    content = client.get(reverse("mastery:student", args=[world.student.uuid])).content.decode()
    assert '<ol class="progression"' in content
    assert 'aria-current="step"' in content
    assert "Working here" in content and "Mastered" in content
    assert "Where I am · what's next" in content
    assert "The student can do 2." in content  # the working stage's evidence statement
    assert "Try a counter-argument." in content
    assert "How was this worked out?" in content
    assert "Decaying average" in content  # the explanation of the stage-1 value
    assert "Record a rating" not in content  # a student reads; staff rate


def test_the_students_own_words_are_never_shown_as_the_teachers_feedback(client, world, rate):
    rate(level=2, days_ago=3, feedback_next="Try a counter-argument.")
    evidence_record(
        assessor=world.student,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=2,
        observed_at=timezone.now() - timedelta(days=1),
        source="self",
        feedback_next="Next I want to use a quotation.",
    )
    url = reverse("mastery:student", args=[world.student.uuid])
    client.force_login(world.student)
    words = " ".join(client.get(url).content.decode().split())

    assert "Teacher's next step</span> Try a counter-argument." in words
    assert "You said</span> Next I want to use a quotation." in words
    assert "Latest feedback" not in words
    client.force_login(world.teacher)
    seen_by_teacher = " ".join(client.get(url).content.decode().split())
    assert f"{world.student.display_name} said</span> Next I want to use a quotation." in (
        seen_by_teacher
    )


def test_student_page_as_of_a_past_day_counts_only_work_observed_by_then(client, world, rate):
    rate(level=3, days_ago=10)
    rate(level=3, days_ago=2)
    client.force_login(world.teacher)
    url = reverse("mastery:student", args=[world.student.uuid])
    today = client.get(url).content.decode()
    back_then = client.get(
        url, {"as_of": (timezone.localdate() - timedelta(days=5)).isoformat()}
    ).content.decode()
    assert "Working here" in today and "stage 2 of 3" in today
    assert "Showing mastery as it stood" in back_then
    assert "stage 1 of 3" in back_then and "not enough evidence yet" in back_then


@pytest.mark.parametrize("bad", ["yesterday", "2024-02-30", "9999-01-01"])
def test_student_page_with_a_bad_as_of_says_so_and_shows_today(client, world, bad):
    client.force_login(world.student)
    response = client.get(reverse("mastery:student", args=[world.student.uuid]), {"as_of": bad})
    assert response.status_code == 200
    assert b"Showing today instead." in response.content
    assert b"Showing mastery as it stood" not in response.content


def test_staff_see_a_rating_link_on_the_student_page(client, world):
    client.force_login(world.teacher)
    content = client.get(reverse("mastery:student", args=[world.student.uuid])).content
    assert b"Record a rating" in content


def test_guardian_home_gives_one_plain_line_per_competency(client, world, rate):
    rate(level=2, feedback_next="Read one more source before Friday.")
    client.force_login(world.guardian)
    content = client.get(reverse("guardian_home")).content.decode()
    words = " ".join(content.split())
    assert "Student Tester" in content
    assert "<strong>Competency W1</strong>" in words
    assert "Developing at stage 1 of 3" in words
    # W1 has no typical grades, so whether the child is on track cannot be told yet.
    assert '<span class="track">Too early to tell</span>' in words
    assert "latest work" in words
    assert "From the teacher</span> Read one more source before Friday." in words
    assert "Teacher Tester" in words  # their teacher, to contact
    assert "Record a rating" not in content


def test_the_family_page_says_on_track_ahead_or_needs_support_in_words(client, world):
    from proficio.people.services import guardian_link
    from tests.mastery.test_pace import build_pace_world

    paced = build_pace_world(world)
    for child in (paced.stuck, paced.young, paced.growing):
        guardian_link(guardian=world.guardian, student=child)
    client.force_login(world.guardian)
    words = " ".join(client.get(reverse("guardian_home")).content.decode().split())

    for track, label in (
        ("needs_support", "Needs support"),
        ("ahead", "Ahead"),
        ("on_track", "On track"),
    ):
        assert f'<span class="track track--{track}">{label}</span>' in words


def test_guardian_reads_their_childs_page_without_a_rating_link(client, world):
    client.force_login(world.guardian)
    response = client.get(reverse("mastery:student", args=[world.student.uuid]))
    assert response.status_code == 200
    assert b"Record a rating" not in response.content


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in to Proficio" in response.content


def test_wrong_password_shows_an_error(client, world):
    response = client.post(reverse("login"), {"username": "teacher", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_right_password_signs_in_and_goes_home(client, world):
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")


def test_sign_out_is_a_post_and_returns_to_sign_in(client, world):
    client.force_login(world.teacher)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_layout_carries_product_district_person_nav_and_accessible_basics(client, world):
    client.force_login(world.teacher)
    content = client.get(reverse("home")).content.decode()
    assert "Proficio" in content and "Riverside" in content and "Teacher Tester" in content
    assert 'class="skip-link" href="#main"' in content and '<main id="main"' in content
    assert '<meta name="viewport"' in content
    assert "proficio/vendor/htmx.min.js" in content and " defer" in content
    assert "X-CSRFToken" in content
    assert 'aria-current="page">My sections' in content
    assert "Sign out" in content


def test_vendored_htmx_and_the_stylesheet_are_served():
    assert finders.find("proficio/vendor/htmx.min.js")
    assert finders.find("proficio/vendor/htmx.LICENSE")
    assert finders.find("proficio/app.css")


def test_server_error_page_renders_on_its_own_without_a_request():
    content = render_to_string("500.html")
    assert "Something went wrong on our side" in content
    assert "proficio/app.css" in content


def test_a_person_without_a_role_is_told_so_plainly(client, world):
    nobody = person_create(
        district=world.district, username="nobody", first_name="No", last_name="Role"
    )
    client.force_login(nobody)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"no role in a school yet" in response.content


def test_a_student_navigates_to_their_own_progress(client, world):
    client.force_login(world.student)
    content = client.get(reverse("mastery:student", args=[world.student.uuid])).content.decode()
    own = reverse("mastery:student", args=[world.student.uuid])
    assert f'<a href="{own}" aria-current="page">My progress</a>' in content
    assert "My sections" not in content
