"""The weekly family email: what a child mastered, shared and heard this week, their goals
and next conference — to guardians who want it, once a week, and only about their own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.agency.cli import digest_command
from proficio.agency.conferences import conference_draft, conference_share
from proficio.agency.digest import digests_send
from proficio.agency.services import goal_write, piece_add
from proficio.audit.models import AuditEntry
from proficio.mastery.services import evidence_record
from proficio.people.models import Person
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(world):
    Person.objects.filter(pk=world.guardian.pk).update(email="grace@example.org")
    world.guardian.refresh_from_db()
    policy(world, "latest", minimum_evidence=1)
    rating = evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now() - timedelta(days=2),
        source="observation",
        feedback_next="Quote a source for each reason.",
    )
    piece_add(student=world.student, title="My poster", evidence=rating, shared_with_family=True)
    piece_add(student=world.student, title="Private draft", evidence=rating)
    goal_write(actor=world.student, student=world.student, title="Read a longer book")
    conference = conference_draft(student=world.student)
    conference_share(student=world.student, conference=conference)
    return world


def test_the_week_reaches_the_guardian_once(week):
    world = week
    assert digests_send() == (1, 1)
    [message] = mail.outbox
    assert message.to == ["grace@example.org"]
    assert world.student.first_name in message.subject
    text = message.body
    assert "Competency W1 (W1), stage 1" in text
    assert "My poster" in text and "Private draft" not in text
    assert "Quote a source for each reason." in text and "Read a longer book" in text
    assert "/agency/conferences/" in text and "http://127.0.0.1:8000/family/" in text
    html = message.alternatives[0][0]
    assert "My poster" in html
    assert AuditEntry.objects.filter(
        action="student.viewed", actor=world.guardian, data__via="weekly email"
    ).exists()
    assert digests_send() == (0, 1)  # not twice in a week
    assert len(mail.outbox) == 1


def test_a_guardian_who_turned_it_off_gets_none_and_a_dry_run_sends_none(week):
    world = week
    assert digests_send(dry_run=True) == (1, 1)
    assert not mail.outbox
    assert not AuditEntry.objects.filter(data__via="weekly email").exists()
    client = Client()
    client.force_login(world.guardian)
    assert "Turn the weekly email off" in client.get(reverse("guardian_home")).content.decode()
    client.post(reverse("agency:digest_choice"), {"weekly": "0"})
    assert "Turn the weekly email on" in client.get(reverse("guardian_home")).content.decode()
    assert digests_send() == (0, 1)
    assert not mail.outbox


def test_a_quiet_week_sends_nothing(world):
    Person.objects.filter(pk=world.guardian.pk).update(email="grace@example.org")
    assert digests_send() == (0, 1)


def test_the_command_says_what_it_did(week, capsys):
    class Args:
        dry_run = True

    assert digest_command(Args()) == 0
    assert "would send 1 weekly email (1 guardian considered)." in capsys.readouterr().out


def test_the_email_comes_in_the_language_the_guardian_chose(week):
    world = week
    Person.objects.filter(pk=world.guardian.pk).update(language="es")
    digests_send()
    [message] = mail.outbox
    assert message.subject.startswith("Esta semana:")
    assert "Esta es la semana de sus hijos." in message.body
