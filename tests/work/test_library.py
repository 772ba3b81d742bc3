"""The task library: a teacher finds their own and the district's shared tasks by
competency, stage and words, and copies one into their own to change freely."""

import pytest

from proficio.lib.errors import NotVisible
from proficio.work.data import Alignment
from proficio.work.models import RubricCriterion, Task
from proficio.work.selectors import task_library
from proficio.work.services import task_copy, task_create
from tests.factories import make_competency

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world):
    speech = make_competency(world.framework, "SL1")
    shared = task_create(
        author=world.other_teacher,
        title="Town hall debate",
        instructions="Argue both sides of a local question.",
        alignments=[Alignment(competency=speech, stage=2)],
        options=["Speak", "Record a podcast"],
        shared=True,
    )
    private = task_create(
        author=world.other_teacher,
        title="Private draft",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    own = task_create(
        author=world.teacher,
        title="Letter to the council",
        alignments=[Alignment(competency=world.competency, stage=2)],
    )
    return speech, shared, private, own


def test_the_library_finds_own_and_shared_tasks_by_competency_stage_and_words(world, library):
    speech, shared, _private, own = library

    assert set(task_library(user=world.teacher)) == {shared, own}
    assert list(task_library(user=world.teacher, competency=speech)) == [shared]
    assert list(task_library(user=world.teacher, competency=speech, stage=1)) == []
    assert list(task_library(user=world.teacher, text="LOCAL question")) == [shared]
    assert list(task_library(user=world.student)) == []


def test_copying_a_shared_task_makes_one_of_your_own(world, library):
    _speech, shared, _private, _own = library

    copy = task_copy(actor=world.teacher, task=shared)

    assert (copy.author, copy.copied_from, copy.shared) == (world.teacher, shared, False)
    assert [o.title for o in copy.options.all()] == ["Speak", "Record a podcast"]
    assert RubricCriterion.objects.filter(alignment__task=copy).count() == (
        RubricCriterion.objects.filter(alignment__task=shared).count()
    )
    assert Task.objects.get(pk=shared.pk).author == world.other_teacher


@pytest.mark.parametrize("who", ["teacher", "student", "other_district_teacher"])
def test_a_task_out_of_sight_is_not_copied(world, library, who):
    _speech, _shared, private, _own = library
    with pytest.raises(NotVisible):
        task_copy(actor=getattr(world, who), task=private)
