"""Every change to a student's record, and every view of it by someone else, leaves an entry:
one test per service and page that the audit trail covers (docs/architecture.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone

from proficio.audit import api as audit
from proficio.audit.models import AuditEntry
from proficio.mastery.data import PolicyDraft
from proficio.mastery.services import evidence_record, policy_change
from proficio.people.services import (
    guardian_link,
    person_create,
    person_grant_site_admin,
    role_assign,
    section_enroll,
)
from tests.api.client import Api, token_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def rate(world, *, supersedes=None, level=3):
    return evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=1),
        source="observation",
        supersedes=supersedes,
    )


def test_recording_evidence_is_audited_with_who_whose_and_what(world):
    evidence = rate(world)
    (entry,) = entries(audit.EVIDENCE_RECORDED)
    assert (entry.actor, entry.student, entry.district_id) == (
        world.teacher,
        world.student,
        world.district.pk,
    )
    assert (entry.target_type, entry.target_id) == ("evidence", str(evidence.uuid))
    assert entry.data["level"] == "3" and entry.data["competency"] == "W1"


def test_a_correction_is_audited_as_one_naming_what_it_supersedes(world):
    first = rate(world, level=2)
    rate(world, supersedes=first, level=3)
    (entry,) = entries(audit.EVIDENCE_CORRECTED)
    assert entry.data["supersedes"] == str(first.uuid)


def test_a_refused_rating_leaves_no_entry(world):
    from proficio.lib.errors import NotVisible

    with pytest.raises(NotVisible):
        evidence_record(
            assessor=world.other_teacher,
            student=world.student,
            competency=world.competency,
            stage=1,
            level=Decimal(3),
            observed_at=timezone.now(),
            source="observation",
        )
    assert entries(audit.EVIDENCE_RECORDED) == []


def test_a_policy_change_and_its_recompute_are_audited(world):
    rate(world)
    policy = policy_change(
        actor=world.district_admin,
        draft=PolicyDraft(
            district=world.district,
            method="mean",
            parameters={},
            minimum_evidence=2,
            threshold="3",
        ),
    )
    (changed,) = entries(audit.POLICY_CHANGED)
    assert (changed.actor, changed.district_id) == (world.district_admin, world.district.pk)
    assert changed.data["method"] == "mean" and changed.data["version"] == policy.version
    (recomputed,) = entries(audit.MASTERY_RECOMPUTED)  # the tests run tasks at once
    assert recomputed.actor == world.district_admin
    assert recomputed.data["evidence_rows"] >= 1


def test_enrolments_roles_guardians_and_site_admins_are_audited(world):
    newcomer = person_create(
        district=world.district, username="newcomer", first_name="New", last_name="Comer"
    )
    role_assign(
        person=newcomer,
        role="student",
        district=world.district,
        school=world.school,
        actor=world.district_admin,
    )
    section_enroll(section=world.section, student=newcomer, actor=world.district_admin)
    guardian_link(guardian=world.guardian, student=newcomer, actor=world.district_admin)
    person_grant_site_admin(person=world.teacher, actor=world.district_admin)

    for action in (audit.ROLE_ASSIGNED, audit.SECTION_ENROLLED, audit.GUARDIAN_LINKED):
        (entry,) = entries(action)
        assert (entry.actor, entry.student) == (world.district_admin, newcomer), action
    (granted,) = entries(audit.SITE_ADMIN_GRANTED)
    assert granted.target_id == str(world.teacher.uuid)


def test_a_roster_import_leaves_one_entry_with_its_counts(world):
    from proficio.interop.oneroster.writer import import_oneroster
    from tests.interop.oneroster_support import PACKAGE_1_1

    import_oneroster(PACKAGE_1_1, actor=world.district_admin)
    (entry,) = entries(audit.ROSTER_SYNCED)
    assert entry.actor == world.district_admin
    assert entry.data["created"]["people"] > 0


def signed_in(client, person):
    # A sign-in request, as the login page passes one: the lockout check needs its address.
    client.login(
        request=RequestFactory().post("/accounts/login/"),
        username=person.username,
        password=PASSWORD,
    )
    return client


def test_a_teacher_opening_a_students_page_leaves_one_entry(client, world):
    signed_in(client, world.teacher).get(f"/students/{world.student.uuid}/")
    (entry,) = entries(audit.STUDENT_VIEWED)
    assert (entry.actor, entry.student) == (world.teacher, world.student)


def test_a_student_opening_their_own_page_leaves_none(client, world):
    signed_in(client, world.student).get(f"/students/{world.student.uuid}/")
    assert entries(audit.STUDENT_VIEWED) == []


def test_the_evidence_panel_is_audited(client, world):
    signed_in(client, world.guardian).get(
        f"/students/{world.student.uuid}/competencies/{world.competency.uuid}/"
    )
    (entry,) = entries(audit.EVIDENCE_VIEWED)
    assert (entry.actor, entry.student) == (world.guardian, world.student)


def test_the_gradebook_records_each_student_it_shows(client, world):
    signed_in(client, world.teacher).get(f"/sections/{world.section.uuid}/")
    shown = entries(audit.STUDENTS_LISTED)
    assert {entry.student for entry in shown} == {world.student, world.classmate}


def test_an_api_read_of_a_students_mastery_is_audited(world):
    response = Api(token_for(world.teacher.username)).get(f"/students/{world.student.uuid}/mastery")
    assert response.status_code == 200
    (entry,) = entries(audit.STUDENT_VIEWED)
    assert entry.actor == world.teacher and entry.data["via"] == "api"


def test_a_view_that_is_refused_leaves_no_entry(client, world):
    response = signed_in(client, world.other_teacher).get(f"/students/{world.student.uuid}/")
    assert response.status_code == 404
    assert entries(audit.STUDENT_VIEWED) == []
