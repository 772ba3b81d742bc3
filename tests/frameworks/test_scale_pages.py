"""A district admin makes a rating scale in the pages and sees the district's scales."""

import pytest
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Scale

pytestmark = pytest.mark.django_db
NEW = reverse("frameworks:scale_new")
LIST = reverse("frameworks:scales")


def posted(
    name="Three levels", rows=(("1", "Not yet", ""), ("2", "Nearly", ""), ("3", "Yes", "on"))
):
    data = {
        "name": name,
        "level-TOTAL_FORMS": "6",
        "level-INITIAL_FORMS": "0",
        "level-MIN_NUM_FORMS": "0",
        "level-MAX_NUM_FORMS": "12",
    }
    for index, (value, label, mastery) in enumerate(rows):
        data |= {
            f"level-{index}-value": value,
            f"level-{index}-label": label,
            f"level-{index}-colour": "#2b6e4a",
        }
        if mastery:
            data[f"level-{index}-is_mastery"] = mastery
    for index in range(len(rows), 6):
        data[f"level-{index}-colour"] = "#000000"  # a colour input always sends one
    return data


def test_a_district_admin_makes_a_scale_and_sees_it_listed(client, world):
    client.force_login(world.district_admin)
    assert client.get(NEW).status_code == 200

    response = client.post(NEW, posted())

    assert response.url == LIST
    scale = Scale.objects.get(district=world.district, name="Three levels")
    assert [(str(level.value.normalize()), level.is_mastery) for level in scale.levels.all()] == [
        ("1", False),
        ("2", False),
        ("3", True),
    ]
    assert AuditEntry.objects.get(action="scale.written").data["levels"] == ["1", "2", "3"]
    assert "Three levels" in client.get(LIST).content.decode()


def test_every_problem_is_told_at_once(client, world):
    client.force_login(world.district_admin)
    before = Scale.objects.count()

    response = client.post(NEW, posted(name="", rows=(("1", "", ""), ("1", "Again", ""))))

    html = response.content.decode()
    assert "Give the scale a name" in html and "Mark the levels that count as mastery." in html
    assert "Level 1 needs a label." in html and "Level 2 repeats the value 1" in html
    assert Scale.objects.count() == before


@pytest.mark.parametrize("who", ["teacher", "school_admin", "student", "guardian"])
def test_only_district_admins_see_and_make_scales(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(LIST).status_code == 404
    assert client.post(NEW, posted()).status_code == 404


def test_the_page_starts_from_the_usual_four_levels_and_saves_them_as_they_are(client, world):
    client.force_login(world.district_admin)
    levels = client.get(NEW).context["levels"]
    data = {f"level-{key}": value for key, value in levels.management_form.initial.items()}
    for index, row in enumerate(levels):
        for name, value in row.initial.items():
            if name != "is_mastery" and value is not None:
                data[f"level-{index}-{name}"] = str(value)
            elif value:
                data[f"level-{index}-{name}"] = "on"

    client.post(NEW, data | {"name": "Our four levels"})

    scale = Scale.objects.get(name="Our four levels")
    assert [level.label for level in scale.levels.all()] == [
        "Beginning",
        "Developing",
        "Proficient",
        "Advanced",
    ]
    assert [level.is_mastery for level in scale.levels.all()] == [False, False, True, True]
