"""The sizes of the flexible groups Proficio suggests (a design choice, issue 16 item 6): a
district admin sets them beside the advancement gate, within 2 to 30 students, audited; the
suggestions follow them; nobody else reaches the setting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.services import evidence_record
from proficio.pathways.advancement import gate_of, gate_set
from proficio.pathways.groups import group_sizes_set, groups_suggested
from proficio.people.models import Role
from tests.factories import make_person

pytestmark = pytest.mark.django_db

GATE = reverse("pathways:gate")
SIZES = reverse("pathways:group_sizes")


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def sizes(world, minimum: int, maximum: int):
    return group_sizes_set(
        actor=world.district_admin,
        district_id=world.district.pk,
        minimum=minimum,
        maximum=maximum,
    )


def test_a_district_admin_sets_the_sizes_and_the_change_is_audited(world):
    sizes(world, 2, 4)
    gate = gate_of(world.district.pk)
    assert (gate.group_size_min, gate.group_size_max) == (2, 4)
    entry = AuditEntry.objects.get(action="group_sizes.set")
    assert entry.actor == world.district_admin and entry.district_id == world.district.pk
    assert entry.data == {"group_size_min": 2, "group_size_max": 4, "before": None}
    assert entry.student is None

    sizes(world, 5, 8)
    newest = AuditEntry.objects.filter(action="group_sizes.set").order_by("-pk").first()
    assert newest.data["before"] == [2, 4]


def test_setting_the_sizes_leaves_the_gates_own_choice_and_who_made_it(world):
    gate_set(
        actor=world.district_admin, district_id=world.district.pk, mode="advisory", threshold=None
    )
    before = gate_of(world.district.pk)
    other_admin = make_person(world.district, "secondadmin", Role.DISTRICT_ADMIN, None)
    group_sizes_set(actor=other_admin, district_id=world.district.pk, minimum=4, maximum=5)
    after = gate_of(world.district.pk)
    assert after.mode == "advisory"
    assert after.changed_by == world.district_admin
    assert after.changed_at == before.changed_at


@pytest.mark.parametrize(
    ("minimum", "maximum", "field", "words"),
    [
        (1, 6, "group_size_min", "The smallest group has from 2 to 30 students."),
        (31, 40, "group_size_min", "The smallest group has from 2 to 30 students."),
        (3, 31, "group_size_max", "The largest group has from 2 to 30 students."),
        (3, 1, "group_size_max", "The largest group has from 2 to 30 students."),
        (
            6,
            3,
            "group_size_max",
            "The largest group cannot be smaller than the smallest (6 students).",
        ),
    ],
)
def test_sizes_out_of_range_are_refused_with_a_reason(world, minimum, maximum, field, words):
    with pytest.raises(InvalidInput) as refused:
        sizes(world, minimum, maximum)
    assert refused.value.errors[field] == words
    gate = gate_of(world.district.pk)
    assert (gate.group_size_min, gate.group_size_max) == (3, 6)
    assert not AuditEntry.objects.filter(action="group_sizes.set").exists()


def test_equal_sizes_at_either_end_are_allowed(world):
    sizes(world, 2, 2)
    sizes(world, 30, 30)
    assert (
        gate_of(world.district.pk).group_size_min,
        gate_of(world.district.pk).group_size_max,
    ) == (
        30,
        30,
    )


@pytest.mark.parametrize("who", ["teacher", "school_admin", "student", "guardian"])
def test_no_one_but_a_district_admin_sets_them(world, who):
    with pytest.raises(NotVisible):
        group_sizes_set(
            actor=getattr(world, who), district_id=world.district.pk, minimum=2, maximum=4
        )


def test_another_districts_admin_cannot_set_ours(world):
    elsewhere_admin = make_person(
        world.other_district_teacher.district, "elsewhereadmin", Role.DISTRICT_ADMIN, None
    )
    with pytest.raises(NotVisible):
        group_sizes_set(actor=elsewhere_admin, district_id=world.district.pk, minimum=2, maximum=4)
    # Their own page sets their own district's sizes only.
    response = client_for(elsewhere_admin).post(
        SIZES, {"group_size_min": "4", "group_size_max": "9"}
    )
    assert response.status_code == 302
    assert gate_of(world.district.pk).group_size_max == 6
    assert gate_of(elsewhere_admin.district_id).group_size_max == 9


def test_the_suggestions_follow_the_districts_sizes(world):
    for student in (world.student, world.classmate, world.other_student):
        for days in (1, 2, 3):
            evidence_record(
                assessor=world.school_admin,
                student=student,
                competency=world.competency,
                stage=1,
                level=Decimal(1),
                observed_at=timezone.now() - timedelta(days=days),
                source="observation",
            )
    suggested, _left_out = groups_suggested(user=world.school_admin, competency=world.competency)
    assert [len(group.students) for group in suggested] == [3]
    sizes(world, 2, 2)
    suggested, left_out = groups_suggested(user=world.school_admin, competency=world.competency)
    assert [len(group.students) for group in suggested] == [2]
    assert len(left_out) == 1


# ---- the page --------------------------------------------------------------------------------


def test_the_gate_page_shows_the_sizes_and_saves_them(world):
    admin = client_for(world.district_admin)
    page = admin.get(GATE).content.decode()
    assert "How large are the groups Proficio suggests?" in page
    assert 'name="group_size_min"' in page and 'value="3"' in page
    assert f'action="{SIZES}"' in page

    response = admin.post(SIZES, {"group_size_min": "4", "group_size_max": "8"})
    assert response.status_code == 302
    assert response["Location"] == f"{GATE}#groups"
    gate = gate_of(world.district.pk)
    assert (gate.group_size_min, gate.group_size_max) == (4, 8)
    assert "The group sizes are saved." in admin.get(GATE).content.decode()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"group_size_min": "5", "group_size_max": "4"}, "cannot be smaller than the smallest"),
        ({"group_size_min": "1", "group_size_max": "4"}, "The smallest group has from 2 to 30"),
        ({"group_size_min": "three", "group_size_max": "4"}, "A whole number of students"),
        ({"group_size_min": "3"}, "Say how many students the largest group has."),
    ],
)
def test_a_refused_size_comes_back_beside_its_field(world, data, words):
    response = client_for(world.district_admin).post(SIZES, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert words in page
    assert 'class="error-summary"' in page
    gate = gate_of(world.district.pk)
    assert (gate.group_size_min, gate.group_size_max) == (3, 6)


@pytest.mark.parametrize(
    "who", ["teacher", "school_admin", "student", "guardian", "other_district_teacher"]
)
def test_everyone_else_finds_no_setting_there(world, who):
    client = client_for(getattr(world, who))
    assert client.get(GATE).status_code == 404
    assert client.post(SIZES, {"group_size_min": "2", "group_size_max": "3"}).status_code == 404
    assert (
        gate_of(world.district.pk).group_size_min,
        gate_of(world.district.pk).group_size_max,
    ) == (
        3,
        6,
    )


def test_the_sizes_take_no_get_and_the_signed_out_sign_in_first(world):
    assert client_for(world.district_admin).get(SIZES).status_code == 405
    response = Client().post(SIZES, {"group_size_min": "2", "group_size_max": "3"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
