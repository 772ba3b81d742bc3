"""people_create_many: people with their roles in bulk, all or none, audited once."""

import pytest

from proficio.audit.models import AuditEntry
from proficio.lib.errors import InvalidInput
from proficio.people.api import PersonDraft, people_create_many
from proficio.people.models import Person, Role, RoleAssignment

pytestmark = pytest.mark.django_db


def test_creates_each_person_with_their_role_and_audits_one_entry(world):
    drafts = [
        PersonDraft("ada.l", "Ada", "L", Role.STUDENT, world.school, age_grade=4),
        PersonDraft("ben.l", "Ben", "L", Role.GUARDIAN),
    ]
    ada, ben = people_create_many(district=world.district, drafts=drafts)
    assert ada.pk is not None and (ada.age_grade, ada.district) == (4, world.district)
    assert not ada.has_usable_password()
    assert RoleAssignment.objects.get(person=ada, active=True).role == Role.STUDENT
    assert RoleAssignment.objects.get(person=ben, active=True).school is None
    entry = AuditEntry.objects.get(action="people.created_in_bulk")
    assert (entry.district_id, entry.data) == (world.district.pk, {"people": 2})


def test_one_bad_person_creates_none_and_names_each_error(world):
    before = Person.objects.count()
    drafts = [
        PersonDraft("new.one", "New", "One", Role.STUDENT, world.school),
        PersonDraft(world.student.username, "Taken", "Name", Role.STUDENT, world.school),
        PersonDraft("no.school", "No", "School", Role.TEACHER),
        PersonDraft("new.one", "Twice", "Named", Role.GUARDIAN),
    ]
    with pytest.raises(InvalidInput) as refused:
        people_create_many(district=world.district, drafts=drafts)
    assert set(refused.value.errors) == {"1.username", "2.school", "3.username"}
    assert Person.objects.count() == before
    assert not AuditEntry.objects.filter(action="people.created_in_bulk").exists()


def test_refuses_a_school_of_another_district(world):
    other_school = world.other_district_teacher.roles.get().school
    drafts = [PersonDraft("far.away", "Far", "Away", Role.STUDENT, other_school)]
    with pytest.raises(InvalidInput) as refused:
        people_create_many(district=world.district, drafts=drafts)
    assert "0.school" in refused.value.errors
