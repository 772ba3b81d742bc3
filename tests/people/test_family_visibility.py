"""What a district's families see (a design choice, issue 16 item 6): the setting, who may
change it (audited), and the rule that keeps teachers' written feedback from a guardian — and
from nobody else."""

import pytest

from proficio.audit.models import AuditEntry
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.api import (
    FamilyVisibility,
    family_visibility_of,
    family_visibility_set,
    feedback_withheld_ids,
    guardian_link,
    role_assign,
    sees_teacher_feedback,
)
from proficio.people.models import Role
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def keep_feedback_from_families(world):
    return family_visibility_set(
        actor=world.district_admin, district=world.district, visibility="progress"
    )


def test_proficios_default_is_full_visibility(world):
    assert family_visibility_of(world.district.pk) == FamilyVisibility.FULL
    assert sees_teacher_feedback(world.guardian, world.student)
    assert feedback_withheld_ids(user=world.guardian, students=[world.student]) == set()


def test_a_district_admin_chooses_and_the_choice_is_audited(world):
    keep_feedback_from_families(world)
    assert family_visibility_of(world.district.pk) == FamilyVisibility.PROGRESS
    entry = AuditEntry.objects.get(action="family_visibility.set")
    assert entry.actor == world.district_admin and entry.district_id == world.district.pk
    assert entry.student is None
    assert entry.data == {"visibility": "progress", "before": "full"}

    family_visibility_set(actor=world.district_admin, district=world.district, visibility="full")
    assert family_visibility_of(world.district.pk) == FamilyVisibility.FULL
    assert AuditEntry.objects.filter(action="family_visibility.set").count() == 2


def test_an_unknown_choice_is_refused(world):
    with pytest.raises(InvalidInput) as refused:
        family_visibility_set(
            actor=world.district_admin, district=world.district, visibility="nothing"
        )
    assert refused.value.errors == {"visibility": "Choose one of the two."}
    assert not AuditEntry.objects.filter(action="family_visibility.set").exists()


@pytest.mark.parametrize("who", ["school_admin", "teacher", "student", "guardian"])
def test_no_one_but_the_districts_admin_chooses(world, who):
    with pytest.raises(NotVisible):
        family_visibility_set(
            actor=getattr(world, who), district=world.district, visibility="progress"
        )
    assert family_visibility_of(world.district.pk) == FamilyVisibility.FULL


def test_another_districts_admin_cannot_choose_for_ours(world):
    elsewhere = world.other_district_teacher.district
    their_admin = make_person(elsewhere, "elsewhereadmin", Role.DISTRICT_ADMIN, None)
    with pytest.raises(NotVisible):
        family_visibility_set(actor=their_admin, district=world.district, visibility="progress")
    family_visibility_set(actor=their_admin, district=elsewhere, visibility="progress")
    assert family_visibility_of(world.district.pk) == FamilyVisibility.FULL
    assert family_visibility_of(elsewhere.pk) == FamilyVisibility.PROGRESS


def test_progress_keeps_teachers_words_from_the_guardian_alone(world):
    keep_feedback_from_families(world)
    assert not sees_teacher_feedback(world.guardian, world.student)
    assert feedback_withheld_ids(user=world.guardian, students=[world.student]) == {
        world.student.pk
    }
    # The student, their teachers and their admins read everything.
    for who in ("student", "teacher", "school_admin", "district_admin"):
        assert sees_teacher_feedback(getattr(world, who), world.student), who


def test_a_guardian_who_also_teaches_the_child_reads_the_feedback_as_their_teacher(world):
    keep_feedback_from_families(world)
    guardian_link(guardian=world.teacher, student=world.student)
    role_assign(person=world.teacher, role=Role.GUARDIAN, district=world.district)
    assert sees_teacher_feedback(world.teacher, world.student)
    # … but not for a child of theirs they do not teach.
    guardian_link(guardian=world.teacher, student=world.other_student)
    assert not sees_teacher_feedback(world.teacher, world.other_student)


def test_a_guardians_child_in_another_district_follows_that_districts_choice(world):
    keep_feedback_from_families(world)
    elsewhere_child = world.other_district_student
    guardian_link(guardian=world.guardian, student=elsewhere_child)
    withheld = feedback_withheld_ids(user=world.guardian, students=[world.student, elsewhere_child])
    assert withheld == {world.student.pk}
