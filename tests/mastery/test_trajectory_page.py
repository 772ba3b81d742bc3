"""Each competency's trajectory over time on the student page: opened on request (the page
itself replays nothing), for whoever may see the student and nobody else, audited, and drawn
from the same geometry and template as the progress report."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.frameworks.services import framework_create
from proficio.mastery.api import trajectory_chart, trajectory_of
from tests.factories import make_competency
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(world, rate):
    """Under "latest, one rating": stage 1 reached 20 days ago, stage 2 reached 2 days ago."""
    policy(world, "latest", minimum_evidence=1)
    rate(level=2, days_ago=30, stage=1)
    rate(level=3, days_ago=20, stage=1)
    rate(level=2, days_ago=10, stage=2)
    rate(level=4, days_ago=2, stage=2)
    return world


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def url_for(world, student=None, competency=None) -> str:
    return reverse(
        "mastery:student_trajectory",
        args=[(student or world.student).uuid, (competency or world.competency).uuid],
    )


def test_the_fragment_draws_the_stages_reached_and_a_dot_for_each_rating(rated):
    response = signed_in(rated.teacher).get(url_for(rated), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment for the student page, not a page
    assert html.count('class="chart__rating"') == 4
    assert html.count('class="chart__grid"') == 4  # stages 0 to 3 of W1
    assert "Stage 1 · " in html and "Stage 2 · " in html
    today = timezone.localdate()
    for days_ago in (20, 2):
        day = today - timedelta(days=days_ago)
        assert f"{day.day} {day:%B %Y}" in html  # the day each stage was reached
    assert "The numbers behind the chart" in html
    assert response["Vary"].count("HX-Request") == 1


def test_the_fragment_is_the_progress_reports_chart(rated):
    today = timezone.localdate()
    trajectory = trajectory_of(student=rated.student, competency=rated.competency, until=today)
    chart = trajectory_chart(trajectory, start=today, until=today)
    html = signed_in(rated.student).get(url_for(rated), HTTP_HX_REQUEST="true").content.decode()
    assert f'points="{chart.polyline}"' in html
    report = signed_in(rated.student).get(reverse("reports:progress", args=[rated.student.uuid]))
    assert 'class="trajectory-chart"' in report.content.decode()


def test_without_javascript_the_chart_is_a_page_of_its_own(rated):
    response = signed_in(rated.guardian).get(url_for(rated))
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert html.count('class="chart__rating"') == 4
    assert reverse("mastery:student", args=[rated.student.uuid]) in html


def test_no_rating_yet_says_so(world):
    html = signed_in(world.student).get(url_for(world), HTTP_HX_REQUEST="true").content.decode()
    assert "No rating yet" in html and "<svg" not in html


def test_as_of_a_past_day_the_chart_stops_there(rated):
    day = timezone.localdate() - timedelta(days=15)
    client = signed_in(rated.teacher)
    html = client.get(url_for(rated), {"as_of": day.isoformat()}, HTTP_HX_REQUEST="true")
    assert html.content.decode().count('class="chart__rating"') == 2
    page = client.get(reverse("mastery:student", args=[rated.student.uuid]), {"as_of": day})
    assert f"{url_for(rated)}?as_of={day.isoformat()}" in page.content.decode()


@pytest.mark.parametrize(
    "who", ["student", "guardian", "teacher", "school_admin", "district_admin"]
)
def test_whoever_sees_the_student_page_opens_each_trajectory(rated, who):
    client = signed_in(getattr(rated, who))
    page = client.get(reverse("mastery:student", args=[rated.student.uuid]))
    assert url_for(rated) in page.content.decode()  # the family page too
    assert client.get(url_for(rated), HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.parametrize("who", ["classmate", "other_teacher", "other_district_teacher"])
def test_those_who_may_not_see_the_student_get_not_found(rated, who):
    client = signed_in(getattr(rated, who))
    assert client.get(reverse("mastery:student", args=[rated.student.uuid])).status_code == 404
    assert client.get(url_for(rated), HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(url_for(rated)).status_code == 404


def test_a_guardian_does_not_open_another_childs_trajectory(rated):
    client = signed_in(rated.guardian)
    assert client.get(url_for(rated, student=rated.classmate)).status_code == 404


def test_a_school_admin_does_not_open_another_schools_student(rated):
    url = url_for(rated, student=rated.far_student)
    assert signed_in(rated.school_admin).get(url).status_code == 404
    assert signed_in(rated.district_admin).get(url).status_code == 200


def test_another_districts_competency_is_not_found(rated):
    framework = framework_create(
        district=rated.other_district_student.district, code="EW", title="Away", scale=rated.scale
    )
    elsewhere = make_competency(framework, "E1")
    assert signed_in(rated.teacher).get(url_for(rated, competency=elsewhere)).status_code == 404


def test_reading_anothers_trajectory_is_audited_and_ones_own_is_not(rated):
    viewed = AuditEntry.objects.filter(action="student.viewed", student=rated.student)
    before = viewed.count()
    assert signed_in(rated.teacher).get(url_for(rated), HTTP_HX_REQUEST="true").status_code == 200
    entry = viewed.latest("pk")
    assert viewed.count() == before + 1 and entry.actor == rated.teacher
    assert entry.data == {"via": "trajectory", "competency": rated.competency.code}
    signed_in(rated.student).get(url_for(rated), HTTP_HX_REQUEST="true")
    assert viewed.count() == before + 1


def test_the_student_page_replays_no_trajectory(world, rate):
    """Its queries stay the same however many days the student was rated on."""
    url = reverse("mastery:student", args=[world.student.uuid])
    client = signed_in(world.teacher)

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    rate(level=2, days_ago=60)
    few = queries()
    for days_ago in range(1, 40):
        rate(level=2 + days_ago % 3, days_ago=days_ago, stage=1 + days_ago % 2)
    assert queries() == few
    page = client.get(url).content.decode()
    assert len(re.findall(r'hx-trigger="toggle once"', page)) == 1  # one competency, one chart
    assert "<svg" not in page
