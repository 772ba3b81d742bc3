"""Reads of the pathways app, each scoped to who is asking."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from proficio.engine.unlock import Item, ItemState, item_states
from proficio.evidence.api import EvidenceSource, evidence_of, statements_shown
from proficio.lib.visibility import visible_get
from proficio.mastery.api import competency_paces, students_mastery
from proficio.pathways.models import Advancement, ItemProgress, Playlist, PlaylistItem
from proficio.pathways.permissions import playlists_visible_to
from proficio.people.api import Person, students_visible_to
from proficio.work.api import tasks_of_student


def playlist_list_visible_to(user: Person) -> QuerySet[Playlist]:
    """The playlists this user may see, by competency and stage, with their items."""
    return (
        playlists_visible_to(user)
        .select_related("stage__competency", "author")
        .prefetch_related("items__needs__competency", "items__task")
        .order_by("stage__competency__code", "stage__ordinal", "title", "pk")
    )


def playlist_get(*, user: Person, playlist_id: UUID | str) -> Playlist:
    return visible_get(playlist_list_visible_to(user), playlist_id, "playlist")


@dataclass(frozen=True)
class ShownItem:
    item: PlaylistItem
    state: ItemState
    progress: ItemProgress | None


@dataclass(frozen=True)
class ShownPlaylist:
    playlist: Playlist
    items: list[ShownItem]

    @property
    def done(self) -> int:
        return sum(1 for shown in self.items if shown.state.done)


def _stage_key(stage) -> int:
    return stage.pk


def playlists_of_student(
    *, student: Person, viewer: Person | None = None, statuses: Sequence | None = None
) -> list[ShownPlaylist]:
    """The playlists of the student's working stages that are offered to them, each item with
    whether it is open, done, and why (engine.unlock); a fixed number of queries. `viewer` is
    who asks (the student, or staff who serve them, already checked); the offer is always the
    student's own. `statuses`: the student's, when the caller has read them already."""
    if statuses is None:
        statuses = students_mastery(students=[student], explained=False)[student.pk]
    working = {status.working.stage.pk for status in statuses if status.working is not None}
    mastered = {stage.stage.pk for status in statuses for stage in status.stages if stage.mastered}
    names = {
        stage.stage.pk: f"{status.competency.code} stage {stage.stage.ordinal}"
        for status in statuses
        for stage in status.stages
    }
    playlists = list(playlist_list_visible_to(student).filter(stage__in=working))
    progress = {
        row.item_id: row
        for row in ItemProgress.objects.filter(
            student=student, item__playlist__in=[p.pk for p in playlists]
        ).select_related("marked_done_by")
    }
    shown = []
    for playlist in playlists:
        items = list(playlist.items.all())
        states = item_states(
            [
                Item(
                    item.pk,
                    item.unlock,
                    frozenset(_stage_key(stage) for stage in item.needs.all()),
                )
                for item in items
            ],
            mastered=mastered,
            done={pk for pk, row in progress.items() if row.done_at},
            ever_opened=set(progress),
            stage_names=names,
        )
        shown.append(
            ShownPlaylist(
                playlist,
                [
                    ShownItem(item, state, progress.get(item.pk))
                    for item, state in zip(items, states, strict=True)
                ],
            )
        )
    return shown


def item_state_for(*, student: Person, item: PlaylistItem) -> ItemState | None:
    """The item's state for the student, or None when it is not on their playlists now."""
    for playlist in playlists_of_student(student=student):
        for shown in playlist.items:
            if shown.item.pk == item.pk:
                return shown.state
    return None


def item_get(*, user: Person, item_id: UUID | str) -> PlaylistItem:
    return visible_get(
        PlaylistItem.objects.filter(
            playlist__in=playlists_visible_to(user).values("pk")
        ).select_related("playlist"),
        item_id,
        "item",
    )


@dataclass
class NextStep:
    """One competency as the next-steps page shows it: where the student is, what they need
    to show, and what is open to them."""

    status: object  # mastery's CompetencyStatus
    pace: object | None  # mastery's Pace
    statements: list  # the working stage's evidence statements not yet seen in the work
    shown: list  # … and those a teacher has seen in it
    needed_next: str
    playlists: list[ShownPlaylist]
    tasks: list  # (task, status) of open tasks on this competency

    @property
    def statement_count(self) -> int:
        return len(self.statements) + len(self.shown)

    @property
    def urgency(self) -> int:
        """Stalled first, then behind, then a task due within two weeks, then the rest."""
        if self.pace is not None and self.pace.stalled:
            return 0
        if self.pace is not None and self.pace.standing == "behind":
            return 1
        soon = timezone.localdate() + timedelta(days=14)
        if any(task.target_date and task.target_date <= soon for task, _ in self.tasks):
            return 2
        return 3


def _latest_next(student: Person) -> dict[int, str]:
    """The newest "what is needed next" a teacher gave, by competency id."""
    latest: dict[int, str] = {}
    worded = (
        evidence_of(student=student)
        .exclude(source=EvidenceSource.SELF)
        .filter(withdrawn=False)
        .exclude(feedback_next="")
        .values_list("competency_id", "feedback_next")
    )
    for competency_id, feedback_next in worded:
        latest[competency_id] = feedback_next  # oldest first: newest wins
    return latest


def next_steps(
    *, student: Person, statuses: Sequence | None = None, feedback: bool = True
) -> tuple[list[NextStep], list]:
    """Per competency with a working stage, ordered by what matters most: the stage's
    evidence statements, the latest "what is needed next" a teacher gave, the playlists of
    that stage with their items' states, the student's open tasks on the competency. Also
    the competencies completed. The student is one the caller may see (checked);
    `statuses` theirs, when the caller has read them already. `feedback` False leaves the
    teachers' words out (for a family the district keeps them from)."""
    if statuses is None:
        statuses = students_mastery(students=[student], explained=False)[student.pk]
    working = [status for status in statuses if status.working is not None]
    paces = competency_paces(student=student, competencies=[s.competency for s in working])
    by_stage: dict[int, list[ShownPlaylist]] = {}
    for shown in playlists_of_student(student=student, statuses=statuses):
        by_stage.setdefault(shown.playlist.stage_id, []).append(shown)
    latest_next = _latest_next(student) if feedback else {}
    open_tasks: dict[int, list] = {}
    for task, _submission, status in tasks_of_student(student):
        if status == "rated":
            continue
        for competency_id in {a.stage.competency_id for a in task.alignments.all()}:
            open_tasks.setdefault(competency_id, []).append((task, status))
    stages = [status.working.stage for status in working]
    prefetch_related_objects(stages, "evidence_statements")
    seen = statements_shown(student=student, stage_ids=[stage.pk for stage in stages])
    steps = [
        NextStep(
            status=status,
            pace=paces.get(status.competency.pk),
            statements=[
                s for s in status.working.stage.evidence_statements.all() if s.pk not in seen
            ],
            shown=[s for s in status.working.stage.evidence_statements.all() if s.pk in seen],
            needed_next=latest_next.get(status.competency.pk, ""),
            playlists=by_stage.get(status.working.stage.pk, []),
            tasks=open_tasks.get(status.competency.pk, []),
        )
        for status in working
    ]
    steps.sort(key=lambda step: (step.urgency, step.status.competency.code))
    return steps, [status for status in statuses if status.completed]


def advancements_visible_to(user: Person) -> QuerySet[Advancement]:
    """The advancement records of students this user may see: the student's own, their
    guardians', their teachers' and admins'."""
    return Advancement.objects.filter(student__in=students_visible_to(user)).select_related(
        "student",
        "course",
        "next_course",
        "from_section",
        "placed_in",
        "proposed_by",
        "teacher_confirmed_by",
        "decided_by",
        "gate_evidence__competency",
    )


def advancement_get(*, user: Person, advancement_id: UUID | str) -> Advancement:
    return visible_get(advancements_visible_to(user), advancement_id, "advancement")
