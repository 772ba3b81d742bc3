"""evidence_append_many: every rating validated, all appended or none, audited once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.evidence.api import EvidenceDraft, EvidenceSource, evidence_append_many
from proficio.evidence.models import Evidence
from proficio.lib.errors import InvalidInput

pytestmark = pytest.mark.django_db


def draft(world, **changes) -> EvidenceDraft:
    fields = {
        "assessor": world.teacher,
        "student": world.student,
        "competency": world.competency,
        "stage": 1,
        "level": 3,
        "observed_at": timezone.now() - timedelta(days=1),
        "source": EvidenceSource.TASK,
        "feedback_present": "Clear claim. ",
    }
    return EvidenceDraft(**(fields | changes))


def test_appends_every_rating_and_audits_one_entry(world):
    drafts = [draft(world), draft(world, student=world.classmate, level=2)]
    assert evidence_append_many(actor=None, district_id=world.district.pk, drafts=drafts) == 2
    rows = Evidence.objects.order_by("pk")
    assert [(row.student, row.level) for row in rows] == [(world.student, 3), (world.classmate, 2)]
    assert rows[0].feedback_present == "Clear claim."
    entry = AuditEntry.objects.get(action="evidence.appended_in_bulk")
    assert (entry.district_id, entry.data) == (world.district.pk, {"ratings": 2})


def test_one_bad_rating_appends_none_and_names_it(world):
    drafts = [draft(world), draft(world, level=7), draft(world, stage=99)]
    with pytest.raises(InvalidInput) as refused:
        evidence_append_many(actor=None, district_id=world.district.pk, drafts=drafts)
    assert set(refused.value.errors) == {"1.level", "2.stage"}
    assert not Evidence.objects.exists()
    assert not AuditEntry.objects.filter(action="evidence.appended_in_bulk").exists()


def test_refuses_a_student_of_another_district(world):
    drafts = [draft(world, student=world.other_district_student)]
    with pytest.raises(InvalidInput) as refused:
        evidence_append_many(actor=None, district_id=world.district.pk, drafts=drafts)
    assert "0.student" in refused.value.errors
    assert not Evidence.objects.exists()
