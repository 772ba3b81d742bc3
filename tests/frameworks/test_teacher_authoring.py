"""A district admin may open a framework to the district's teachers: they then add and revise
its competencies in the pages, until the admin closes it again. Nobody else gains anything."""

import pytest
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Competency, Framework
from tests.frameworks.test_competency_pages import posted

pytestmark = pytest.mark.django_db


def new_url(world) -> str:
    return reverse("frameworks:competency_new", args=[world.framework.uuid])


def opening(world) -> str:
    return reverse("frameworks:framework_teachers", args=[world.framework.uuid])


def test_an_opened_framework_is_written_by_teachers_until_it_is_closed(client, world):
    client.force_login(world.teacher)
    assert client.get(new_url(world)).status_code == 404

    client.force_login(world.district_admin)
    page = client.get(reverse("interop:framework", args=[world.framework.uuid]))
    assert "Let teachers write it too" in page.content.decode()
    assert client.post(opening(world), {"open": "1"}).status_code == 302
    assert Framework.objects.get(pk=world.framework.pk).teachers_may_write
    entry = AuditEntry.objects.get(action="framework.authors_set")
    assert entry.data == {"framework": world.framework.code, "teachers_may_write": True}

    client.force_login(world.teacher)
    assert client.post(new_url(world), posted()).status_code == 302
    written = Competency.objects.get(framework=world.framework, code="W9")
    edit = reverse("frameworks:competency_edit", args=[world.framework.uuid, written.uuid])
    assert client.get(edit).status_code == 200
    assert AuditEntry.objects.filter(action="competency.written", actor=world.teacher).exists()

    client.force_login(world.district_admin)
    client.post(opening(world), {"open": "0"})
    client.force_login(world.teacher)
    assert client.get(edit).status_code == 404


@pytest.mark.parametrize("who", ["student", "guardian", "school_admin", "other_district_teacher"])
def test_opening_it_to_teachers_opens_it_to_nobody_else(client, world, who):
    Framework.objects.filter(pk=world.framework.pk).update(teachers_may_write=True)
    client.force_login(getattr(world, who))
    assert client.get(new_url(world)).status_code == 404


@pytest.mark.parametrize("who", ["teacher", "school_admin", "other_district_teacher"])
def test_only_its_district_admins_open_or_close_it(client, world, who):
    client.force_login(getattr(world, who))
    assert client.post(opening(world), {"open": "1"}).status_code == 404
    assert not Framework.objects.get(pk=world.framework.pk).teachers_may_write
    assert not AuditEntry.objects.filter(action="framework.authors_set").exists()
