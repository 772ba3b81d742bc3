"""A section's gradebook shows its course's competencies; a toggle shows the district's."""

import re

import pytest
from django.urls import reverse

from proficio.frameworks.services import course_create
from proficio.people.services import section_create, section_enroll
from tests.mastery.test_pace import graded_competency

pytestmark = pytest.mark.django_db


def heads_of(html: str) -> list[str]:
    return re.findall(r'<span class="gradebook__code">([^<]+)</span>', html)


def gradebook(client, section, **query) -> str:
    response = client.get(reverse("mastery:gradebook", args=[section.uuid]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_competency_shows_only_in_the_sections_of_a_course_that_targets_it(client, world):
    speaking = graded_competency(world, "SL1")
    writing_course = course_create(
        district=world.district,
        code="WS5",
        title="Writing Studio 5",
        targets=[(world.competency, 2)],
    )
    speaking_course = course_create(
        district=world.district, code="SP5", title="Speaking 5", targets=[(speaking, 3)]
    )
    world.section.course = writing_course
    world.section.save()
    speaking_section = section_create(
        school=world.school,
        name="Speaking studio",
        course=speaking_course,
        teachers=[world.teacher],
    )
    section_enroll(section=speaking_section, student=world.student)
    client.force_login(world.teacher)

    writing = gradebook(client, world.section)
    assert heads_of(writing) == [world.competency.code]
    assert "Showing the competency Writing Studio 5 targets." in writing
    everything = gradebook(client, world.section, all="1")
    assert set(heads_of(everything)) >= {world.competency.code, speaking.code}
    assert '<input type="hidden" name="all" value="1">' in everything
    assert "Show only the one this course targets" in everything
    assert heads_of(gradebook(client, speaking_section)) == [speaking.code]


def test_a_section_without_a_course_shows_every_competency(client, world):
    speaking = graded_competency(world, "SL1")
    client.force_login(world.teacher)
    html = gradebook(client, world.section)
    assert {world.competency.code, speaking.code} <= set(heads_of(html))
    assert "course-columns" not in html
