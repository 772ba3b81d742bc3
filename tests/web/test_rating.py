"""Recording a rating from the gradebook panel: saved through the service, the cell updated in
place, errors shown beside their fields, and nothing written for anyone who may not rate."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proficio.evidence.models import Evidence

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def evidence_url(world, student=None, section=None):
    url = reverse(
        "mastery:student_competency",
        args=[(student or world.student).uuid, world.competency.uuid],
    )
    return f"{url}?section={section.uuid}" if section else url


def rating(**changes):
    data = {
        "stage": "1",
        "level": "2",
        "observed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "source": "observation",
        "feedback_present": "Clear topic sentence.",
        "feedback_next": "Add evidence from the text.",
    }
    return {**data, **changes}


def test_htmx_rating_is_recorded_and_the_gradebook_cell_comes_back_out_of_band(client, world):
    client.force_login(world.teacher)
    response = client.post(evidence_url(world, section=world.section), rating(), **HTMX)

    assert response.status_code == 200
    evidence = Evidence.objects.get(student=world.student)
    assert evidence.assessor == world.teacher
    assert evidence.level == 2 and evidence.stage.ordinal == 1
    assert evidence.feedback_next == "Add evidence from the text."
    content = response.content.decode()
    assert "<html" not in content  # a panel, not a page
    assert f'id="cell-{world.student.uuid}-{world.competency.uuid}"' in content
    assert 'hx-swap-oob="true"' in content
    assert "2 Developing" in content
    assert "Rating saved" in content


def test_observed_day_is_stored_at_noon_in_the_current_time_zone(client, world):
    client.force_login(world.teacher)
    day = timezone.localdate() - timedelta(days=3)
    client.post(evidence_url(world), rating(observed_on=day.isoformat()), **HTMX)
    observed = Evidence.objects.get().observed_at
    assert observed == timezone.make_aware(datetime.combine(day, time(12)))


def test_a_rating_for_today_is_never_in_the_future(client, world):
    client.force_login(world.teacher)
    client.post(evidence_url(world), rating(observed_on=timezone.localdate().isoformat()))
    assert Evidence.objects.get().observed_at <= timezone.now()


def test_without_javascript_the_form_posts_and_redirects_back_to_the_page(client, world):
    client.force_login(world.teacher)
    url = evidence_url(world, section=world.section)
    response = client.post(url, rating())
    assert response.status_code == 302
    assert response.url == url
    assert Evidence.objects.filter(student=world.student).count() == 1
    page = client.get(url)
    assert b"Rating saved." in page.content


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"level": "7"}, "Select a valid choice"),
        ({"level": ""}, "This field is required"),
        ({"stage": "9"}, "Select a valid choice"),
        (
            {"observed_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
            "Pick a day up to today",
        ),
        ({"observed_on": "not-a-date"}, "Enter a valid date"),
        ({"source": "self"}, "Select a valid choice"),
    ],
)
def test_invalid_rating_shows_the_error_keeps_the_input_and_writes_nothing(
    client, world, changes, field_error
):
    client.force_login(world.teacher)
    response = client.post(evidence_url(world), rating(**changes), **HTMX)
    assert response.status_code == 422
    content = response.content.decode()
    assert field_error in content
    assert "Nothing was saved" in content
    assert "Add evidence from the text." in content  # what was typed is still there
    assert not Evidence.objects.exists()


def test_an_error_from_the_service_lands_beside_its_field(client, world):
    client.force_login(world.teacher)
    response = client.post(evidence_url(world), rating(feedback_next="x" * 10_001), **HTMX)
    assert response.status_code == 422
    assert "Keep feedback under" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("who", ["guardian", "student", "classmate", "other_teacher"])
def test_people_who_may_not_rate_get_not_found_and_nothing_is_written(client, world, who):
    client.force_login(getattr(world, who))
    response = client.post(evidence_url(world), rating(), **HTMX)
    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_only_people_who_may_rate_see_the_form(client, world):
    url = evidence_url(world)
    client.force_login(world.teacher)
    assert b"Record a rating" in client.get(url).content
    client.force_login(world.guardian)
    response = client.get(url)
    assert response.status_code == 200
    assert b"Record a rating" not in response.content
    assert b"Save rating" not in response.content


def test_the_panel_is_a_fragment_for_htmx_and_a_whole_page_otherwise(client, world):
    client.force_login(world.teacher)
    url = evidence_url(world, section=world.section)
    fragment = client.get(url, **HTMX)
    page = client.get(url)
    assert b"<html" not in fragment.content and b"Close" in fragment.content
    assert b"<html" in page.content and b"Studio A" in page.content  # breadcrumb back
    assert "HX-Request" in fragment["Vary"]


def test_the_form_defaults_to_the_working_stage(client, world, rate):
    rate(level=3, days_ago=3)
    rate(level=3, days_ago=2)  # stage 1 mastered: now working at stage 2
    client.force_login(world.teacher)
    content = client.get(evidence_url(world)).content.decode()
    assert '<option value="2" selected>' in content
