"""Correcting and withdrawing a rating in the pages: links on the evidence panel for those
who may, a form that starts from the rating and asks why, and the history keeping both."""

import pytest
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence
from proficio.mastery.models import MasteryRecord

pytestmark = pytest.mark.django_db


def panel_url(world):
    return reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])


def url(world, name, evidence):
    return reverse(
        f"mastery:{name}", args=[world.student.uuid, world.competency.uuid, evidence.uuid]
    )


@pytest.fixture
def ratings(world, rate):
    return [rate(level=4, days_ago=2), rate(level=4, days_ago=1)]


def test_the_panel_offers_correct_and_withdraw_on_current_ratings(client, world, ratings):
    client.force_login(world.teacher)
    text = client.get(panel_url(world)).content.decode()
    for rating in ratings:
        assert url(world, "evidence_correct", rating) in text
        assert url(world, "evidence_withdraw", rating) in text


@pytest.mark.parametrize("who", ["student", "guardian", "other_teacher", "other_district_teacher"])
def test_nobody_else_sees_the_links_or_opens_the_pages(client, world, ratings, who):
    client.force_login(getattr(world, who))
    panel = client.get(panel_url(world))
    assert "evidence_withdraw" not in panel.content.decode()
    assert "/withdraw/" not in panel.content.decode()
    for name in ("evidence_correct", "evidence_withdraw"):
        assert client.get(url(world, name, ratings[0])).status_code == 404
        assert client.post(url(world, name, ratings[0]), {"reason": "x"}).status_code == 404
    assert Evidence.objects.count() == 2


def test_a_correction_replaces_the_rating_with_a_reason(client, world, ratings):
    client.force_login(world.teacher)
    page = client.get(url(world, "evidence_correct", ratings[1])).content.decode()
    assert "Why are you correcting it?" in page
    assert 'value="4" id="id_level_3" required checked' in page
    form = {
        "stage": "1",
        "level": "2",
        "observed_on": timezone.localdate().isoformat(),
        "source": "observation",
        "feedback_present": "",
        "feedback_next": "",
    }
    refused = client.post(url(world, "evidence_correct", ratings[1]), form)
    assert refused.status_code == 422 and Evidence.objects.count() == 2

    saved = client.post(url(world, "evidence_correct", ratings[1]), {**form, "reason": "Misread"})

    assert saved.status_code == 302 and saved.url == panel_url(world)
    correction = Evidence.objects.get(supersedes=ratings[1])
    assert (correction.level, correction.reason, correction.withdrawn) == (2, "Misread", False)
    panel = client.get(panel_url(world)).content.decode()
    assert "replaced by a later correction" in panel and "Why corrected" in panel
    assert url(world, "evidence_correct", ratings[1]) not in panel  # only current ones
    assert AuditEntry.objects.filter(action="evidence.corrected").count() == 1


def test_a_withdrawal_takes_the_rating_out_of_mastery_and_keeps_it_in_the_history(
    client, world, ratings
):
    assert MasteryRecord.objects.get(stage__ordinal=1).mastered
    client.force_login(world.teacher)
    page = client.get(url(world, "evidence_withdraw", ratings[0]))
    assert "Withdraw a rating recorded in error" in page.content.decode()
    assert (
        client.post(url(world, "evidence_withdraw", ratings[0]), {"reason": ""}).status_code == 422
    )

    saved = client.post(url(world, "evidence_withdraw", ratings[0]), {"reason": "Wrong student"})

    assert saved.status_code == 302
    assert not MasteryRecord.objects.get(stage__ordinal=1).mastered  # one rating left of two
    panel = client.get(saved.url).content.decode()
    assert "Rating withdrawn: it stays in the history but no longer counts." in panel
    assert "withdrawn, no longer counted" in panel and "Wrong student" in panel
    assert Evidence.objects.count() == 3
    assert AuditEntry.objects.get(action="evidence.withdrawn").actor_id == world.teacher.pk
    assert AuditEntry.objects.filter(action="evidence.viewed", student=world.student).exists()


def test_a_school_admin_may_withdraw_a_teachers_rating(client, world, ratings):
    client.force_login(world.school_admin)
    response = client.post(url(world, "evidence_withdraw", ratings[0]), {"reason": "Duplicate"})
    assert response.status_code == 302
    assert Evidence.objects.filter(withdrawn=True, assessor=world.school_admin).count() == 1
