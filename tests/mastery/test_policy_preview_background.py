"""A policy preview of a large scope is queued to the task worker: the page answers at once,
polls its progress, and shows the same result the in-request preview would."""

from dataclasses import asdict
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proficio.mastery.data import PolicyDraft
from proficio.mastery.models import MasteryPolicy, PolicyPreviewRun, PreviewState
from proficio.mastery.preview import proposal_json
from proficio.mastery.selectors import policy_preview, policy_preview_run_shown
from proficio.mastery.services import policy_preview_execute, policy_preview_start
from tests.mastery.test_policy_page import as_user, form
from tests.mastery.varied import varied_district

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def in_background(settings):
    """Every preview goes to the background, and the worker takes nothing until told to."""
    settings.PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS = 0
    settings.TASKS = DUMMY_TASKS


def polls(text: str) -> bool:
    return "hx-trigger" in text


def test_a_small_scope_is_still_previewed_in_the_request(client, world, rate, settings):
    settings.TASKS = DUMMY_TASKS
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)
    settings.PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS = 2  # exactly the scope's rows
    as_user(client, world, "district_admin")
    response = client.post(reverse("mastery:policy_preview"), form(), HTTP_HX_REQUEST="true")
    assert "1 stage newly mastered" in response.content.decode()
    assert not PolicyPreviewRun.objects.exists()


def test_a_large_scope_answers_at_once_then_shows_its_progress_and_result(
    client, world, rate, in_background
):
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)
    as_user(client, world, "district_admin")
    response = client.post(reverse("mastery:policy_preview"), form(), HTTP_HX_REQUEST="true")
    text = response.content.decode()
    run = PolicyPreviewRun.objects.get()
    assert response.status_code == 200 and run.state == PreviewState.QUEUED
    assert run.requested_by == world.district_admin
    part = reverse("mastery:policy_preview_run", args=[run.uuid])
    assert f'hx-get="{part}"' in text and "<progress" in text
    assert "newly mastered" not in text

    PolicyPreviewRun.objects.filter(pk=run.pk).update(
        state=PreviewState.RUNNING, students_done=2, students_total=5
    )
    running = client.get(part).content.decode()
    assert 'max="5" value="2"' in running and polls(running)

    PolicyPreviewRun.objects.filter(pk=run.pk).update(state=PreviewState.QUEUED)
    policy_preview_execute(preview_id=run.pk)
    done = client.get(part).content.decode()
    assert "1 stage newly mastered" in done
    assert "Student Tester, W1 stage 1: 1.7 → 3, would become mastered" in done
    assert not polls(done) and "<progress" not in done
    assert not MasteryPolicy.objects.filter(method="highest").exists()


def test_without_javascript_the_page_shows_the_queued_preview(client, world, rate, in_background):
    rate(level=3)
    as_user(client, world, "district_admin")
    response = client.post(reverse("mastery:policies"), form(action="preview"))
    run = PolicyPreviewRun.objects.get()
    assert response.status_code == 200
    assert reverse("mastery:policy_preview_run", args=[run.uuid]) in response.content.decode()


def test_a_backend_that_runs_at_once_shows_the_result_in_the_answer(client, world, rate, settings):
    settings.PROFICIO_POLICY_PREVIEW_BACKGROUND_ROWS = 0
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)
    as_user(client, world, "district_admin")
    response = client.post(reverse("mastery:policy_preview"), form(), HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert PolicyPreviewRun.objects.get().state == PreviewState.DONE
    assert "1 stage newly mastered" in text and not polls(text)


@pytest.mark.parametrize(
    "proposal",
    [
        {"method": "highest", "minimum_evidence": 1, "threshold": "3"},
        {"method": "mean", "minimum_evidence": 2, "threshold": "2.5"},
        {"method": "latest", "minimum_evidence": 1, "threshold": "2", "competency": "M1"},
        {"method": "mode", "minimum_evidence": 3, "threshold": "3", "school": True},
    ],
)
def test_the_background_result_equals_the_in_request_preview(
    world, in_background, settings, proposal
):
    varied = varied_district(world, ratings=12)
    settings.PROFICIO_RECOMPUTE_CHUNK_STUDENTS = 3  # several chunks, each reporting progress
    fields = dict(proposal)
    if fields.pop("school", False):
        fields["school"] = world.school
    if "competency" in fields:
        fields["competency"] = next(
            c for c in varied.competencies if c.code == fields["competency"]
        )
    draft = PolicyDraft(district=world.district, parameters={}, **fields)
    instant = policy_preview(user=world.district_admin, draft=draft)
    run = policy_preview_start(actor=world.district_admin, draft=draft)
    assert isinstance(run, PolicyPreviewRun) and run.state == PreviewState.QUEUED
    finished = policy_preview_execute(preview_id=run.pk)
    assert finished.students_done == finished.students_total > 3
    shown = policy_preview_run_shown(user=world.district_admin, run=finished)
    assert instant.students > 0
    assert proposal_json(shown.proposed) == proposal_json(instant.proposed)
    unsaved = {"seconds": 0, "proposed": None}  # unsaved policies are never equal as models
    assert {**asdict(shown), **unsaved} == {**asdict(instant), **unsaved}


def test_a_preview_nobody_works_on_stops_and_says_so(client, world, rate, in_background):
    rate(level=3)
    as_user(client, world, "district_admin")
    client.post(reverse("mastery:policy_preview"), form(), HTTP_HX_REQUEST="true")
    run = PolicyPreviewRun.objects.get()
    part = reverse("mastery:policy_preview_run", args=[run.uuid])
    long_ago = timezone.now() - timedelta(minutes=10)
    PolicyPreviewRun.objects.filter(pk=run.pk).update(created_at=long_ago)
    text = client.get(part).content.decode()
    assert "The preview stopped before it finished; try again." in text and not polls(text)
    # A worker that takes it that late leaves it alone: the admin has been told to ask again.
    assert policy_preview_execute(preview_id=run.pk) is None
    assert PolicyPreviewRun.objects.get().state == PreviewState.QUEUED


def test_a_preview_whose_worker_went_silent_stops(client, world, rate, in_background):
    rate(level=3)
    as_user(client, world, "district_admin")
    client.post(reverse("mastery:policy_preview"), form(), HTTP_HX_REQUEST="true")
    run = PolicyPreviewRun.objects.get()
    silent = timezone.now() - timedelta(minutes=4)
    PolicyPreviewRun.objects.filter(pk=run.pk).update(
        state=PreviewState.RUNNING, heartbeat_at=silent
    )
    text = client.get(reverse("mastery:policy_preview_run", args=[run.uuid])).content.decode()
    assert "try again" in text and not polls(text)


def test_old_previews_are_pruned_when_another_is_asked_for(client, world, rate, in_background):
    rate(level=3)
    as_user(client, world, "district_admin")
    client.post(reverse("mastery:policy_preview"), form(), HTTP_HX_REQUEST="true")
    PolicyPreviewRun.objects.update(created_at=timezone.now() - timedelta(days=2))
    client.post(reverse("mastery:policy_preview"), form(), HTTP_HX_REQUEST="true")
    assert PolicyPreviewRun.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["school_admin", "teacher", "student", "guardian", "other_district_teacher"]
)
def test_a_preview_is_only_for_the_admin_who_asked(client, world, rate, in_background, who):
    rate(level=3)
    as_user(client, world, "district_admin")
    client.post(reverse("mastery:policy_preview"), form(), HTTP_HX_REQUEST="true")
    part = reverse("mastery:policy_preview_run", args=[PolicyPreviewRun.objects.get().uuid])
    assert client.get(part).status_code == 200
    client.force_login(getattr(world, who))
    assert client.get(part).status_code == 404


def test_an_admin_who_lost_the_scope_no_longer_follows_its_preview(
    client, world, rate, in_background
):
    rate(level=3)
    as_user(client, world, "school_admin")
    scope = f"school-{world.school.uuid}"
    client.post(reverse("mastery:policy_preview"), form(scope=scope), HTTP_HX_REQUEST="true")
    run = PolicyPreviewRun.objects.get()
    assert run.school == world.school
    part = reverse("mastery:policy_preview_run", args=[run.uuid])
    assert client.get(part).status_code == 200
    PolicyPreviewRun.objects.update(school=world.other_school)
    assert client.get(part).status_code == 404
