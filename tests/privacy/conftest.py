from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from proficio.evidence.models import EvidenceSource
from proficio.mastery.data import PolicyDraft
from proficio.mastery.services import evidence_record, policy_change
from proficio.people.services import api_token_issue


@pytest.fixture
def recorded(world):
    """A student with a record in every app: a teacher's ratings and their own
    self-assessment, mastery under two policy versions (so history), a token, a group."""
    for days_ago, level, source, assessor in [
        (3, 2, EvidenceSource.TASK, world.teacher),
        (2, 3, EvidenceSource.OBSERVATION, world.teacher),
        (1, 3, EvidenceSource.SELF, world.student),
    ]:
        evidence_record(
            assessor=assessor,
            student=world.student,
            competency=world.competency,
            stage=1,
            level=Decimal(level),
            observed_at=timezone.now() - timedelta(days=days_ago),
            source=source,
            feedback_present="Your opinion is stated clearly.",
        )
    policy_change(
        actor=world.district_admin,
        draft=PolicyDraft(
            district=world.district,
            method="mean",
            parameters={},
            minimum_evidence=2,
            threshold=Decimal(3),
        ),
    )
    api_token_issue(person=world.student)
    world.student.groups.add(Group.objects.create(name="Choir"))
    return world
