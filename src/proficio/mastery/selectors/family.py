"""What a family reads of each child: per competency a plain on-track word, the latest work
and the teacher's latest words, and the child's teachers to contact."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proficio.engine.pace import AHEAD, BEHIND, ON_PACE
from proficio.evidence.api import latest_teacher_work
from proficio.mastery.pace import Pace, paces_of
from proficio.mastery.presenters import progress_phrase
from proficio.mastery.selectors.status import students_mastery
from proficio.people.api import Person, teachers_of_students

NEEDS_SUPPORT = "needs_support"
ON_TRACK = "on_track"
# Each word's key (for its colour), and its words: colour is never the only sign.
TRACK_WORDS = {
    AHEAD: _("Ahead"),
    ON_TRACK: _("On track"),
    NEEDS_SUPPORT: _("Needs support"),
}


@dataclass(frozen=True)
class FamilyLine:
    title: str
    phrase: str  # where the child is, in the progress phrase every page uses
    track: str | None  # AHEAD, ON_TRACK, NEEDS_SUPPORT; None until there is work to tell
    last_work: date | None
    teacher_words: str

    @property
    def track_label(self) -> str:
        return track_label(self.track)


def track_label(track: str | None) -> str:
    return str(TRACK_WORDS[track]) if track else str(_("Too early to tell"))


@dataclass(frozen=True)
class ChildProgress:
    child: Person
    lines: list[FamilyLine]
    teachers: list[Person]


def children_progress(*, children: list[Person], today: date | None = None) -> list[ChildProgress]:
    """For children the caller got through `children_of`: a constant number of queries
    however many children and competencies."""
    today = today or timezone.localdate()
    statuses = students_mastery(students=children, explained=False)
    competencies = {
        status.competency.pk: status.competency
        for child in children
        for status in statuses[child.pk]
    }
    paces = paces_of(students=children, competencies=list(competencies.values()), today=today)
    work = latest_teacher_work(students=children)
    teachers = teachers_of_students([child.pk for child in children])
    return [
        ChildProgress(
            child=child,
            lines=[
                _line(
                    status,
                    paces.get((child.pk, status.competency.pk)),
                    work.get((child.pk, status.competency.pk)),
                )
                for status in statuses[child.pk]
            ],
            teachers=teachers.get(child.pk, []),
        )
        for child in children
    ]


def _line(status, pace: Pace | None, work) -> FamilyLine:
    observed, words = work if work else (None, "")
    return FamilyLine(
        title=status.competency.title,
        phrase=progress_phrase(status),
        track=track_of(pace),
        last_work=timezone.localdate(observed) if observed else None,
        teacher_words=words,
    )


def track_of(pace: Pace | None) -> str | None:
    """A family's word for a pace: AHEAD, ON_TRACK, NEEDS_SUPPORT, or None (too early)."""
    if pace is None or not pace.known:
        return None
    if pace.stalled or pace.standing == BEHIND:
        return NEEDS_SUPPORT
    if pace.standing == AHEAD:
        return AHEAD
    if pace.standing == ON_PACE:
        return ON_TRACK
    return None
