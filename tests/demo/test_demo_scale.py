"""The demo at district scale: sections stay the size of a real studio as it grows."""

import pytest
from django.db.models import Count
from django.test import override_settings

from proficio.demo import load_demo
from proficio.evidence.models import Evidence, EvidenceSource
from proficio.people.models import Person, Section

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_a_district_beyond_six_full_studios_gets_more_sections_each_with_its_teacher(
    monkeypatch,
):
    """At most `MAX_SECTION_SIZE` (500) students a section; shown with 8 for 60 students."""
    monkeypatch.setattr("proficio.demo.content.MAX_SECTION_SIZE", 8)
    load_demo(students=60)
    sizes = dict(Section.objects.annotate(size=Count("students")).values_list("name", "size"))
    assert max(sizes.values()) <= 8
    assert {"Birch Studio", "Birch Studio 2", "Heron Studio 2"} <= sizes.keys()
    student = Person.objects.get(username="student")
    assert Section.objects.filter(name="Birch Studio", students=student).exists()
    assert Person.objects.get(username="teacher").teaches.get().name == "Birch Studio"
    for section in Section.objects.filter(name__endswith=" 2"):
        (teacher,) = section.teachers.all()
        rated = Evidence.objects.filter(
            student__in=section.students.all(), assessor=teacher
        ).exclude(source=EvidenceSource.SELF)
        assert rated.exists()
