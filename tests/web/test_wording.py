"""How mastery reads on a page: growth language, and numbers that never round into a verdict."""

import pytest
from django.urls import reverse

from proficio.mastery.presenters import level_reached, progress_phrase, result_text
from proficio.mastery.selectors import StageStatus, student_mastery

pytestmark = pytest.mark.django_db


def stage_status(world, value, mastered):
    return StageStatus(
        stage=world.competency.stages.first(),
        value=value,
        mastered=mastered,
        implied=False,
        sufficient=True,
        evidence_count=7,
        explanation="",
    )


def status_of(world):
    _, statuses = student_mastery(user=world.teacher, student_id=str(world.student.uuid))
    return statuses[0]


def test_an_unmastered_value_never_rounds_up_to_the_mastery_level(world):
    assert result_text(stage_status(world, 2.998, mastered=False), world.scale.mastery_value) == (
        "2.998"
    )


def test_a_mastered_value_reads_rounded(world):
    assert result_text(stage_status(world, 2.9999999999, mastered=True), 3) == "3"
    assert result_text(stage_status(world, 2.345, mastered=False), 3) == "2.35"


def test_a_computed_value_reads_as_the_level_it_has_reached(world):
    levels = list(world.scale.levels.all())
    assert level_reached(levels, 2.65).label == "Developing"
    assert level_reached(levels, 2.9999999999).label == "Proficient"
    assert level_reached(levels, 0.5).label == "Beginning"


def test_progress_phrase_before_any_rating(world):
    assert progress_phrase(status_of(world)) == "Starting at stage 1 of 3 — no ratings yet"


def test_progress_phrase_is_honest_about_too_little_evidence(world, rate):
    rate(level=2)
    assert progress_phrase(status_of(world)) == (
        "Developing at stage 1 of 3 — not enough evidence yet"
    )


def test_progress_phrase_after_moving_up_a_stage(world, rate):
    rate(level=3, days_ago=3)
    rate(level=3, days_ago=2)
    assert progress_phrase(status_of(world)) == (
        "Working at stage 2 of 3 — no ratings at this stage yet"
    )


def test_progress_phrase_when_every_stage_is_mastered(world, rate):
    rate(stage=3, level=4, days_ago=2)
    rate(stage=3, level=4, days_ago=1)
    assert progress_phrase(status_of(world)) == "Completed all 3 stages"


def test_the_stage_list_shows_the_unrounded_value_beside_not_yet(client, world, rate):
    rate(level=2, days_ago=20)
    for days_ago in range(12, 6, -1):
        rate(level=3, days_ago=days_ago)  # decaying average creeps to 2.998, just below 3
    client.force_login(world.teacher)
    url = reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])
    content = client.get(url).content.decode()
    assert "Result 2.998 from 7 ratings" in content
