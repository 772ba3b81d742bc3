"""Writes of the pathways app: playlists and students' progress on them. Each checks
everything first and tells every problem at once, writes in one transaction, and is audited
when it touches a student's record."""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from proficio.audit import api as audit
from proficio.frameworks.api import Stage
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.files.uploads import checked_kinds, upload_name
from proficio.lib.moments import moment
from proficio.pathways.data import ItemDraft, StageRef
from proficio.pathways.models import (
    Focus,
    ItemKind,
    ItemProgress,
    Mode,
    Playlist,
    PlaylistItem,
    UnlockRule,
)
from proficio.pathways.permissions import (
    may_mark_progress,
    may_see_playlist,
    may_write_playlist,
    may_write_playlists,
)
from proficio.people.api import Person
from proficio.work.api import may_see_task

TITLE_MAX = 300
ITEMS_MAX = 40


def _stage_of(author: Person, ref: StageRef, errors: dict, key: str) -> Stage | None:
    competency = ref.competency
    if competency.framework.district_id != author.district_id:
        errors[key] = f"{competency.code} is not your district's."
        return None
    stage = next((s for s in competency.stages.all() if s.ordinal == ref.stage), None)
    if stage is None:
        errors[key] = f"{competency.code} has no stage {ref.stage}."
    return stage


@transaction.atomic
def playlist_create(
    *,
    author: Person,
    stage: StageRef,
    title: str,
    description: str = "",
    shared: bool = False,
    items: Sequence[ItemDraft] = (),
) -> Playlist:
    """A teacher (or admin) writes a playlist for one competency stage of their district."""
    if not may_write_playlists(author):
        raise NotVisible("No playlists to write here.")
    errors: dict[str, str] = {}
    found = _stage_of(author, stage, errors, "stage")
    if found is not None and found.retired:
        errors["stage"] = f"Stage {stage.stage} of {stage.competency.code} is retired."
    title = title.strip()
    if not title:
        errors["title"] = "Give the playlist a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    checked = [
        _checked_item(author, draft, errors, f"items-{n}") for n, draft in enumerate(items, 1)
    ]
    if errors:
        raise InvalidInput(errors)
    playlist = Playlist.objects.create(
        district_id=author.district_id,
        stage=found,
        title=title,
        description=description.strip(),
        author=author,
        shared=shared,
    )
    for position, (draft, needs) in enumerate(checked):
        _item_create(playlist, draft, needs, position)
    audit.record(
        actor=author,
        action=audit.PLAYLIST_WRITTEN,
        district_id=playlist.district_id,
        target=playlist,
        data={"title": title, "stage": str(found), "items": len(checked)},
    )
    return playlist


def _checked_item(
    author: Person, draft: ItemDraft, errors: dict, key: str
) -> tuple[ItemDraft, list[Stage]]:
    problems = []
    if draft.kind not in ItemKind.values:
        problems.append("Choose what kind of item it is.")
    if not draft.title.strip():
        problems.append("Give the item a title.")
    elif len(draft.title.strip()) > TITLE_MAX:
        problems.append(f"Keep the title under {TITLE_MAX} characters.")
    if draft.mode not in Mode.values:
        problems.append("Online or in person.")
    if draft.focus not in Focus.values:
        problems.append("Core, additional or challenge.")
    if draft.unlock not in UnlockRule.values:
        problems.append("Open, after the item before it, or after mastery.")
    if draft.minutes is not None and not 0 < draft.minutes <= 600:
        problems.append("Minutes between 1 and 600.")
    if draft.url:
        try:
            URLValidator(schemes=["http", "https"])(draft.url)
        except ValidationError:
            problems.append("A link starts with https:// (or http://).")
    if draft.attachment is not None:
        file_errors: dict[str, str] = {}
        checked_kinds([draft.attachment], file_errors)
        problems.extend(file_errors.values())
    if draft.kind == ItemKind.TASK and (draft.task is None or not may_see_task(author, draft.task)):
        problems.append("Choose a performance task you can see.")
    needs = []
    for ref in draft.needs:
        stage = _stage_of(author, ref, {}, "needs")
        if stage is None:
            problems.append(f"{ref.competency.code} has no stage {ref.stage} in your district.")
        else:
            needs.append(stage)
    if draft.unlock == UnlockRule.AFTER_MASTERY and not draft.needs:
        problems.append("Name the stages to master before it opens.")
    if problems:
        errors[key] = " ".join(problems)
    return draft, needs


def _item_create(
    playlist: Playlist, draft: ItemDraft, needs: list[Stage], position: int
) -> PlaylistItem:
    item = PlaylistItem.objects.create(
        playlist=playlist,
        position=position,
        kind=draft.kind,
        title=draft.title.strip(),
        minutes=draft.minutes,
        mode=draft.mode,
        url=draft.url,
        task=draft.task if draft.kind == ItemKind.TASK else None,
        focus=draft.focus,
        unlock=draft.unlock,
    )
    if draft.attachment is not None:
        upload = draft.attachment
        content_type = checked_kinds([upload], {})[0]
        upload.seek(0)
        item.attachment.save(upload_name(upload), upload, save=False)
        item.attachment_name = upload_name(upload)
        item.attachment_type = content_type
        item.attachment_size = upload.size
        item.save(
            update_fields=["attachment", "attachment_name", "attachment_type", "attachment_size"]
        )
    if draft.unlock == UnlockRule.AFTER_MASTERY:
        item.needs.set(needs)
    return item


@transaction.atomic
def item_add(*, actor: Person, playlist: Playlist, draft: ItemDraft) -> PlaylistItem:
    """One more item at the end of a playlist its writer may change."""
    if not may_write_playlist(actor, playlist):
        raise NotVisible(f"No playlist {playlist.uuid}.")
    errors: dict[str, str] = {}
    _, needs = _checked_item(actor, draft, errors, "item")
    if playlist.items.count() >= ITEMS_MAX:
        errors["item"] = f"A playlist holds at most {ITEMS_MAX} items."
    if errors:
        raise InvalidInput(errors)
    item = _item_create(playlist, draft, needs, playlist.items.count())
    audit.record(
        actor=actor,
        action=audit.PLAYLIST_WRITTEN,
        district_id=playlist.district_id,
        target=playlist,
        data={"item": item.title},
    )
    return item


@transaction.atomic
def playlist_copy(*, actor: Person, playlist: Playlist) -> Playlist:
    """A teacher copies a playlist they can see into one of their own, to change freely."""
    if not may_write_playlists(actor) or not may_see_playlist(actor, playlist):
        raise NotVisible(f"No playlist {playlist.uuid}.")
    copy = Playlist.objects.create(
        district_id=playlist.district_id,
        stage=playlist.stage,
        title=playlist.title,
        description=playlist.description,
        author=actor,
        copied_from=playlist,
    )
    for item in playlist.items.prefetch_related("needs"):
        needs = list(item.needs.all())
        fresh = PlaylistItem.objects.create(
            playlist=copy,
            position=item.position,
            kind=item.kind,
            title=item.title,
            minutes=item.minutes,
            mode=item.mode,
            url=item.url,
            task=item.task,
            focus=item.focus,
            unlock=item.unlock,
            # The same stored file, named again: a copy shares the reading, never rewrites it.
            attachment=item.attachment.name,
            attachment_name=item.attachment_name,
            attachment_type=item.attachment_type,
            attachment_size=item.attachment_size,
        )
        fresh.needs.set(needs)
    audit.record(
        actor=actor,
        action=audit.PLAYLIST_WRITTEN,
        district_id=copy.district_id,
        target=copy,
        data={"title": copy.title, "copied_from": str(playlist.uuid)},
    )
    return copy


def _when(at: datetime | None) -> datetime:
    """`at`, or now; a time ahead of now is refused."""
    errors: dict[str, str] = {}
    when = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    return when


@transaction.atomic
def item_start(
    *, student: Person, item: PlaylistItem, is_open: bool, at: datetime | None = None
) -> ItemProgress:
    """The student opens an item that is open for them: from now on it stays open for them,
    whatever later ratings say (ADR 0034). `is_open` is the state the student was shown;
    `at`, when it was started if not now (never ahead of now)."""
    if not may_mark_progress(student, student) or not may_see_playlist(student, item.playlist):
        raise NotVisible(f"No item {item.uuid}.")
    progress = ItemProgress.objects.filter(student=student, item=item).first()
    if progress is not None:
        return progress
    if not is_open:
        raise InvalidInput({"item": "This item has not opened for you yet."})
    try:
        with transaction.atomic():
            return ItemProgress.objects.create(student=student, item=item, started_at=_when(at))
    except IntegrityError:  # a second click at the same moment: the first one stands
        return ItemProgress.objects.get(student=student, item=item)


@transaction.atomic
def item_mark_done(
    *,
    actor: Person,
    student: Person,
    item: PlaylistItem,
    is_open: bool,
    at: datetime | None = None,
) -> ItemProgress:
    """The student, or a teacher who serves them, marks an item done; a teacher's mark on a
    student's record is audited."""
    if not may_mark_progress(actor, student) or not may_see_playlist(student, item.playlist):
        raise NotVisible(f"No item {item.uuid}.")
    if not ItemProgress.objects.filter(student=student, item=item).exists():
        if not is_open and actor.pk == student.pk:
            raise InvalidInput({"item": "This item has not opened for you yet."})
        try:
            with transaction.atomic():
                ItemProgress.objects.create(student=student, item=item, started_at=_when(at))
        except IntegrityError:
            pass  # started a moment ago by another request
    progress = ItemProgress.objects.select_for_update().get(student=student, item=item)
    if progress.done_at is None:
        progress.done_at = max(_when(at), progress.started_at)
        progress.marked_done_by = actor
        progress.save()
        if actor.pk != student.pk:
            audit.record(
                actor=actor,
                action=audit.PLAYLIST_PROGRESS,
                student=student,
                target=item.playlist,
                data={"item": item.title, "done": True},
            )
    return progress
