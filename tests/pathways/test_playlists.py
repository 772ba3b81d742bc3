"""Playlists as students and teachers use them: the playlist of a student's working stage,
its items opening by their rules, started and done by the student or marked by a teacher;
what is not theirs stays out of reach."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Competency
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.services import evidence_record
from proficio.pathways.data import ItemDraft, StageRef
from proficio.pathways.models import ItemProgress, Playlist
from proficio.pathways.selectors import next_steps, playlists_of_student
from proficio.pathways.services import item_mark_done, item_start, playlist_copy, playlist_create
from proficio.people.models import Role
from proficio.people.services import guardian_link
from tests.factories import make_competency, make_person

pytestmark = pytest.mark.django_db


def rate(world, competency, stage, level=4, days=1):
    return evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=competency,
        stage=stage,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=days),
        source="observation",
        feedback_next="Use a quotation for each reason.",
    )


@pytest.fixture
def other(world) -> Competency:
    return make_competency(world.framework, "W2")


@pytest.fixture
def playlist(world, other) -> Playlist:
    return playlist_create(
        author=world.teacher,
        stage=StageRef(world.competency, 1),
        title="Opinions with reasons",
        items=[
            ItemDraft(kind="reading", title="Read two opinion pieces", minutes=20),
            ItemDraft(kind="practice", title="Write three reasons", unlock="after_previous"),
            ItemDraft(
                kind="workshop",
                title="Debate workshop",
                mode="in_person",
                focus="challenge",
                unlock="after_mastery",
                needs=(StageRef(other, 1),),
            ),
        ],
    )


def states(world):
    [shown] = playlists_of_student(student=world.student)
    return [(s.state.open, s.state.done) for s in shown.items]


def test_the_playlist_of_the_working_stage_opens_item_by_item(world, playlist, other):
    assert states(world) == [(True, False), (False, False), (False, False)]
    first = playlist.items.first()
    item_mark_done(actor=world.student, student=world.student, item=first, is_open=True)
    assert states(world) == [(True, True), (True, False), (False, False)]

    rate(world, other, 1)
    rate(world, other, 1, days=2)
    rate(world, other, 1, days=3)
    assert states(world)[2] == (True, False)


def test_an_item_started_stays_open_when_mastery_is_lost(world, playlist, other):
    for days in (1, 2, 3):
        evidence = rate(world, other, 1, days=days)
    third = playlist.items.get(position=2)
    item_start(student=world.student, item=third, is_open=True)
    for days in (0, 0, 0, 0):
        rate(world, other, 1, level=1, days=days)  # mastery of the prerequisite is lost
    assert states(world)[2] == (True, False)
    assert evidence is not None


def test_a_student_may_not_start_or_finish_what_has_not_opened(world, playlist):
    locked = playlist.items.get(position=1)
    with pytest.raises(InvalidInput):
        item_start(student=world.student, item=locked, is_open=False)
    with pytest.raises(InvalidInput):
        item_mark_done(actor=world.student, student=world.student, item=locked, is_open=False)


def test_a_teacher_marks_an_item_done_for_a_student_and_it_is_audited(world, playlist):
    item = playlist.items.get(position=1)
    item_mark_done(actor=world.teacher, student=world.student, item=item, is_open=False)
    assert ItemProgress.objects.get().marked_done_by == world.teacher
    assert AuditEntry.objects.filter(action="playlist.progress_marked", student=world.student)


@pytest.mark.parametrize("who", ["classmate", "other_teacher", "guardian"])
def test_nobody_else_marks_a_students_progress(world, playlist, who):
    with pytest.raises(NotVisible):
        item_mark_done(
            actor=getattr(world, who),
            student=world.student,
            item=playlist.items.first(),
            is_open=True,
        )


def test_a_private_playlist_is_offered_only_to_its_authors_students(world, playlist):
    assert playlists_of_student(student=world.student)
    far = playlists_of_student(student=world.far_student)
    assert far == []


def test_a_copy_is_the_teachers_own(world, playlist):
    playlist.shared = True
    playlist.save()
    copy = playlist_copy(actor=world.other_teacher, playlist=playlist)
    assert copy.author == world.other_teacher and copy.items.count() == 3
    assert list(copy.items.get(position=2).needs.all()) == list(
        playlist.items.get(position=2).needs.all()
    )


def test_a_playlist_with_bad_items_is_refused_whole(world, other):
    with pytest.raises(InvalidInput) as refused:
        playlist_create(
            author=world.teacher,
            stage=StageRef(world.competency, 9),
            title="",
            items=[
                ItemDraft(kind="dance", title=""),
                ItemDraft(kind="video", title="Clip", url="javascript:alert(1)"),
                ItemDraft(kind="lesson", title="Later", unlock="after_mastery"),
            ],
        )
    assert set(refused.value.errors) == {"stage", "title", "items-1", "items-2", "items-3"}
    assert not Playlist.objects.exists()


def test_next_steps_put_what_matters_first_with_what_is_needed(world, playlist):
    rate(world, world.competency, 1, level=2)
    steps, _completed = next_steps(student=world.student)
    [step] = [s for s in steps if s.status.competency == world.competency]
    assert step.needed_next == "Use a quotation for each reason."
    assert step.playlists[0].playlist == playlist


def as_user(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_pages(world, playlist):
    page = as_user(world.student).get(reverse("pathways:next_steps")).content.decode()
    assert "Read two opinion pieces" in page and "Opens when the item before it is done." in page
    first = playlist.items.get(position=0)
    response = as_user(world.student).post(reverse("pathways:item_done", args=[first.uuid]))
    assert response.status_code == 302
    guardian_view = as_user(world.guardian).get(
        reverse("pathways:student_next_steps", args=[world.student.uuid])
    )
    assert guardian_view.status_code == 200 and "Mark done" not in guardian_view.content.decode()
    other_parent = make_person(world.district, "otherparent", Role.GUARDIAN, None)
    guardian_link(guardian=other_parent, student=world.classmate)
    assert (
        as_user(other_parent)
        .get(reverse("pathways:student_next_steps", args=[world.student.uuid]))
        .status_code
        == 404
    )
    teacher_page = as_user(world.teacher).get(reverse("pathways:playlist", args=[playlist.uuid]))
    assert "Debate workshop" in teacher_page.content.decode()
    assert as_user(world.student).get(reverse("pathways:playlists")).status_code == 404


def test_supports_are_recorded_by_the_students_staff_and_read_by_the_family(world):
    from proficio.pathways.supports import support_end, support_record, supports_now

    today = timezone.localdate()
    support = support_record(
        actor=world.teacher,
        student=world.student,
        kind="accommodation",
        description="Extra time on written work",
        starts_on=today,
    )
    with pytest.raises(NotVisible):
        support_record(
            actor=world.other_teacher,
            student=world.student,
            kind="tutoring",
            description="x",
            starts_on=today,
        )
    with pytest.raises(InvalidInput):
        support_record(
            actor=world.teacher,
            student=world.student,
            kind="magic",
            description="",
            starts_on=today + timedelta(days=2),
        )
    assert supports_now(user=world.teacher, students=[world.student]) == {
        world.student.pk: [support]
    }
    page = as_user(world.guardian).get(
        reverse("pathways:student_next_steps", args=[world.student.uuid])
    )
    assert "Extra time on written work" in page.content.decode()
    support_end(actor=world.teacher, support=support, ends_on=today, outcome="Worked well.")
    assert AuditEntry.objects.filter(action="support.recorded", student=world.student).count() == 2


def test_an_item_carries_a_checked_file_that_only_its_readers_open(
    world, playlist, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    add = reverse("pathways:item_add", args=[playlist.uuid])
    form = {
        "kind": "reading",
        "title": "Worksheet",
        "mode": "online",
        "focus": "core",
        "unlock": "open",
    }
    refused = as_user(world.teacher).post(
        add, {**form, "attachment": SimpleUploadedFile("sheet.html", b"<html><script>x</script>")}
    )
    assert refused.status_code == 422 and "is a web page" in refused.content.decode()
    added = as_user(world.teacher).post(
        add, {**form, "attachment": SimpleUploadedFile("sheet.pdf", b"%PDF-1.7\n%sheet\n")}
    )
    assert added.status_code == 302
    item = playlist.items.get(title="Worksheet")
    address = reverse("pathways:item_attachment", args=[item.uuid])
    response = as_user(world.student).get(address)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert as_user(world.far_student).get(address).status_code == 404


def test_progress_brought_in_from_before_keeps_its_time_and_never_a_future_one(world, playlist):
    first = playlist.items.first()
    then = timezone.now() - timedelta(days=10)
    progress = item_mark_done(
        actor=world.student, student=world.student, item=first, is_open=True, at=then
    )
    assert progress.started_at == progress.done_at == then
    with pytest.raises(InvalidInput):
        item_start(
            student=world.student,
            item=playlist.items.get(position=1),
            is_open=True,
            at=timezone.now() + timedelta(days=1),
        )
