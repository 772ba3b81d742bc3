"""The demo's pathways: playlists for the stages students work at, students part-way through
them (the login student with items done, open and locked), supports, flexible groups the
login teacher forms across sections, and advancement — one accelerated, one "not yet"."""

import pytest
from django.db import transaction
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.demo import load_demo
from proficio.demo.playlists import PLAYLISTS
from proficio.frameworks.models import Competency
from proficio.mastery.api import students_mastery
from proficio.pathways.api import next_steps
from proficio.pathways.models import (
    Advancement,
    AdvancementGate,
    FlexibleGroup,
    ItemProgress,
    Playlist,
    PlaylistItem,
    Support,
)
from proficio.people.models import Enrollment, Person, Section
from proficio.work.models import Task

pytestmark = pytest.mark.django_db
STUDENTS = 30


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small demo for the whole module, rolled back at the end."""
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    )
    with django_db_blocker.unblock(), settings, transaction.atomic():
        yield load_demo(students=STUDENTS)
        transaction.set_rollback(True)


def person(username: str) -> Person:
    return Person.objects.get(username=username)


def signed_in(who: str | Person) -> Client:
    client = Client()
    client.force_login(who if isinstance(who, Person) else person(who))
    return client


def working_stage(student: Person, code: str) -> int | None:
    (status,) = [
        s for s in students_mastery(students=[student])[student.pk] if s.competency.code == code
    ]
    return status.working.stage.ordinal if status.working else None


# Playlists


def test_every_competency_has_a_playlist_for_each_stage_most_students_work_at(demo):
    for competency in Competency.objects.all():
        stages = set(
            Playlist.objects.filter(stage__competency=competency).values_list(
                "stage__ordinal", flat=True
            )
        )
        assert {2, 3, 4} <= stages, competency.code
    for playlist in Playlist.objects.prefetch_related("items"):
        assert 4 <= playlist.items.count() <= 6, playlist.title
        assert playlist.description
    assert Playlist.objects.count() == len(PLAYLISTS)


def test_playlists_mix_kinds_modes_focus_and_rules_some_shared_some_private(demo):
    items = PlaylistItem.objects.all()
    assert set(items.values_list("kind", flat=True)) == {
        "reading",
        "video",
        "practice",
        "lesson",
        "workshop",
        "task",
    }
    assert set(items.values_list("mode", flat=True)) == {"online", "in_person"}
    assert set(items.values_list("focus", flat=True)) == {"core", "additional", "challenge"}
    assert set(items.values_list("unlock", flat=True)) == {
        "open",
        "after_previous",
        "after_mastery",
    }
    assert not items.filter(minutes__isnull=True).exists()
    assert set(Playlist.objects.values_list("shared", flat=True)) == {True, False}
    # Workshops happen face to face; links go to public resources over https.
    assert not items.filter(kind="workshop").exclude(mode="in_person").exists()
    for url in items.exclude(url="").values_list("url", flat=True):
        assert url.startswith("https://"), url
    assert not items.filter(kind="video", url="").exists()


def test_after_mastery_items_name_a_stage_of_another_competency(demo):
    gated = PlaylistItem.objects.filter(unlock="after_mastery").select_related("playlist__stage")
    assert gated.exists()
    for item in gated:
        needs = list(item.needs.all())
        assert needs
        assert all(s.competency_id != item.playlist.stage.competency_id for s in needs)


def test_task_items_link_the_demo_task_of_the_playlists_competency_and_stage(demo):
    tasks = PlaylistItem.objects.filter(kind="task").select_related("task", "playlist__stage")
    assert tasks.count() >= 5
    linked = set()
    for item in tasks:
        stage = item.playlist.stage
        assert item.task is not None
        aligned = set(item.task.alignments.values_list("stage_id", flat=True))
        assert stage.pk in aligned, item.title
        assert item.title == item.task.title
        linked.add(item.task.pk)
    assert linked == set(Task.objects.values_list("pk", flat=True))


# Progress


def test_some_students_are_part_way_through_a_playlist(demo):
    progress = ItemProgress.objects.all()
    students = set(progress.values_list("student_id", flat=True))
    assert len(students) > 3
    assert progress.filter(done_at__isnull=False).exists()
    assert progress.filter(done_at__isnull=True).exists()
    # Every item was started at the working stage of its playlist.
    for row in progress.select_related("student", "item__playlist__stage__competency"):
        stage = row.item.playlist.stage
        assert working_stage(row.student, stage.competency.code) == stage.ordinal


def test_teachers_mark_the_workshops_they_ran_done_for_their_students(demo):
    marked = ItemProgress.objects.exclude(marked_done_by=None).exclude(
        marked_done_by_id=F("student_id")
    )
    assert marked.exists()
    assert not marked.exclude(item__kind="workshop").exists()
    assert AuditEntry.objects.filter(action="playlist.progress_marked").count() == marked.count()


def test_the_login_student_has_items_done_open_and_locked_on_her_next_steps(demo):
    amara = person("student")
    steps, _completed = next_steps(student=amara)
    states = {
        "done" if shown.state.done else "open" if shown.state.open else "locked"
        for step in steps
        for playlist in step.playlists
        for shown in playlist.items
    }
    assert states == {"done", "open", "locked"}
    started = [
        shown
        for step in steps
        for playlist in step.playlists
        for shown in playlist.items
        if shown.progress and not shown.state.done
    ]
    assert started  # the item she is on now
    page = signed_in("student").get(reverse("pathways:next_steps"))
    assert page.status_code == 200
    html = page.content.decode()
    for state in ("done", "open", "locked"):
        assert f"playlist-item--{state}" in html
    assert "marked by Elena Márquez" in html
    assert "Opens when W2 stage 4 is mastered." in html


def test_the_login_student_stays_in_her_studio(demo):
    amara = person("student")
    assert Section.objects.filter(name="Birch Studio", students=amara).exists()
    assert not Advancement.objects.filter(student=amara).exists()


# Supports


def test_supports_an_accommodation_small_groups_and_tutoring_some_ended(demo):
    supports = Support.objects.select_related("student", "recorded_by")
    kinds = set(supports.values_list("kind", flat=True))
    assert {"accommodation", "small_group", "tutoring", "intervention"} <= kinds
    accommodation = supports.get(kind="accommodation")
    assert accommodation.student.last_name == "Okafor"  # the guardian login's son
    ended = supports.exclude(ends_on=None)
    assert ended.count() >= 2
    assert all(s.outcome and s.ends_on >= s.starts_on for s in ended)
    assert supports.filter(ends_on=None, kind="small_group").exists()
    today = timezone.localdate()
    assert all(s.starts_on <= today for s in supports)
    assert all(s.recorded_by.teaches.filter(students=s.student).exists() for s in supports)


# Flexible groups


def test_the_login_teacher_forms_groups_across_sections_and_ages(demo):
    teacher = person("teacher")
    groups = FlexibleGroup.objects.select_related("group", "stage__competency")
    assert groups.count() >= 2
    assert all(g.created_by == teacher for g in groups)
    across = []
    for flexible in groups:
        members = Person.objects.filter(
            pk__in=flexible.group.memberships.filter(left_at=None).values("student_id")
        )
        assert members.exists()
        assert teacher in flexible.group.teachers.all()
        for member in members:
            code = flexible.stage.competency.code
            assert working_stage(member, code) == flexible.stage.ordinal
        studios = set(
            Enrollment.objects.filter(student__in=members, active=True)
            .filter(section__name__endswith="Studio")
            .values_list("section__name", flat=True)
        )
        if len(studios) > 1:
            across.append(flexible)
    assert across, "a group holds students of more than one section"
    grouped = FlexibleGroup.objects.values("group__memberships__student_id")
    assert Person.objects.filter(pk__in=grouped).values("age_grade").distinct().count() > 1
    # A group meets on every school day, so Today shows one.
    assert set().union(*(g.weekdays for g in groups)) >= {0, 1, 2, 3, 4}
    page = signed_in("teacher").get(reverse("pathways:groups")).content.decode()
    for flexible in groups:
        assert flexible.group.name in page


def test_today_shows_a_group_meeting_on_a_school_day(demo):
    page = signed_in("teacher").get(reverse("pathways:today"))
    assert page.status_code == 200
    if timezone.localdate().weekday() < 5:
        names = FlexibleGroup.objects.values_list("group__name", flat=True)
        assert any(name in page.content.decode() for name in names)


# Advancement


def test_the_gate_is_advisory_with_no_standardized_result_needed(demo):
    gate = AdvancementGate.objects.get()
    assert gate.mode == "advisory"


def test_one_student_is_accelerated_into_a_section_of_the_next_course(demo):
    (accelerated,) = Advancement.objects.filter(kind="acceleration").select_related(
        "course", "next_course", "placed_in", "from_section", "student"
    )
    assert accelerated.decision == "advance"
    assert accelerated.proposal_note and accelerated.rationale
    assert accelerated.teacher_confirmed_at and accelerated.student_confirmed_at
    assert accelerated.placed_in.course == accelerated.next_course == accelerated.course.next_course
    student = accelerated.student
    assert Enrollment.objects.get(section=accelerated.placed_in, student=student).active
    assert not Enrollment.objects.get(section=accelerated.from_section, student=student).active
    # Not every target was mastered: acceleration, not a completed course.
    assert not Advancement.objects.filter(student=student, kind="course").exists()


def test_one_student_is_told_not_yet_with_why_and_what_comes_next(demo):
    (not_yet,) = Advancement.objects.filter(decision="not_yet")
    assert not_yet.kind == "course"  # Proficio proposed it: the course is complete
    assert not_yet.rationale and not_yet.next_steps
    assert not_yet.student.first_name in not_yet.rationale
    assert not_yet.placed_in is None


def test_a_proposal_waits_for_the_student_to_say_i_am_ready(demo):
    waiting = Advancement.objects.filter(
        decision="", teacher_confirmed_at__isnull=False, student_confirmed_at=None
    )
    (advancement,) = waiting
    page = signed_in(advancement.student).get(
        reverse("pathways:advancement", args=[advancement.uuid])
    )
    html = page.content.decode()
    assert "Waits for the student to confirm" in html
    assert "I am ready" in html


def test_playlist_progress_is_spread_over_school_days(demo):
    days = {progress.started_at.date() for progress in ItemProgress.objects.all()}
    assert len(days) > 3
    assert all(day.weekday() < 5 for day in days)
