"""A school ready to calibrate: three teachers of North, handed-in work of two students on
two tasks, and a helper that runs a session to its consensus."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from proficio.calibration.services import (
    PieceSpec,
    RatingSpec,
    consensus_record,
    ratings_submit,
    session_open,
    session_reveal,
)
from proficio.people.api import Role, person_create, role_assign, section_enroll
from proficio.work.data import Alignment
from proficio.work.services import revision_save, task_assign, task_create
from tests.factories import PASSWORD, make_person


@pytest.fixture
def amara(world):
    """A student whose names a teacher would write in the work itself."""
    person = person_create(
        district=world.district,
        username="amara.okafor",
        first_name="Amara",
        last_name="Okafor",
        email="amara.okafor@riverside.example",
        password=PASSWORD,
    )
    role_assign(person=person, role=Role.STUDENT, district=world.district, school=world.school)
    section_enroll(section=world.section, student=person)
    return person


@pytest.fixture
def third_teacher(world):
    return make_person(world.district, "thirdteacher", Role.TEACHER, world.school)


@pytest.fixture
def work(world, amara):
    """Three handed-in revisions: Amara's (her name in the text and the file name), the
    student's and the classmate's."""
    task = task_create(
        author=world.teacher,
        title="An argument",
        alignments=[Alignment(competency=world.competency, stage=2)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    amaras = revision_save(
        student=amara,
        task=task,
        text="My argument, by Amara Okafor. Amara's claim: rivers need room.",
        submit=True,
        files=[
            SimpleUploadedFile("Amara_Okafor_essay.txt", b"Notes of Amara Okafor (amara.okafor)")
        ],
    )
    others = [
        revision_save(student=s, task=task, text=f"Argument {n}.", submit=True)
        for n, s in enumerate((world.student, world.classmate), start=1)
    ]
    return [amaras, *others]


@pytest.fixture
def session(world, work, third_teacher):
    return session_open(
        actor=world.teacher,
        title="Argument writing, stage 2",
        school=world.school,
        pieces=[PieceSpec(competency=world.competency, stage=2, revision=r) for r in work],
        raters=[world.teacher, world.other_teacher, third_teacher],
    )


def rate(session, rater, levels, why="Because."):
    pieces = list(session.pieces.order_by("position"))
    return ratings_submit(
        actor=rater,
        session=session,
        ratings={
            piece: RatingSpec(level=Decimal(level), rationale=f"{why} {level}")
            for piece, level in zip(pieces, levels, strict=True)
        },
    )


def agree(session, runner, levels):
    session_reveal(actor=runner, session=session)
    for piece, level in zip(session.pieces.order_by("position"), levels, strict=True):
        consensus_record(actor=runner, piece=piece, level=Decimal(level), rationale="Agreed.")
