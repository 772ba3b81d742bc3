"""The demo's pathways, through the pathways app's services as teachers and students use
them: playlists for the stages most students work at; students part-way through one, the
login student among them; supports; flexible groups the login teacher forms; and
advancement — the district's gate, Proficio's proposals for the login teacher's studio, one
student accelerated into it from the studio below, one "not yet", and one proposal waiting
for the student to say "I am ready".

Where a student works comes from mastery as the pages read it (`students_mastery`), for
the students this touches only: reading it for every student costs more than all the rest.
Playlist progress is dated over the last weeks' school days, in order; groups and decisions
carry the moment they are made (the day the demo is loaded); supports carry the school days
they started and ended.
"""

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import pairwise

from django.utils import timezone

from proficio.frameworks.api import Competency, Stage
from proficio.mastery.api import students_mastery
from proficio.pathways.api import (
    Advancement,
    ItemDraft,
    Playlist,
    PlaylistItem,
    StageRef,
    advancement_accelerate,
    advancement_confirm,
    advancement_decide,
    gate_set,
    group_write,
    item_mark_done,
    item_start,
    playlist_create,
    proposals_sync,
    support_end,
    support_record,
)
from proficio.people.api import Person, Section
from proficio.work.api import Task

from . import content
from .coursework import TASKS
from .playlists import PLAYLISTS, ItemContent, PlaylistContent
from .progress import Pace

# The district's design choice: a standardized result is shown to the teacher, not required
# (the demo has none: a required gate would hold every advancement).
GATE = ("advisory", Decimal(3))
# About this share of students is part-way through a playlist of their working stages, up
# to a number that keeps a large district quick to load.
PROGRESS_SHARE = 0.2
PROGRESS_MAX = 40
# The students of a section considered for its groups and advancement, first by name.
SECTION_MAX = 60
# The login student's progress, by competency: the positions of the items she has done on
# the playlist of her working stage, and of the one she is on now.
LOGIN_PROGRESS = {
    "W1": ((0, 1, 2, 3), 4),
    "W2": ((0, 1, 2, 3), 4),  # on the task, her explanation handed in
    "W3": ((0,), 1),
    "COL": ((0, 1, 2), 3),  # on the bridge-building challenge
}
GROUP_MAX = 6
SMALL_GROUP_MAX = 4  # small-group instruction for stalled students


@dataclass(frozen=True)
class Pupil:
    """What the pathways need to know of a demo student."""

    person: Person
    studio: Section  # their writing studio
    workshop: Section | None  # their math workshop, if any
    pace: Pace


@dataclass(frozen=True)
class _Standing:
    """Where a student is, as their next-steps page reads it."""

    working: dict[str, Stage]  # competency code → the working stage (one with a record)
    mastered: frozenset[tuple[str, int]]  # (competency code, stage ordinal)


@dataclass(frozen=True)
class _Made:
    content: PlaylistContent
    playlist: Playlist
    author: Person
    items: list[PlaylistItem]


def load_pathways(
    *,
    rng: random.Random,
    days: Sequence[date],
    admin: Person,
    teachers: Mapping[str, Person],
    sections: Mapping[str, Section],
    competencies: Mapping[str, Competency],
    tasks: Mapping[str, Task],
    pupils: Sequence[Pupil],
    login: Person,
    sibling: Person,
) -> None:
    """Everything above, for the demo's students (`login`: the student login; `sibling`:
    her brother), by the demo's teachers (by section name) and its district admin."""
    _Pathways(
        rng=rng,
        days=days,
        admin=admin,
        teachers=teachers,
        sections=sections,
        competencies=competencies,
        tasks=tasks,
        pupils=pupils,
        login=login,
        sibling=sibling,
    ).load()


class _Pathways:
    def __init__(
        self, *, rng, days, admin, teachers, sections, competencies, tasks, pupils, login, sibling
    ):
        self.rng = rng
        self.days = days
        self.admin = admin
        self.teachers = teachers
        self.sections = sections
        self.competencies = competencies
        self.tasks = tasks
        self.pupils = list(pupils)
        by_person = {pupil.person.pk: pupil for pupil in self.pupils}
        self.login = by_person[login.pk]
        self.sibling = by_person[sibling.pk]
        # The login teacher's studio, and the studio below it in the same school.
        self.teacher = teachers[content.TEACHER_SECTION]
        self.colleague = teachers[content.SECTIONS[0].name]
        self.birch = self._in_section(content.TEACHER_SECTION)
        self.maple = self._in_section(content.SECTIONS[0].name)

    def load(self) -> None:
        others = [p for p in self.pupils if p is not self.login]
        sample = [p for p in others if self.rng.random() < PROGRESS_SHARE][:PROGRESS_MAX]
        stalled = _by_name(p for p in others if p.pace is Pace.STALLED)
        stalled.sort(key=lambda p: p not in self.birch)  # the login teacher's first
        tutored = next(
            (p for p in _by_name(others) if p.pace is Pace.SLOW and p.workshop is not None), None
        )
        self.standing = self._standings(
            [self.login, *sample, *self.birch, *self.maple, *stalled[:3], tutored]
        )
        made = self._playlists()
        self._progress(made, sample)
        supported = self._supports(stalled, tutored)
        self._groups(supported)
        self._advancement()

    def _in_section(self, name: str) -> list[Pupil]:
        """The first students of a section by name, the login student and her brother left
        out: a large district's studio holds hundreds, and these few are plenty."""
        return _by_name(
            p
            for p in self.pupils
            if p.studio.name == name and p is not self.login and p is not self.sibling
        )[:SECTION_MAX]

    def _standings(self, pupils: Iterable[Pupil | None]) -> dict[int, _Standing]:
        people = {p.person.pk: p.person for p in pupils if p is not None}
        statuses = students_mastery(students=list(people.values()), explained=False)
        return {
            pk: _Standing(
                working={
                    s.competency.code: s.working.stage for s in found if s.working is not None
                },
                mastered=frozenset(
                    (s.competency.code, stage.stage.ordinal)
                    for s in found
                    for stage in s.stages
                    if stage.mastered
                ),
            )
            for pk, found in statuses.items()
        }

    # Playlists and progress

    def _playlists(self) -> list[_Made]:
        made = []
        for spec in PLAYLISTS:
            author = self.teachers[spec.author]
            playlist = playlist_create(
                author=author,
                stage=StageRef(self.competencies[spec.code], spec.stage),
                title=spec.title,
                description=spec.description,
                shared=spec.shared,
                items=[self._draft(spec, item) for item in spec.items],
            )
            made.append(_Made(spec, playlist, author, list(playlist.items.order_by("position"))))
        return made

    def _draft(self, spec: PlaylistContent, item: ItemContent) -> ItemDraft:
        task = self.tasks[spec.code] if item.kind == "task" else None
        return ItemDraft(
            kind=item.kind,
            title=task.title if task else item.title,
            minutes=item.minutes,
            mode=item.mode,
            url=item.url,
            focus=item.focus,
            unlock=item.unlock,
            needs=tuple(StageRef(self.competencies[code], stage) for code, stage in item.needs),
            task=task,
        )

    def _progress(self, made: list[_Made], sample: list[Pupil]) -> None:
        """The login student where LOGIN_PROGRESS says; each sampled student part-way
        through one of the playlists offered to them, in the order the items open."""
        for code, (done, current) in LOGIN_PROGRESS.items():
            playlist = next(iter(self._offered(self.login, made, code)), None)
            if playlist is not None:
                self._work_through(self.login, playlist, done, current)
        for pupil in sample:
            offered = self._offered(pupil, made)
            if not offered:
                continue
            playlist = self.rng.choice(offered)
            reachable = _reachable(playlist.content.items, self.standing[pupil.person.pk])
            if len(reachable) < 2:
                continue
            count = self.rng.randint(0, len(reachable) - 1)
            self._work_through(pupil, playlist, reachable[:count], reachable[count])

    def _offered(self, pupil: Pupil, made: list[_Made], code: str | None = None) -> list[_Made]:
        """The playlists of the pupil's working stages they are offered: the district's
        shared ones, and those their own teachers wrote."""
        working = self.standing[pupil.person.pk].working
        their_teachers = {self._teacher_of(pupil, "MP1").pk, self._teacher_of(pupil, "W1").pk}
        return [
            m
            for m in made
            if (code is None or m.content.code == code)
            and m.content.code in working
            and working[m.content.code].ordinal == m.content.stage
            and (m.content.shared or m.author.pk in their_teachers)
        ]

    def _work_through(
        self, pupil: Pupil, made: _Made, done: Sequence[int], current: int | None
    ) -> None:
        """Items done in order — a workshop marked done by the teacher who ran it — and the
        one the pupil is on now started; each only once it has opened for them."""
        student, standing = pupil.person, self.standing[pupil.person.pk]
        finished: set[int] = set()
        steps = [p for p in [*done, current] if p is not None]
        # Worked through over the last weeks, a few school days apart, in order.
        moments = [
            timezone.make_aware(datetime.combine(day, time(10, 30)))
            for day in self.days[-3 * len(steps) :: 3]
        ]
        for position, moment in zip(steps, moments, strict=False):
            spec, item = made.content.items[position], made.items[position]
            if not _opens(made.content.items, position, finished, standing):
                continue
            if position == current:
                item_start(student=student, item=item, is_open=True, at=moment)
                continue
            actor = self._teacher_of(pupil, made.content.code) if spec.kind == "workshop" else None
            item_mark_done(
                actor=actor or student, student=student, item=item, is_open=True, at=moment
            )
            finished.add(position)

    def _teacher_of(self, pupil: Pupil, code: str) -> Person:
        section = pupil.workshop if code == "MP1" and pupil.workshop else pupil.studio
        return self.teachers[section.name]

    # Supports

    def _supports(self, stalled: list[Pupil], tutored: Pupil | None) -> list[Pupil]:
        """An accommodation for the login student's brother; small-group instruction for
        stalled students (one after an intervention that ended), leaving the last stalled
        student of the login teacher's studio for Today to suggest a support; tutoring in
        math that has ended. The students given small-group instruction."""
        days = self.days
        sibling = self.sibling
        support_record(
            actor=self._teacher_of(sibling, "W1"),
            student=sibling.person,
            kind="accommodation",
            description=(
                f"Time and a half on writing tasks. {sibling.person.first_name} may dictate a "
                "first draft to an adult or a recorder, then write it out."
            ),
            starts_on=_term_start(days),
        )
        in_studio = [p for p in stalled if p in self.birch]
        if len(in_studio) > 1:
            stalled = [p for p in stalled if p is not in_studio[-1]]
        supported = [p for p in stalled[:2] if "W2" in self.standing[p.person.pk].working]
        for number, pupil in enumerate(supported):
            teacher, first = self._teacher_of(pupil, "W2"), pupil.person.first_name
            stage = self.standing[pupil.person.pk].working["W2"]
            if number == 0:
                began, ended = days[-60], days[-26]
                earlier = support_record(
                    actor=teacher,
                    student=pupil.person,
                    kind="intervention",
                    description=(
                        "Read to write: twenty minutes a day with a short article, a graphic "
                        "organiser and a one-paragraph explanation of it."
                    ),
                    competency=self.competencies["W2"],
                    starts_on=began,
                )
                support_end(
                    actor=teacher,
                    support=earlier,
                    ends_on=ended,
                    outcome=(
                        f"Ended after {_weeks(began, ended)} weeks. {first} plans with the "
                        "organiser without help now, but the explanations still lose their "
                        "order after the first paragraph. Moved to small-group instruction "
                        "with peers at the same stage."
                    ),
                )
            support_record(
                actor=teacher,
                student=pupil.person,
                kind="small_group",
                description=(
                    f"Small-group instruction four mornings a week on stage {stage.ordinal} of "
                    f"informative writing ({stage.label.lower()}), with students at the same "
                    "stage from across the studio."
                ),
                competency=self.competencies["W2"],
                starts_on=days[-25 + 5 * number],
            )
        if tutored is not None:
            teacher, first = self._teacher_of(tutored, "MP1"), tutored.person.first_name
            began, ended = days[-65], days[-30]
            tutoring = support_record(
                actor=teacher,
                student=tutored.person,
                kind="tutoring",
                description=(
                    "Peer tutoring with an older student from the math workshop, Wednesdays "
                    "at lunch: understanding the problem, choosing a strategy, showing the "
                    "steps."
                ),
                competency=self.competencies["MP1"],
                starts_on=began,
            )
            support_end(
                actor=teacher,
                support=tutoring,
                ends_on=ended,
                outcome=(
                    f"Ended after {_weeks(began, ended)} sessions. {first} now tries a second "
                    "strategy when the first one stalls and asks for help sooner. We stopped "
                    "the tutoring and keep an eye on it in the workshop."
                ),
            )
        return supported

    # Flexible groups

    def _groups(self, supported: list[Pupil]) -> None:
        """Formed by the login teacher: an argument circle across the ages of her studio; a
        narrative workshop she teaches with her colleague from the studio below, each adding
        their own students at the same stage; and a small group for the stalled students
        given small-group instruction. Between them a group meets on every school day."""
        birch, maple = self.birch, self.maple
        stage = self._busiest("W1", birch)
        if stage is not None:
            group_write(
                actor=self.teacher,
                stage=stage,
                name=f"Argument circle: {stage.label.lower()}",
                students=self._at(birch, stage)[:GROUP_MAX],
                meets="Tuesday and Thursday, 10:15",
                meeting_days=(1, 3),
            )
        stage = self._busiest("W3", birch, maple)
        if stage is not None:
            name = f"Narrative workshop, Birch and Maple: {stage.label.lower()}"
            hers = self._at(birch, stage)[: GROUP_MAX // 2]
            meets = dict(meets="Monday, Wednesday and Friday, 13:00", meeting_days=(0, 2, 4))
            support = f"Co-taught with {self.colleague.display_name}"
            group = group_write(
                actor=self.teacher,
                stage=stage,
                name=name,
                students=hers,
                teachers=[self.colleague],
                support=support,
                **meets,
            )
            theirs = self._at(maple, stage)[: GROUP_MAX // 2]
            if theirs:
                group_write(
                    actor=self.colleague,
                    stage=stage,
                    name=name,
                    students=[*hers, *theirs],
                    teachers=[self.teacher],
                    support=support,
                    group=group,
                    **meets,
                )
        in_studio = [p for p in supported if p in birch]
        if in_studio:
            stage = self.standing[in_studio[0].person.pk].working["W2"]
            chosen = [p.person for p in in_studio]
            others = [person for person in self._at(birch, stage) if person not in chosen]
            group_write(
                actor=self.teacher,
                stage=stage,
                name=f"Informative writing small group: {stage.label.lower()}",
                students=[*chosen, *others][:SMALL_GROUP_MAX],
                support="Small-group instruction",
                meets="Monday to Thursday, 9:00, twenty minutes",
                meeting_days=(0, 1, 2, 3),
            )

    def _at(self, pupils: list[Pupil], stage: Stage) -> list[Person]:
        code = stage.competency.code
        return [
            p.person
            for p in pupils
            if (found := self.standing[p.person.pk].working.get(code)) and found.pk == stage.pk
        ]

    def _busiest(self, code: str, *groups: list[Pupil]) -> Stage | None:
        """The stage of `code` with the most students in the smallest of `groups` (then in
        all of them); the lower stage on a tie. None when nobody works on it."""
        stages = {
            stage.pk: stage
            for pupils in groups
            for p in pupils
            if (stage := self.standing[p.person.pk].working.get(code))
        }
        if not stages:
            return None

        def weight(stage: Stage) -> tuple:
            counts = [len(self._at(pupils, stage)) for pupils in groups]
            return (-min(counts), -sum(counts), stage.ordinal)

        return min(stages.values(), key=weight)

    # Advancement

    def _advancement(self) -> None:
        """The district's gate; Proficio's proposals for the login teacher's studio (for the
        studio below too when hers has fewer than two), as her Today page makes them; one
        "not yet", one waiting for the student, and one student accelerated."""
        mode, threshold = GATE
        district_id = self.admin.district_id
        gate_set(actor=self.admin, district_id=district_id, mode=mode, threshold=threshold)
        proposed: list[Advancement] = []
        for pupils in (self.birch, self.maple):
            studios = list({p.studio.pk: p.studio for p in pupils}.values())
            found = proposals_sync(students=[p.person for p in pupils], sections=studios)
            proposed += sorted(found, key=lambda a: _name(a.student))
            if len(proposed) > 1:
                break
        by_person = {p.person.pk: p for p in self.pupils}
        if proposed:
            self._not_yet(proposed[0], by_person[proposed[0].student.pk])
        if len(proposed) > 1:
            advancement_confirm(
                actor=self._teacher_of(by_person[proposed[1].student.pk], "W1"),
                advancement=proposed[1],
            )
        self._accelerate()

    def _not_yet(self, advancement: Advancement, pupil: Pupil) -> None:
        """The student asked to stay until their team's project is done; their teacher
        agrees, and says what comes next."""
        first = pupil.person.first_name
        following = advancement.next_course.title if advancement.next_course else "moving on"
        team = next(spec for spec in TASKS if spec.code == "COL")
        project = (
            f"the {team.title.split(':')[0].lower()}"
            if pupil.studio.name in team.given_to
            else "your team's project"
        )
        advancement_decide(
            actor=self._teacher_of(pupil, "W1"),
            advancement=advancement,
            decision="not_yet",
            rationale=(
                f"{first} has mastered every target of {advancement.course.title}: well "
                f"done. When we talked it over, {first} asked to stay with the studio until "
                "the team project is finished, and we agree: a few more weeks here hold "
                f"nothing back, and {first} leaves with the project done, not halfway."
            ),
            next_steps=(
                f"Finish {project} with your team. Meanwhile keep going with the playlists "
                "on your next-steps page: they are already at the next stage. We look at "
                f"{following} together again in four weeks."
            ),
        )

    def _accelerate(self) -> None:
        """The student of the studio below with most of its targets mastered (not all:
        Proficio proposes those itself), proposed by their teacher, confirmed by both, and
        placed in the login teacher's studio, the next course's section. A student in a
        math workshop too is left out: acceleration is from the one course they are in."""
        section = self.sections[content.TEACHER_SECTION]

        def mastered(pupil: Pupil) -> list[tuple[str, int]]:
            return [t for t in _targets_of(pupil) if t in self.standing[pupil.person.pk].mastered]

        candidates = [
            p
            for p in self.maple
            if p.workshop is None and 0 < len(mastered(p)) < len(_targets_of(p))
        ]
        if not candidates:
            return
        pupil = min(candidates, key=lambda p: -len(mastered(p)))
        student, first = pupil.person, pupil.person.first_name
        teacher = self._teacher_of(pupil, "W1")
        targets, done = _targets_of(pupil), mastered(pupil)
        left = self._targets([t for t in targets if t not in done])
        advancement = advancement_accelerate(
            actor=teacher,
            student=student,
            note=(
                f"{first} has mastered {self._targets(done)}: {len(done)} of the "
                f"{len(targets)} targets of {pupil.studio.course.title}, well ahead of the "
                "year, with ratings that held up across several pieces. "
                f"{first} is ready for the longer pieces and older writers of "
                f"{section.course.title}; {left} can be finished there."
            ),
        )
        advancement_confirm(actor=teacher, advancement=advancement)
        advancement_confirm(actor=student, advancement=advancement)
        advancement_decide(
            actor=teacher,
            advancement=advancement,
            decision="advance",
            rationale=(
                f"{first} said “I am ready”, and I agree. {first} joins {section.name} now, "
                f"in {section.course.title}, and works on {left} there: the next-steps page "
                "shows the playlists for it."
            ),
            section=section,
        )

    def _targets(self, targets: list[tuple[str, int]]) -> str:
        """'argument and narrative at stage 2'."""
        titles = [self.competencies[code].title.lower() for code, _ in targets]
        stages = sorted({stage for _, stage in targets})
        words = _joined(titles)
        return f"{words} at stage {stages[0]}" if len(stages) == 1 else words


def _targets_of(pupil: Pupil) -> tuple[tuple[str, int], ...]:
    """The targets of the pupil's studio's course: (competency code, stage)."""
    code = pupil.studio.course.code
    return next(spec.targets for spec in content.COURSES if spec.code == code)


def _reachable(items: Sequence[ItemContent], standing: _Standing) -> list[int]:
    """The positions of the items a student working straight through reaches, in order."""
    reached: set[int] = set()
    for position in range(len(items)):
        if _opens(items, position, reached, standing):
            reached.add(position)
    return sorted(reached)


def _opens(
    items: Sequence[ItemContent], position: int, done: set[int], standing: _Standing
) -> bool:
    """Whether an item is open for the student, by its rule (ADR 0034)."""
    item = items[position]
    if item.unlock == "after_previous":
        return position == 0 or position - 1 in done
    if item.unlock == "after_mastery":
        return all(need in standing.mastered for need in item.needs)
    return True


def _term_start(days: Sequence[date]) -> date:
    """The first school day of this school year: after the last break of more than a month
    (the summer), or the first day there is."""
    after_summer = [day for before, day in pairwise(days) if (day - before).days > 30]
    return after_summer[-1] if after_summer else days[0]


def _weeks(start: date, end: date) -> int:
    return round((end - start).days / 7)


def _name(person: Person) -> tuple[str, str, int]:
    return (person.last_name, person.first_name, person.pk)


def _by_name(pupils: Iterable[Pupil]) -> list[Pupil]:
    return sorted(pupils, key=lambda p: _name(p.person))


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
