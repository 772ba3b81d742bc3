"""Courses in the pages: everyone reads them, district admins write their targets."""

import pytest
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Course
from proficio.frameworks.services import course_create
from tests.mastery.test_pace import graded_competency

pytestmark = pytest.mark.django_db


def target(competency) -> str:
    return f"target_{competency.pk}"


def test_an_admin_makes_a_course_and_its_sections_gradebook_shows_its_targets(client, world):
    speaking = graded_competency(world, "SL1")
    client.force_login(world.district_admin)
    assert client.get(reverse("frameworks:course_new")).status_code == 200

    response = client.post(
        reverse("frameworks:course_new"),
        {"code": "SP5", "title": "Speaking 5", "next_course": "", target(speaking): "3"},
    )

    course = Course.objects.get(code="SP5")
    assert response.status_code == 302
    assert [(t.stage.competency, t.stage.ordinal) for t in course.targets.all()] == [(speaking, 3)]
    assert AuditEntry.objects.get(action="course.written").data["targets"] == ["SL1:3"]
    listing = client.get(reverse("frameworks:courses")).content.decode()
    assert "Speaking 5" in listing and "SL1 · stage 3" in listing

    world.section.course = course
    world.section.save()
    client.force_login(world.teacher)
    book = client.get(reverse("mastery:gradebook", args=[world.section.uuid])).content.decode()
    assert '<span class="gradebook__code">SL1</span>' in book
    assert f'<span class="gradebook__code">{world.competency.code}</span>' not in book


def test_editing_a_course_replaces_its_targets_and_sets_what_follows(client, world):
    speaking = graded_competency(world, "SL1")
    course = course_create(
        district=world.district, code="WS5", title="Writing 5", targets=[(world.competency, 2)]
    )
    later = course_create(district=world.district, code="WS6", title="Writing 6", targets=[])
    client.force_login(world.district_admin)
    url = reverse("frameworks:course_edit", args=[course.uuid])
    page = client.get(url).content.decode()
    assert 'value="2" selected' in page

    response = client.post(
        url,
        {
            "code": "WS5",
            "title": "Writing Studio 5",
            "next_course": str(later.uuid),
            target(world.competency): "",
            target(speaking): "1",
        },
    )

    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Writing Studio 5" and course.next_course == later
    assert [(t.stage.competency, t.stage.ordinal) for t in course.targets.all()] == [(speaking, 1)]


def test_every_problem_is_told_and_nothing_is_written(client, world):
    course_create(district=world.district, code="WS5", title="Writing 5", targets=[])
    client.force_login(world.district_admin)

    response = client.post(
        reverse("frameworks:course_new"), {"code": "WS5", "title": "", "next_course": ""}
    )

    html = response.content.decode()
    assert "Title: This field is required." in html
    assert Course.objects.count() == 1
    response = client.post(
        reverse("frameworks:course_new"), {"code": "WS5", "title": "Again", "next_course": ""}
    )
    assert "Another course has the code" in response.content.decode()
    assert Course.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["teacher", "school_admin", "student", "guardian", "other_district_teacher"]
)
def test_only_the_districts_admins_write_courses(client, world, who):
    course = course_create(district=world.district, code="WS5", title="Writing 5", targets=[])
    client.force_login(getattr(world, who))
    assert client.get(reverse("frameworks:courses")).status_code == 200
    for url in (
        reverse("frameworks:course_new"),
        reverse("frameworks:course_edit", args=[course.uuid]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"code": "X", "title": "Y"}).status_code == 404
    assert list(Course.objects.values_list("code", flat=True)) == ["WS5"]


def test_another_districts_courses_are_not_listed(client, world):
    course_create(district=world.district, code="WS5", title="Writing 5", targets=[])
    client.force_login(world.other_district_teacher)
    assert "Writing 5" not in client.get(reverse("frameworks:courses")).content.decode()
