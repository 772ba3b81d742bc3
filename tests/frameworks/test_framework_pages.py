"""A district admin makes a framework in the pages, rated on one of the district's scales,
then writes its competencies on its page."""

import pytest
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Framework, Scale

pytestmark = pytest.mark.django_db
URL = reverse("frameworks:framework_new")


def test_a_district_admin_makes_a_framework_with_a_code_made_from_its_title(client, world):
    client.force_login(world.district_admin)
    page = client.get(URL)
    assert page.status_code == 200 and world.scale.name in page.content.decode()

    response = client.post(
        URL, {"title": "Skills for life", "description": "Habits of work.", "scale": world.scale.pk}
    )

    framework = Framework.objects.get(district=world.district, title="Skills for life")
    assert response.url == reverse("interop:framework", args=[framework.uuid])
    assert framework.code and framework.scale == world.scale
    assert AuditEntry.objects.get(action="framework.written").data["title"] == "Skills for life"
    listing = client.get(reverse("interop:frameworks")).content.decode()
    assert URL in listing


def test_every_problem_is_told_at_once_and_nothing_is_made(client, world):
    client.force_login(world.district_admin)
    before = Framework.objects.count()

    response = client.post(URL, {"title": "", "code": world.framework.code, "scale": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the framework a title" in html and "has a framework" in html
    assert "Choose one of the district" in html
    elsewhere = Scale.objects.create(district=world.other_district_teacher.district, name="X")
    response = client.post(URL, {"title": "Theirs", "scale": elsewhere.pk})
    assert "Select a valid choice" in response.content.decode()
    assert Framework.objects.count() == before


@pytest.mark.parametrize("who", ["teacher", "school_admin", "student", "guardian"])
def test_only_district_admins_make_frameworks(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"title": "X", "scale": world.scale.pk}).status_code == 404
