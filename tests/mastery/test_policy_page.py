"""The policy page and its parts answer each role as the rules say, and do what they show."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proficio.mastery.models import MasteryPolicy, RecomputeRun, RecomputeState

pytestmark = pytest.mark.django_db

FORM = {
    "scope": "district",
    "method": "highest",
    "minimum_evidence": "1",
    "threshold": "3",
    "higher_implies_lower": "on",
}


def form(**changes):
    return {**FORM, "effective_from": timezone.localdate().isoformat(), **changes}


def receipt_of(page) -> str:
    """The signed receipt a preview hands to the save that follows it."""
    found = re.search(r'name="preview_receipt" value="([^"]+)"', page.content.decode())
    assert found, "the preview carries a receipt"
    return found.group(1)


def save(client, data, *, confirm=False):
    """Preview, then save what was previewed (confirming a loss of mastery if asked)."""
    shown = client.post(reverse("mastery:policies"), {**data, "action": "preview"})
    saving = {**data, "action": "save", "preview_receipt": receipt_of(shown)}
    if confirm:
        losses = re.search(r'name="confirm_losses" value="(\d+)"', shown.content.decode())
        saving["confirm_losses"] = losses.group(1)
    return client.post(reverse("mastery:policies"), saving)


def as_user(client, world, who):
    if who is not None:
        client.force_login(getattr(world, who))
    return client


NOT_ADMINS = ["teacher", "student", "guardian", "other_district_teacher"]


@pytest.mark.parametrize(("who", "status"), [("district_admin", 200), ("school_admin", 200)])
def test_the_page_opens_for_admins(client, world, who, status):
    assert as_user(client, world, who).get(reverse("mastery:policies")).status_code == status


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_the_page_does_not_exist_for_anyone_else(client, world, who):
    assert as_user(client, world, who).get(reverse("mastery:policies")).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("mastery:policies"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_school_admin_sees_and_sets_only_their_school(client, world):
    page = as_user(client, world, "school_admin").get(reverse("mastery:policies"))
    text = page.content.decode()
    assert f'value="school-{world.school.uuid}"' in text
    assert f"school-{world.other_school.uuid}" not in text
    assert 'value="district"' not in text
    response = client.post(reverse("mastery:policies"), form(scope="district"))
    assert response.status_code == 422
    assert not MasteryPolicy.objects.filter(created_by=world.school_admin).exists()
    response = save(client, form(scope=f"school-{world.school.uuid}"))
    assert response.status_code == 302
    assert MasteryPolicy.objects.get(created_by=world.school_admin).school == world.school


def test_the_district_admin_sees_every_school_and_framework(client, world):
    text = as_user(client, world, "district_admin").get(reverse("mastery:policies")).content
    for key in (
        f"school-{world.school.uuid}",
        f"school-{world.other_school.uuid}",
        f"framework-{world.framework.uuid}",
        f"competency-{world.competency.uuid}",
    ):
        assert key.encode() in text


def test_each_choice_is_explained_next_to_it(client, world):
    text = as_user(client, world, "district_admin").get(reverse("mastery:policies")).content
    text = text.decode()
    for words in (
        "The narrowest one in force wins",
        "Each new rating counts for a share",  # the default method, decaying average
        "not enough evidence yet",
        "mastery level",
        "every lower stage counts as mastered too",
        "do not move the result",
        "takes effect",
    ):
        assert words in text


def test_switching_method_shows_that_methods_settings(client, world):
    as_user(client, world, "district_admin")
    response = client.get(
        reverse("mastery:policy_form"), {**form(method="median_recent"), "minimum_evidence": "4"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert 'name="median_recent__n"' in text and 'name="decaying_average__rate"' not in text
    assert re.search(r'name="minimum_evidence"[^>]*value="4"', text)


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_the_parts_do_not_exist_for_anyone_else(client, world, who):
    as_user(client, world, who)
    assert client.get(reverse("mastery:policy_form")).status_code == 404
    assert client.post(reverse("mastery:policy_preview"), form()).status_code == 404
    assert client.post(reverse("mastery:policies"), form()).status_code == 404


def test_preview_shows_the_effect_and_saves_nothing(client, world, rate):
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)
    as_user(client, world, "district_admin")
    response = client.post(reverse("mastery:policy_preview"), form(), HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200
    assert "1 stage newly mastered" in text
    assert "Student Tester, W1 stage 1: 1.7 → 3, would become mastered" in text
    assert not MasteryPolicy.objects.filter(method="highest").exists()


def test_preview_without_javascript_is_the_page_with_the_preview(client, world, rate):
    rate(level=3)
    as_user(client, world, "district_admin")
    response = client.post(reverse("mastery:policies"), form(action="preview"))
    assert response.status_code == 200
    assert "What this change would do" in response.content.decode()
    assert not MasteryPolicy.objects.filter(method="highest").exists()


def test_a_preview_of_a_later_change_names_its_day(client, world, rate):
    rate(level=3)
    as_user(client, world, "district_admin")
    day = timezone.localdate() + timedelta(days=30)
    response = client.post(reverse("mastery:policy_preview"), form(effective_from=day.isoformat()))
    text = response.content.decode()
    assert f"What this change would do from {day.day} {day:%b %Y}" in text
    assert "against the policies in force on that day" in text


def test_a_bad_preview_names_the_field(client, world):
    as_user(client, world, "district_admin")
    response = client.post(reverse("mastery:policy_preview"), form(threshold="7"))
    assert response.status_code == 422
    assert "Mastery threshold: Use a level between 1 and 4" in response.content.decode()


def test_saving_recomputes_and_shows_the_recompute(client, world, rate):
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)
    as_user(client, world, "district_admin")
    response = save(client, form())
    assert response.status_code == 302
    run = RecomputeRun.objects.get(policy__method="highest")
    assert response.url.endswith(f"?run={run.uuid}#recompute")
    assert run.state == RecomputeState.DONE
    page = client.get(response.url).content.decode()
    assert "Saved version 2 of the policy" in page and f'id="run-{run.uuid}"' in page
    part = client.get(reverse("mastery:recompute_run", args=[run.uuid]))
    assert part.status_code == 200 and "Done" in part.content.decode()
    assert "hx-trigger" not in part.content.decode()  # finished: no more polling


def test_an_unfinished_recompute_asks_again(client, world):
    policy = MasteryPolicy.objects.create(
        district=world.district, method="mean", threshold=3, effective_from=timezone.localdate()
    )
    run = RecomputeRun.objects.create(
        district=world.district, policy=policy, enqueued_at=timezone.now()
    )
    as_user(client, world, "district_admin")
    part = client.get(reverse("mastery:recompute_run", args=[run.uuid])).content.decode()
    assert 'hx-trigger="every 2s"' in part and "Waiting for the background worker" in part


@pytest.mark.parametrize(
    ("who", "status"),
    [("district_admin", 200), ("school_admin", 404), ("teacher", 404), ("guardian", 404)],
)
def test_a_district_recompute_is_seen_only_by_its_district_admins(client, world, who, status):
    policy = MasteryPolicy.objects.create(
        district=world.district, method="mean", threshold=3, effective_from=timezone.localdate()
    )
    run = RecomputeRun.objects.create(
        district=world.district, policy=policy, enqueued_at=timezone.now()
    )
    response = as_user(client, world, who).get(reverse("mastery:recompute_run", args=[run.uuid]))
    assert response.status_code == status


def test_the_student_panel_shows_what_a_stage_read_before_a_change(client, world, rate):
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)
    as_user(client, world, "district_admin")
    assert save(client, form()).status_code == 302
    day = timezone.localdate().strftime("%-d %b %Y")
    for who in ("teacher", "guardian", "student"):
        client.force_login(getattr(world, who))
        url = reverse(
            "mastery:student_competency", args=[world.student.uuid, world.competency.uuid]
        )
        text = client.get(url).content.decode()
        assert (
            f"Under the previous policy (Decaying average, v1, until {day}) stage 1 read 1.7."
            in text
        ), who


def test_admins_find_the_page_in_the_navigation(client, world):
    as_user(client, world, "school_admin")
    assert reverse("mastery:policies") in client.get(reverse("home")).content.decode()
    client.force_login(world.teacher)
    assert reverse("mastery:policies") not in client.get(reverse("home")).content.decode()


def test_choosing_a_scope_starts_from_the_policy_in_force_there(client, world):
    MasteryPolicy.objects.create(
        district=world.district,
        method="median_recent",
        parameters={"n": 4},
        minimum_evidence=3,
        threshold=3,
        effective_from=timezone.localdate(),
    )
    as_user(client, world, "district_admin")
    response = client.get(
        reverse("mastery:policy_form"), {"scope": f"competency-{world.competency.uuid}"}
    )
    text = response.content.decode()
    assert re.search(r'<option value="median_recent" selected', text)
    assert re.search(r'name="median_recent__n"[^>]*value="4"', text)
    assert re.search(r'name="minimum_evidence"[^>]*value="3"', text)


# ---- a save goes ahead only for what was previewed, and a loss of mastery is confirmed


def test_saving_without_a_preview_shows_the_preview_and_saves_nothing(client, world, rate):
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)
    as_user(client, world, "district_admin")
    response = client.post(reverse("mastery:policies"), form(action="save"))
    assert response.status_code == 422
    text = response.content.decode()
    assert "Nothing is saved yet: check below what this change would do" in text
    assert "would become mastered: highest rating 3 reaches 3 with 2 ratings" in text
    assert not MasteryPolicy.objects.filter(method="highest").exists()


def test_a_receipt_of_another_proposal_does_not_save(client, world):
    as_user(client, world, "district_admin")
    shown = client.post(reverse("mastery:policies"), form(action="preview"))
    response = client.post(
        reverse("mastery:policies"),
        form(action="save", threshold="4", preview_receipt=receipt_of(shown)),
    )
    assert response.status_code == 422
    response = client.post(
        reverse("mastery:policies"), form(action="save", preview_receipt="forged:token")
    )
    assert response.status_code == 422
    assert not MasteryPolicy.objects.filter(method="highest").exists()


def test_a_change_that_removes_mastery_needs_the_counts_confirmed(client, world, rate):
    rate(level=3, days_ago=2)
    rate(level=3, days_ago=1)
    strict = form(method="mean", minimum_evidence="3")
    as_user(client, world, "district_admin")
    shown = client.post(reverse("mastery:policies"), {**strict, "action": "preview"})
    text = shown.content.decode()
    assert "Saving removes mastery from 1 student</strong> (1 stage)" in text
    assert "would no longer be mastered: the result is now the mean; now needs 3 ratings" in text

    unconfirmed = {**strict, "action": "save", "preview_receipt": receipt_of(shown)}
    response = client.post(reverse("mastery:policies"), unconfirmed)
    assert response.status_code == 422
    assert "removes mastery from 1 student (1 stages)" in response.content.decode()
    assert not MasteryPolicy.objects.filter(method="mean").exists()

    confirmed = client.post(reverse("mastery:policies"), {**unconfirmed, "confirm_losses": "1"})
    assert confirmed.status_code == 302
    assert MasteryPolicy.objects.get(method="mean").minimum_evidence == 3


def test_an_override_is_removed_from_the_page(client, world, rate):
    rate(level=4, days_ago=2)
    rate(level=2, days_ago=1)
    key = f"school-{world.school.uuid}"
    as_user(client, world, "district_admin")
    assert save(client, form(scope=key)).status_code == 302
    page = client.get(reverse("mastery:policies")).content.decode()
    assert f"?remove={key}#change-heading" in page and "Remove this override" in page

    asked = client.get(reverse("mastery:policies"), {"remove": key}).content.decode()
    assert "Remove the policy of its own from North" in asked
    removal = {"removal": "1", "scope": key, "effective_from": timezone.localdate().isoformat()}
    response = save(client, removal, confirm=True)

    assert response.status_code == 302
    removed = MasteryPolicy.objects.get(school=world.school, version=2)
    assert removed.inherits
    page = client.get(response.url).content.decode()
    assert "North now follows the broader policy (version 2)." in page
    assert "In force: follows the broader policy" in page and "Remove this override" not in page


def test_a_district_scope_cannot_be_removed_from_the_page(client, world):
    as_user(client, world, "district_admin")
    removal = {"removal": "1", "scope": "district", "effective_from": "2030-01-01"}
    response = client.post(reverse("mastery:policies"), {**removal, "action": "save"})
    assert response.status_code == 422
    assert not MasteryPolicy.objects.filter(inherits=True).exists()


def test_an_earlier_version_is_restored_from_the_page(client, world):
    as_user(client, world, "district_admin")
    assert save(client, form()).status_code == 302
    assert save(client, form(method="latest")).status_code == 302
    page = client.get(reverse("mastery:policies")).content.decode()
    assert "restore=2" in page and "Restore v2" in page

    filled = client.get(reverse("mastery:policies"), {"scope": "district", "restore": "2"})
    text = filled.content.decode()
    assert "The settings of version 2 are filled in below" in text
    assert '<option value="highest" selected>' in text
    response = save(client, form(restores="2"))

    assert response.status_code == 302
    restored = MasteryPolicy.objects.get(version=4)
    assert (restored.method, restored.restores) == ("highest", 2)
    assert "restoring version 2" in client.get(response.url).content.decode()


# ---- a competency made of parts


def test_a_competency_with_parts_is_set_to_roll_up_from_the_page(client, world, rate):
    from proficio.frameworks.models import Competency
    from tests.factories import make_competency

    parent = make_competency(world.framework, "WR", stages=3)
    Competency.objects.filter(pk=world.competency.pk).update(parent=parent)
    other = make_competency(world.framework, "WR.B", stages=3)
    Competency.objects.filter(pk=other.pk).update(parent=parent)
    rate(level=3, days_ago=3)
    as_user(client, world, "district_admin")
    scope = f"competency-{parent.uuid}"
    shown = client.get(reverse("mastery:policy_form"), {"scope": scope}).content.decode()
    assert f'name="part__{world.competency.code}__points"' in shown
    assert 'name="part__WR.B__required"' in shown

    wrong = client.post(
        reverse("mastery:policies"),
        {**form(scope=scope), "rollup": "points", "rollup_base": "9", "action": "preview"},
    )
    assert "worth 2 points in all" in wrong.content.decode()

    response = save(
        client,
        form(
            scope=scope,
            rollup="points",
            rollup_base="2",
            **{f"part__{world.competency.code}__points": "1.5", "part__WR.B__required": "on"},
        ),
    )
    assert response.status_code in (200, 302)
    saved = MasteryPolicy.objects.get(competency=parent)
    assert saved.rollup == "points"
    assert saved.rollup_parts == {
        world.competency.code: {"points": 1.5, "required": False},
        "WR.B": {"points": 1, "required": True},
    }
    overview = client.get(reverse("mastery:policies")).content.decode()
    assert "2 points from mastered parts" in overview
