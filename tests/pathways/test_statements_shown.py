"""What a student still has to show: the evidence statements of their working stage that no
teacher has yet seen in their work, ticked on a rating (a review, the gradebook or the API)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.evidence.models import AppendOnlyError, Evidence, StatementShown
from proficio.frameworks.models import EvidenceStatement
from proficio.lib.errors import InvalidInput
from proficio.mastery.services import evidence_record, evidence_withdraw
from proficio.pathways.selectors import next_steps
from proficio.work.data import Alignment
from proficio.work.services import revision_save, task_assign, task_create
from tests.api.client import Api, rating, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def statements(world) -> list[EvidenceStatement]:
    stage = world.competency.stages.get(ordinal=1)
    EvidenceStatement.objects.create(stage=stage, text="The student can give a reason.", position=1)
    return list(stage.evidence_statements.all())


def rate(world, *, stage=1, level=2, statements=(), source="observation", student=None):
    return evidence_record(
        assessor=world.teacher,
        student=student or world.student,
        competency=world.competency,
        stage=stage,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=1),
        source=source,
        statements=[str(s.uuid) for s in statements],
    )


def step_of(world):
    steps, _ = next_steps(student=world.student)
    return next(s for s in steps if s.status.competency == world.competency)


def test_next_steps_list_what_no_rating_has_shown_yet(world, statements):
    first, second = statements
    rate(world)
    assert step_of(world).statements == statements and step_of(world).shown == []
    rate(world, statements=[first])
    step = step_of(world)
    assert (step.statements, step.shown) == ([second], [first])


def test_a_withdrawn_rating_or_a_students_own_shows_nothing(world, statements):
    first, _ = statements
    wrong = rate(world, statements=[first])
    evidence_withdraw(actor=world.teacher, evidence=wrong, reason="Another student's work")
    evidence_record(
        assessor=world.student,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now(),
        source="self",
        statements=[str(first.uuid)],
    )
    assert step_of(world).shown == []


def test_only_the_rated_stages_statements_are_ticked(world, statements):
    other_stage = world.competency.stages.get(ordinal=2).evidence_statements.first()
    with pytest.raises(InvalidInput) as refused:
        rate(world, statements=[statements[0], other_stage])
    assert "stage 1, the stage rated" in refused.value.errors["statements"]
    assert not Evidence.objects.exists()


def test_what_a_rating_saw_is_append_only(world, statements):
    rate(world, statements=statements[:1])
    shown = StatementShown.objects.get()
    with pytest.raises(AppendOnlyError):
        shown.save()
    with pytest.raises(AppendOnlyError):
        shown.delete()


def page_client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_a_review_ticks_what_the_work_shows(world, statements):
    task = task_create(
        author=world.teacher,
        title="Reasons",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    revision = revision_save(student=world.student, task=task, text="Because…", submit=True)
    submission = revision.submission
    client = page_client(world.teacher)
    shown = client.get(reverse("work:submission", args=[submission.uuid])).content.decode()
    assert "The work shows" in shown and "The student can give a reason." in shown
    alignment = task.alignments.get()
    response = client.post(
        reverse("work:review_save", args=[submission.uuid]),
        {
            "revision": revision.number,
            "decision": "revise",
            f"a{alignment.pk}-level": "2",
            f"a{alignment.pk}-shows": [str(statements[1].uuid)],
        },
    )
    assert response.status_code == 302
    assert step_of(world).shown == [statements[1]]
    page = page_client(world.student).get(reverse("pathways:next_steps")).content.decode()
    assert "1 of 2 seen in your work" in page


def test_the_gradebook_rating_form_ticks_statements(world, statements):
    client = page_client(world.teacher)
    url = reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])
    assert "What the work shows" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "stage": "1",
            "level": "3",
            "observed_on": timezone.localdate().isoformat(),
            "source": "observation",
            "statements": [str(s.uuid) for s in statements],
        },
    )
    assert response.status_code == 302
    assert step_of(world).statements == []


def test_the_api_takes_and_gives_the_statements(world, statements):
    api = Api(token_for(world.teacher.username))
    response = api.post("/evidence", rating(world, statements=[str(statements[0].uuid)]))
    assert response.status_code == 201
    assert response.json()["statements"] == [str(statements[0].uuid)]
    wrong = api.post("/evidence", rating(world, stage=2, statements=[str(statements[0].uuid)]))
    assert wrong.status_code == 400 and "statements" in wrong.json()["errors"]
