"""The demo's coursework, through the work app's services as teachers and students use them:
each task written and given to its sections, students choosing from the choice board (or
proposing their own way, which a teacher approves), saving drafts, submitting with a
self-assessment, and teachers rating the work or returning it for revision.

Each piece of work goes to a student actually working on the stage it shows (their working
stage on the competency), so its ratings fit their record. Its steps are planned on school
days between the day the task was given and today, and made in that order; the services
stamp each step with the moment it is made (they take no time of their own), so in the
demo every revision and review is dated the day the demo was loaded.
"""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile

from proficio.frameworks.api import Competency
from proficio.people.api import Person, Section
from proficio.work.api import (
    Alignment,
    ReviewDecision,
    Revision,
    SelfRating,
    Task,
    WorkRating,
    option_approve,
    option_propose,
    review_record,
    revision_save,
    task_assign,
    task_create,
)

from .coursework import TASKS, WORKS, Reading, StudentWork, TaskContent, Version
from .media import FILES
from .progress import Pace, during_school, spread_over


@dataclass(frozen=True)
class Learner:
    """What the coursework needs to know of a demo student."""

    person: Person
    sections: frozenset[str]  # the names of the sections they are in
    pace: Pace
    working: Mapping[str, int]  # competency code → the stage their ratings are on now


@dataclass(frozen=True)
class WorkLoaded:
    tasks: int
    submissions: int
    by_code: Mapping[str, Task]  # each task, by the competency it is for


@dataclass
class _Piece:
    """One student's work on one task, and where it has got to."""

    content: StudentWork
    task: Task
    spec: TaskContent
    learner: Learner
    teacher: Person
    competency: Competency
    option: object = None  # the option chosen on the choice board
    revision: Revision | None = None  # the latest saved


def load_work(
    *,
    rng: random.Random,
    days: Sequence[date],
    today: date,
    teachers: Mapping[str, Person],
    sections: Mapping[str, Section],
    competencies: Mapping[str, Competency],
    learners: Sequence[Learner],
    login: Person,
) -> WorkLoaded:
    """Write every task, give it out, and play each student's work on it step by step."""
    pieces = []
    written = {}
    for spec in TASKS:
        task = task_create(
            author=teachers[spec.author],
            title=spec.title,
            alignments=[Alignment(competencies[spec.code], stage) for stage in spec.stages],
            instructions=spec.instructions,
            options=spec.options,
            revision_policy=spec.revision_policy,
            max_revisions=spec.max_revisions,
            target_date=today + timedelta(days=spec.due),
            shared=spec.shared,
        )
        written[spec.code] = task
        for name in spec.given_to:
            task_assign(actor=teachers[name], task=task, section=sections[name])
        works = [work for work in WORKS if work.task == spec.code]
        for work, learner in _match(rng, spec, works, learners, login):
            given_by = next(name for name in spec.given_to if name in learner.sections)
            teacher = teachers[given_by]
            pieces.append(_Piece(work, task, spec, learner, teacher, competencies[spec.code]))
    steps = []
    for number, piece in enumerate(pieces):
        for order, (moment, step) in enumerate(_schedule(rng, days, today, piece)):
            steps.append((moment, number, order, piece, step))
    for moment, _number, _order, piece, step in sorted(steps, key=lambda s: s[:3]):
        _play(piece, step, moment)
    submissions = sum(1 for piece in pieces if piece.revision is not None)
    return WorkLoaded(tasks=len(TASKS), submissions=submissions, by_code=written)


def _match(
    rng: random.Random,
    spec: TaskContent,
    works: Sequence[StudentWork],
    learners: Sequence[Learner],
    login: Person,
) -> list[tuple[StudentWork, Learner]]:
    """Who did each piece of work: the login student their own; for the others, a student
    given the task who is working on the piece's stage — of an age whose voice it is
    written in where one is left — and whose record it fits."""
    given = [learner for learner in learners if learner.sections & set(spec.given_to)]
    rng.shuffle(given)
    matched = []
    for work in works:
        if work.login:
            chosen = next((learner for learner in given if learner.person == login), None)
        else:
            fitting = [
                learner
                for learner in given
                if learner.person != login and _fits(learner, spec, work)
            ]
            voiced = [learner for learner in fitting if learner.person.age_grade in work.ages]
            chosen = (voiced or fitting or [None])[0]
        if chosen is not None:
            given.remove(chosen)
            matched.append((work, chosen))
    return matched


def _fits(learner: Learner, spec: TaskContent, work: StudentWork) -> bool:
    """Rated work goes to a student working on its stage. A stalled student's work is not
    rated Proficient (they are stalled below it), and a newcomer has only begun a draft.
    Anyone may propose their own option."""
    working = learner.working.get(spec.code)
    if not work.steps:
        return True
    if not work.submitted:
        return learner.pace is Pace.SPARSE or working in spec.stages
    if learner.pace is Pace.SPARSE:
        return False
    if learner.pace is Pace.STALLED and work.top_level > 2:
        return False
    return working == work.stage


def _schedule(
    rng: random.Random, days: Sequence[date], today: date, piece: _Piece
) -> list[tuple[datetime, object]]:
    """The piece's steps on school days in order, from the day its task was given: the
    student's own option first (proposed, then approved), then each version and reading."""
    steps: list[object] = list(piece.content.steps)
    if isinstance(piece.content.option, str):
        steps[:0] = ["propose"] + (["approve"] if piece.content.approved else [])
    given = today - timedelta(days=piece.spec.opened)
    window = [day for day in days if day >= given]
    if len(window) < len(steps):
        window = list(days[-len(steps) :])
    return [
        (during_school(rng, day), step)
        for day, step in zip(spread_over(rng, window, len(steps)), steps, strict=True)
    ]


def _play(piece: _Piece, step: object, moment: datetime) -> None:
    content, student, competency = piece.content, piece.learner.person, piece.competency
    if step == "propose":
        piece.option = option_propose(student=student, task=piece.task, title=content.option)
    elif step == "approve":
        piece.option = option_approve(actor=piece.teacher, option=piece.option)
    elif isinstance(step, Version):
        if piece.option is None:
            piece.option = piece.task.options.get(position=content.option)
        self_assessment = (
            [SelfRating(competency, content.stage, Decimal(step.self_level))]
            if step.submitted
            else []
        )
        piece.revision = revision_save(
            student=student,
            task=piece.task,
            text=step.text.replace("{name}", student.first_name),
            option=piece.option,
            self_assessment=self_assessment,
            reflection=step.reflection,
            submit=step.submitted,
            files=[SimpleUploadedFile(FILES[key][0], _file(key)) for key in step.files],
            at=moment,
        )
    elif isinstance(step, Reading):
        rating = WorkRating(
            competency,
            content.stage,
            Decimal(step.level),
            feedback_present=step.present,
            feedback_next=step.next,
            statements=_seen(competency, content.stage, step.level),
        )
        review_record(
            reviewer=piece.teacher,
            revision=piece.revision,
            decision=ReviewDecision.REVISE if step.returned else ReviewDecision.RATED,
            ratings=[rating],
            at=moment,
        )


def _seen(competency: Competency, ordinal: int, level: int) -> tuple[str, ...]:
    """The stage's evidence statements a reading ticks as seen in the work: its first ones,
    more the higher the level, all of them at 4."""
    stage = next(stage for stage in competency.stages.all() if stage.ordinal == ordinal)
    statements = [str(statement.uuid) for statement in stage.evidence_statements.all()]
    return tuple(statements if level >= 4 else statements[: max(0, level - 1)])


@cache
def _file(key: str) -> bytes:
    return FILES[key][1]()
